"""App and request contexts: what is pushed, popped and torn down around each request."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request as _WerkzeugRequest

from ._flow import (
    CallSync,
    Flow,
    raise_together,
    run_async,
    run_sync,
    signal_call,
    teardown_appcontext_funcs,
    teardown_flow,
    teardown_request_funcs,
)
from ._stacks import Stacks, top_app_context

# Flask defines these in its ctx module; code that imports them from there finds them.
from .helpers import (
    after_this_request,
    copy_current_request_context,
    has_app_context,
    has_request_context,
)
from .signals import (
    appcontext_popped,
    appcontext_pushed,
    appcontext_tearing_down,
    request_tearing_down,
)

if TYPE_CHECKING:
    from werkzeug.routing import MapAdapter

    from .app import App
    from .local import LocalStack
    from .sessions import SessionMixin
    from .wrappers import Request, Response

__all__ = [
    "AppContext",
    "RequestContext",
    "after_this_request",
    "copy_current_request_context",
    "has_app_context",
    "has_request_context",
]

_NOT_GIVEN: Any = object()


class _AppCtxGlobals:
    """``g``: a namespace for the current app context (one per request).

    Behaves like an object with attributes, plus ``get``, ``pop``, ``setdefault``,
    ``in`` and iteration over names.
    """

    if TYPE_CHECKING:
        # Any attribute may be set on g: tell type checkers so (``g.db = ...``).
        def __getattr__(self, name: str) -> Any: ...
        def __setattr__(self, name: str, value: Any) -> None: ...

    def get(self, name: str, default: Any = None) -> Any:
        """Return attribute ``name``, or ``default`` if it is not set."""
        return self.__dict__.get(name, default)

    def pop(self, name: str, default: Any = _NOT_GIVEN) -> Any:
        """Remove and return attribute ``name`` (or ``default``; KeyError without one)."""
        if default is _NOT_GIVEN:
            return self.__dict__.pop(name)
        return self.__dict__.pop(name, default)

    def setdefault(self, name: str, default: Any = None) -> Any:
        """Return attribute ``name``, setting it to ``default`` first if missing."""
        return self.__dict__.setdefault(name, default)

    def __contains__(self, name: str) -> bool:
        return name in self.__dict__

    def __iter__(self) -> Iterator[str]:
        return iter(list(self.__dict__))

    def __repr__(self) -> str:
        ctx = top_app_context()
        owner = f" of {ctx.app.name!r}" if ctx is not None else ""
        return f"<ctxcore.g{owner} {self.__dict__!r}>"


def _wrong_pop(ctx: object, top: object, stacks: Stacks) -> RuntimeError:
    if top is None:
        return RuntimeError(
            f"Cannot pop {ctx!r}: no context is active in this {stacks.ident} (ident "
            "source). It was not pushed here: push and pop it in the same thread, "
            "greenlet or task, or carry it with copy_current_request_context."
        )
    return RuntimeError(
        f"Popped the wrong context: {ctx!r} is not the active one, {top!r} is. "
        "Pop contexts in the reverse order they were pushed."
    )


class _Token(tuple[object, int]):
    """Returned by ``push()``: ``(context, stack depth)``; ``pop(token)`` checks it names
    the active push. (A tuple: made per request without a Python call.)"""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<push token of {self[0]!r} at depth {self[1]}>"


def _check_pop(ctx: object, stack: LocalStack[Any], token: _Token | None, stacks: Stacks) -> None:
    """Raise unless ``ctx`` is the active context (and ``token`` names its active push)."""
    top = stack.top
    if top is not ctx:
        raise _wrong_pop(ctx, top, stacks)
    if token is not None and (token[0] is not ctx or token[1] != len(stack)):
        raise RuntimeError(f"{token!r} does not belong to the active push of {ctx!r}")


def _pushed_below(ctx: object, stack: LocalStack[Any]) -> bool:
    """Whether ``ctx`` (the top of ``stack``) is also pushed further down: a nested push.

    Callers ask only when the stack holds more than one item, so the usual single push
    makes no call here.
    """
    return any(item is ctx for item in stack.items()[:-1])


class AppContext:
    """The app and ``g`` for code running with an app: a request, a CLI command, a job.

    Use ``with app.app_context():``. Pushing it again while it is active is counted:
    teardown runs once, when the last push is popped.
    """

    def __init__(self, app: App) -> None:
        self.app = app
        self.g = app.app_ctx_globals_class()
        self._stacks: Stacks = app._stacks

    @property
    def url_adapter(self) -> MapAdapter | None:
        """An adapter for building URLs outside a request, or ``None`` when the app has
        no ``SERVER_NAME`` to build them for."""
        if not self.app.config["SERVER_NAME"]:
            return None
        return self.app.create_url_adapter(None)

    def push(self) -> _Token:
        """Make this context active for the current ident; return a token for :meth:`pop`."""
        stack = self._stacks.app
        stack.push(self)
        token = _Token((self, len(stack)))
        if appcontext_pushed.receivers:
            appcontext_pushed.send(self.app, _async_wrapper=self.app.ensure_sync)
        return token

    def pop(self, exc: BaseException | None = _NOT_GIVEN, token: _Token | None = None) -> None:
        """Deactivate this context; on its last pop run ``teardown_appcontext`` callbacks.

        The callbacks run while the context is still active (``g`` and ``current_app``
        readable), every one even if some raise; their errors are raised together once
        the context is popped.
        """
        exc, funcs = self._begin_pop(exc, token)
        if funcs or appcontext_tearing_down.receivers or appcontext_popped.receivers:
            run_sync(self._pop_steps(exc, funcs))
        else:  # nothing to call: no driver needed
            self._stacks.app.pop()

    def _pop_quietly(self) -> None:
        """:meth:`pop` for a caller that knows it calls nothing (no ``teardown_appcontext``
        callback, no signal receiver): checked, then popped."""
        stack = self._stacks.app
        _check_pop(self, stack, None, self._stacks)
        stack.pop()

    def pop_flow(
        self, exc: BaseException | None = _NOT_GIVEN, token: _Token | None = None
    ) -> Flow[None]:
        """:meth:`pop` as a flow (see :mod:`ctxcore._flow`): teardown calls are yielded."""
        exc, funcs = self._begin_pop(exc, token)
        return self._pop_steps(exc, funcs)

    def _begin_pop(
        self, exc: BaseException | None, token: _Token | None
    ) -> tuple[BaseException | None, list[Callable[..., Any]] | None]:
        """Check the pop; return the error to pass on and the teardown callbacks to run
        (``None``: not the last pop, so no teardown)."""
        stack = self._stacks.app
        _check_pop(self, stack, token, self._stacks)
        if exc is _NOT_GIVEN:
            exc = sys.exc_info()[1]
        if len(stack) > 1 and _pushed_below(self, stack):
            return exc, None  # an outer push of the same context is still active
        return exc, teardown_appcontext_funcs(self.app)

    def _pop_steps(
        self, exc: BaseException | None, funcs: list[Callable[..., Any]] | None
    ) -> Flow[None]:
        app = self.app
        try:
            if funcs is not None:
                yield from teardown_flow(
                    funcs,
                    exc,
                    appcontext_tearing_down,
                    app,
                    message="teardown_appcontext callbacks raised",
                )
        finally:
            self._stacks.app.pop()
        if appcontext_popped.receivers:
            yield signal_call(appcontext_popped, app)

    def __enter__(self) -> AppContext:
        self.push()
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        self.pop(exc)

    def __repr__(self) -> str:
        return f"<AppContext of {self.app.name!r}>"


class RequestContext:
    """The request, its session and its app, for the code handling one request.

    Pushing it makes ``request`` and ``session`` available, and pushes an app context
    too when none (or another app's) is active. The session is opened on first use, so
    a request that never touches it never parses or signs a cookie.
    """

    def __init__(
        self, app: App, environ: dict[str, Any] | None, request: Request | None = None
    ) -> None:
        self.app = app
        if request is None:
            if environ is None:
                raise TypeError("RequestContext needs a WSGI environ or a request")
            request = app.request_class(environ)
        self.request: Request = request
        self._session: SessionMixin | None = None
        self._stacks: Stacks = app._stacks
        self._implicit: list[AppContext | None] = []
        self._after_request: list[Callable[[Response], Response]] = []
        self._origin: RequestContext | None = None
        self._url_adapter: MapAdapter | None = None
        #: The flashed messages this request has read (see ``get_flashed_messages``).
        self.flashes: list[tuple[str, Any]] | None = None
        #: The unhandled error of this request, if any (passed to teardown).
        self.error: BaseException | None = None

    @property
    def url_adapter(self) -> MapAdapter:
        """The URL adapter bound to this request (built on first use)."""
        adapter = self._url_adapter
        if adapter is None:
            adapter = self._url_adapter = self.app.create_url_adapter(self.request)
        return adapter

    def match_request(self) -> None:
        """Route this request (its rule and view args, or the routing error to raise)."""
        self.app.match_request(self)

    @property
    def session(self) -> SessionMixin:
        """The session, opened (or made null) on first access."""
        if self._origin is not None:
            return self._origin.session
        session = self._session
        if session is None:
            interface = self.app.session_interface
            session = interface.open_session(self.app, self.request)
            if session is None:
                session = interface.make_null_session(self.app)
            self._session = session
        return session

    @session.setter
    def session(self, value: SessionMixin) -> None:
        if self._origin is not None:
            self._origin.session = value
        else:
            self._session = value

    def append_after_request(self, func: Callable[[Response], Response]) -> None:
        """Run ``func(response)`` after this request's view (see ``after_this_request``)."""
        self._after_request.append(func)

    @property
    def session_opened(self) -> bool:
        """Whether the session was opened during this request."""
        return self._session is not None

    def copy(self) -> RequestContext:
        """A context for the same request, session and callbacks, to push elsewhere.

        Popping a copy runs no teardown: the original request's teardown runs once.
        """
        origin = self._origin or self
        other = type(self)(self.app, None, self.request)
        other._origin = origin
        other._after_request = origin._after_request
        return other

    def push(self) -> _Token:
        """Make the request active for the current ident; return a token for :meth:`pop`."""
        app_top = self._stacks.app.top
        if app_top is None or app_top.app is not self.app:
            app_ctx = self.app.app_context()
            app_ctx.push()
            self._implicit.append(app_ctx)
        else:
            self._implicit.append(None)
        stack = self._stacks.request
        stack.push(self)
        return _Token((self, len(stack)))

    def pop(self, exc: BaseException | None = _NOT_GIVEN, token: _Token | None = None) -> None:
        """Deactivate the request; on its last pop run teardown and pop its app context.

        ``teardown_request`` callbacks run while the request is still active
        (``request``, ``session`` and ``g`` readable), then the request is closed and
        popped, then the app context it pushed (if any) is popped, its own teardown
        running while it is active. Errors from callbacks are raised once all have run.
        """
        exc, funcs = self._begin_pop(exc, token)
        if self._calls_on_pop(funcs):
            run_sync(self._pop_steps(exc, funcs))
        else:
            self._pop_quietly(exc, funcs)

    async def pop_async(self, exc: BaseException | None, call_sync: CallSync) -> None:
        """:meth:`pop` from an event loop: sync teardown callbacks and signal receivers
        go to ``call_sync`` (an ASGI request's worker thread), async ones run here."""
        exc, funcs = self._begin_pop(exc, None)
        if self._calls_on_pop(funcs):
            await run_async(self._pop_steps(exc, funcs), call_sync)
        else:
            self._pop_quietly(exc, funcs)

    def pop_if_quiet(self) -> bool:
        """Pop now if that calls nothing (no teardown callback or signal receiver, for the
        request or the app context it pushed) and return ``True``; else leave it pushed.

        For servers: a response held in memory can then be returned with its request
        already ended; one whose teardown does something ends after it is sent.
        """
        stack = self._stacks.request
        if (
            stack.top is not self
            or self._origin is not None
            or (len(stack) > 1 and _pushed_below(self, stack))
        ):
            return False
        funcs = teardown_request_funcs(self.app, self)
        if self._calls_on_pop(funcs):
            return False
        self._pop_quietly(None, funcs)
        return True

    def _calls_on_pop(self, funcs: list[Callable[..., Any]] | None) -> bool:
        """Whether popping calls anything: callbacks, signal receivers, or the app
        context's own (when this request pushed it)."""
        if funcs or request_tearing_down.receivers:
            return True
        implicit = self._implicit[-1]
        return implicit is not None and bool(
            self.app.teardown_appcontext_funcs
            or appcontext_tearing_down.receivers
            or appcontext_popped.receivers
        )

    def _pop_quietly(
        self, exc: BaseException | None, funcs: list[Callable[..., Any]] | None
    ) -> None:
        """:meth:`_pop_steps` when they call nothing: no driver needed."""
        if funcs is not None:
            self._close_request()
        self._stacks.request.pop()
        app_ctx = self._implicit.pop()
        if app_ctx is not None:
            app_ctx._pop_quietly()  # _calls_on_pop found nothing for it to call either

    def pop_flow(
        self, exc: BaseException | None = _NOT_GIVEN, token: _Token | None = None
    ) -> Flow[None]:
        """:meth:`pop` as a flow (see :mod:`ctxcore._flow`): teardown calls are yielded."""
        exc, funcs = self._begin_pop(exc, token)
        return self._pop_steps(exc, funcs)

    def _begin_pop(
        self, exc: BaseException | None, token: _Token | None
    ) -> tuple[BaseException | None, list[Callable[..., Any]] | None]:
        """Check the pop; return the error to pass on and the ``teardown_request``
        callbacks to run (``None``: not the last pop, so no teardown and no close)."""
        stack = self._stacks.request
        _check_pop(self, stack, token, self._stacks)
        if exc is _NOT_GIVEN:
            exc = sys.exc_info()[1]
        if self._origin is not None or (len(stack) > 1 and _pushed_below(self, stack)):
            return exc, None
        return exc, teardown_request_funcs(self.app, self)

    def _pop_steps(
        self, exc: BaseException | None, funcs: list[Callable[..., Any]] | None
    ) -> Flow[None]:
        errors: list[Exception] = []
        try:
            if funcs is not None:
                try:
                    yield from teardown_flow(
                        funcs,
                        exc,
                        request_tearing_down,
                        self.app,
                        message="teardown_request callbacks raised",
                    )
                except Exception as error:
                    errors.append(error)
                finally:
                    self._close_request()
        finally:
            self._stacks.request.pop()
            app_ctx = self._implicit.pop()
            if app_ctx is not None:
                try:
                    yield from app_ctx.pop_flow(exc)
                except Exception as error:
                    errors.append(error)
        raise_together(errors, "teardown callbacks raised")

    def _close_request(self) -> None:
        request = self.request
        # werkzeug's close() closes uploaded files: with none parsed there is nothing
        # to do, unless a subclass does more.
        if "files" in request.__dict__ or type(request).close is not _WerkzeugRequest.close:
            request.close()
        # werkzeug stores the request in its environ: break that cycle so the request is
        # freed now rather than by the cyclic collector.
        environ = self.request.__dict__.get("environ")  # none built for a scope's request
        if environ is not None and environ.get("werkzeug.request") is self.request:
            del environ["werkzeug.request"]

    def __enter__(self) -> RequestContext:
        self.push()
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        self.pop(exc)

    def __repr__(self) -> str:
        request = self.request
        return f"<RequestContext {request.method} {request.url!r} of {self.app.name!r}>"
