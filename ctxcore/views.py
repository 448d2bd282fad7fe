"""Class-based views: :class:`View` and :class:`MethodView`, as Flask has them.

::

    class Users(MethodView):
        def get(self, user_id): ...
        def post(self): ...

    app.add_url_rule("/users/<int:user_id>", view_func=Users.as_view("users"))

A view whose handlers are all ``async def`` becomes an ``async def`` view, so under
ASGI it runs on the event loop like any other coroutine view; otherwise it is a sync
view (run on the request's worker thread under ASGI), and an ``async def`` handler in
it is run to completion there.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, ClassVar

from ._async import run_coroutine
from .globals import request

__all__ = ["HTTP_METHODS", "MethodView", "View", "http_method_funcs"]

#: The methods :class:`MethodView` looks for, as lowercase method names.
HTTP_METHODS = frozenset(
    ("get", "post", "head", "options", "delete", "put", "trace", "patch", "query")
)
#: Flask's name for :data:`HTTP_METHODS` (Flask-RESTX and others import it).
http_method_funcs = HTTP_METHODS


class View:
    """A view as a class: subclass it, implement :meth:`dispatch_request`, register
    ``YourView.as_view("endpoint")``.

    Class attributes: ``methods`` (the routed methods), ``provide_automatic_options``,
    ``decorators`` (applied to the generated function, innermost first), and
    ``init_every_request`` (False: one instance serves every request, so it must not
    keep per-request state on ``self``).
    """

    methods: ClassVar[set[str] | None] = None
    provide_automatic_options: ClassVar[bool | None] = None
    decorators: ClassVar[list[Callable[..., Any]]] = []
    init_every_request: ClassVar[bool] = True

    def dispatch_request(self, **kwargs: Any) -> Any:
        """Handle the request; ``kwargs`` are the URL's variables."""
        raise NotImplementedError(
            f"{type(self).__qualname__} must implement dispatch_request() to handle requests"
        )

    @classmethod
    def _is_async(cls) -> bool:
        return inspect.iscoroutinefunction(cls.dispatch_request)

    @classmethod
    def as_view(cls, name: str, *class_args: Any, **class_kwargs: Any) -> Callable[..., Any]:
        """A view function for ``add_url_rule``: it makes an instance (per request, or
        once with ``init_every_request = False``) with the given arguments, then calls
        :meth:`dispatch_request` with the URL's variables."""
        shared = None if cls.init_every_request else cls(*class_args, **class_kwargs)

        def instance() -> View:
            return shared if shared is not None else cls(*class_args, **class_kwargs)

        view: Any
        if cls._is_async():

            async def async_view(**kwargs: Any) -> Any:
                return await instance().dispatch_request(**kwargs)

            view = async_view
        else:

            def sync_view(**kwargs: Any) -> Any:
                rv = instance().dispatch_request(**kwargs)
                # An async handler in a mixed MethodView: run it to completion here.
                return run_coroutine(rv) if inspect.iscoroutine(rv) else rv

            view = sync_view
        for decorator in cls.decorators:
            view = decorator(view)
        # What add_url_rule and tools read from a view function.
        view.view_class = cls
        view.__name__ = name
        view.__qualname__ = name
        view.__doc__ = cls.__doc__
        view.__module__ = cls.__module__
        view.methods = cls.methods
        view.provide_automatic_options = cls.provide_automatic_options
        made: Callable[..., Any] = view
        return made


class MethodView(View):
    """Dispatch each HTTP method to the method of the same name (``get``, ``post``,
    ...); ``HEAD`` falls back to ``get``. ``methods`` is filled in from the methods a
    class (and its bases) define."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "methods" in cls.__dict__:
            return
        found: set[str] = set()
        for base in cls.__mro__[1:]:
            found.update(getattr(base, "methods", None) or ())
        found.update(name.upper() for name in HTTP_METHODS if callable(getattr(cls, name, None)))
        if found:
            cls.methods = found

    @classmethod
    def _is_async(cls) -> bool:
        handlers = [getattr(cls, name) for name in HTTP_METHODS if hasattr(cls, name)]
        return bool(handlers) and all(inspect.iscoroutinefunction(h) for h in handlers)

    def _handler(self) -> Callable[..., Any]:
        method = request.method.lower()
        handler = getattr(self, method, None)
        if handler is None and method == "head":
            handler = getattr(self, "get", None)
        if handler is None:
            raise AssertionError(f"{type(self).__qualname__} has no handler for {method.upper()}")
        return handler  # type: ignore[no-any-return]

    def dispatch_request(self, **kwargs: Any) -> Any:
        """Call the method named after the request's HTTP method."""
        # A coroutine is awaited by as_view's async view, or run by its sync one.
        return self._handler()(**kwargs)
