"""What App and Blueprint share: registering routes, hooks and error handlers, the
static folder, the template folder and the command group.

The one base class of both, as Flask's ``sansio.scaffold.Scaffold``: an App is
``App -> AppBase -> Scaffold``, a Blueprint ``Blueprint -> Scaffold``. Template, static
file and command-line members are thin methods here whose bodies are functions of
:mod:`ctxcore._templates`, :mod:`ctxcore._static` and :mod:`ctxcore._cli_app`.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable
from functools import cached_property
from typing import IO, TYPE_CHECKING, Any, TypeVar

from werkzeug.exceptions import HTTPException, default_exceptions

from . import _cli_app, _static, _templates
from .helpers import get_root_path

if TYPE_CHECKING:
    from jinja2 import BaseLoader

    from ._cli_group import AppGroup
    from .wrappers import Response

__all__ = ["ErrorRegistry", "HookRegistry", "Scaffold", "error_key", "get_root_path"]

F = TypeVar("F", bound=Callable[..., Any])
ErrorKey = tuple[int | None, type[BaseException]]
#: Hooks by scope (``None``: the app or blueprint itself; on an app, a blueprint's name).
HookRegistry = dict[str | None, list[Callable[..., Any]]]
#: Error handlers by scope, then HTTP code (``None`` for other exceptions), then class.
ErrorRegistry = dict[str | None, dict[int | None, dict[type[BaseException], Callable[..., Any]]]]


def error_key(code_or_exception: int | type[BaseException]) -> ErrorKey:
    """Turn ``errorhandler``'s argument into (HTTP code or None, exception class)."""
    if isinstance(code_or_exception, int) and not isinstance(code_or_exception, bool):
        exc_class = default_exceptions.get(code_or_exception)
        if exc_class is None:
            raise ValueError(
                f"{code_or_exception} is not an HTTP error code werkzeug knows; register "
                "a handler for an HTTPException subclass with that code instead"
            )
        return code_or_exception, exc_class
    if isinstance(code_or_exception, type) and issubclass(code_or_exception, BaseException):
        if issubclass(code_or_exception, HTTPException):
            return code_or_exception.code, code_or_exception
        return None, code_or_exception
    raise TypeError(
        f"errorhandler() takes an HTTP status code or an exception class, not {code_or_exception!r}"
    )


class Scaffold:
    """Route, hook and error-handler registration for an App or a Blueprint, and their
    static files, templates and commands.

    :param import_name: the module or package that defines it (usually ``__name__``);
        its folder is :attr:`root_path` unless ``root_path`` is given.
    :param static_folder: the folder of static files, relative to :attr:`root_path`.
    :param static_url_path: the URL prefix of static files (default: ``/`` plus the
        folder's name).
    :param template_folder: the folder of templates, relative to :attr:`root_path`.
    """

    def __init__(
        self,
        import_name: str,
        static_folder: str | os.PathLike[str] | None = None,
        static_url_path: str | None = None,
        template_folder: str | os.PathLike[str] | None = None,
        root_path: str | None = None,
    ) -> None:
        self.import_name = import_name
        self.root_path = root_path if root_path is not None else get_root_path(import_name)
        #: The folder of templates, relative to ``root_path`` (``None``: no templates).
        self.template_folder = template_folder
        self._static_folder: str | None = None
        self._static_url_path: str | None = None
        self.static_folder = static_folder
        self.static_url_path = static_url_path
        # Flask's shapes, which extensions read and append to: keyed by scope, None for
        # this object itself; on an app, a registered blueprint's name for its requests.
        #: View functions by endpoint (on an app, every registered one).
        self.view_functions: dict[str, Callable[..., Any]] = {}
        self.before_request_funcs: HookRegistry = defaultdict(list)
        self.after_request_funcs: HookRegistry = defaultdict(list)
        self.teardown_request_funcs: HookRegistry = defaultdict(list)
        self.url_value_preprocessors: HookRegistry = defaultdict(list)
        self.url_default_functions: HookRegistry = defaultdict(list)
        #: scope -> HTTP code (None for exception classes) -> exception class -> handler.
        self.error_handler_spec: ErrorRegistry = defaultdict(lambda: defaultdict(dict))
        #: Context processors by scope: ``None`` for this object itself; on an app, each
        #: registered blueprint's name for those scoped to its requests.
        self.template_context_processors: HookRegistry = {None: []}

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: Callable[..., Any] | None = None,
        **options: Any,
    ) -> None:
        """Map URL ``rule`` to ``view_func`` (endpoint defaults to the function's name)."""
        raise NotImplementedError

    @staticmethod
    def _check_rule(rule: Any, endpoint: str | None, view_func: Callable[..., Any] | None) -> None:
        if view_func is None and endpoint is None:
            raise TypeError("add_url_rule() needs a view_func, or an endpoint to name one later")
        if isinstance(rule, str) and not rule.startswith("/") and rule != "":
            raise ValueError(f"URL rule {rule!r} must start with '/'")

    def route(self, rule: str, **options: Any) -> Callable[[F], F]:
        """Decorator: register the function as the view for ``rule``.

        ``methods=`` lists the HTTP methods (default ``["GET"]``; HEAD and OPTIONS are
        answered automatically); other options go to werkzeug's ``Rule``.
        """

        def decorator(func: F) -> F:
            self.add_url_rule(rule, options.pop("endpoint", None), func, **options)
            return func

        return decorator

    def _method_route(self, method: str, rule: str, options: dict[str, Any]) -> Callable[[F], F]:
        if "methods" in options:
            raise TypeError(f"{method.lower()}() takes no methods=; use route() for several")
        return self.route(rule, methods=[method], **options)

    def get(self, rule: str, **options: Any) -> Callable[[F], F]:
        """``route(rule, methods=["GET"])``."""
        return self._method_route("GET", rule, options)

    def post(self, rule: str, **options: Any) -> Callable[[F], F]:
        """``route(rule, methods=["POST"])``."""
        return self._method_route("POST", rule, options)

    def put(self, rule: str, **options: Any) -> Callable[[F], F]:
        """``route(rule, methods=["PUT"])``."""
        return self._method_route("PUT", rule, options)

    def patch(self, rule: str, **options: Any) -> Callable[[F], F]:
        """``route(rule, methods=["PATCH"])``."""
        return self._method_route("PATCH", rule, options)

    def delete(self, rule: str, **options: Any) -> Callable[[F], F]:
        """``route(rule, methods=["DELETE"])``."""
        return self._method_route("DELETE", rule, options)

    def open_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = None
    ) -> IO[Any]:
        """Open a file relative to :attr:`root_path` for reading (``"rb"``, ``"r"``,
        ``"rt"``), e.g. a schema shipped beside the code's code."""
        if mode not in ("r", "rt", "rb"):
            raise ValueError(f"open_resource() only reads: mode 'r', 'rt' or 'rb', not {mode!r}")
        path = os.path.join(self.root_path, resource)
        if mode == "rb":
            return open(path, mode)
        return open(path, mode, encoding=encoding)

    def before_request(self, func: F) -> F:
        """Run ``func()`` before each request's view; a non-None return is the response."""
        self.before_request_funcs[None].append(func)
        return func

    def after_request(self, func: F) -> F:
        """Run ``func(response)`` after each view; it returns the response to send.

        Hooks run in reverse registration order.
        """
        self.after_request_funcs[None].append(func)
        return func

    def teardown_request(self, func: F) -> F:
        """Run ``func(error_or_None)`` when each request context is popped."""
        self.teardown_request_funcs[None].append(func)
        return func

    def url_value_preprocessor(self, func: F) -> F:
        """Run ``func(endpoint, view_args)`` before the ``before_request`` hooks; it may
        change or pop the view arguments (e.g. take a language code out of every URL)."""
        self.url_value_preprocessors[None].append(func)
        return func

    def url_defaults(self, func: F) -> F:
        """Run ``func(endpoint, values)`` when a URL is built; it may fill in values
        (the counterpart of :meth:`url_value_preprocessor`)."""
        self.url_default_functions[None].append(func)
        return func

    def errorhandler(self, code_or_exception: int | type[BaseException]) -> Callable[[F], F]:
        """Decorator: handle an HTTP error code or an exception class (and subclasses)."""
        key = error_key(code_or_exception)

        def decorator(func: F) -> F:
            code, exc_class = key
            self.error_handler_spec[None][code][exc_class] = func
            return func

        return decorator

    def register_error_handler(
        self, code_or_exception: int | type[BaseException], func: Callable[..., Any]
    ) -> None:
        """Non-decorator form of :meth:`errorhandler`."""
        self.errorhandler(code_or_exception)(func)

    @property
    def static_folder(self) -> str | None:
        """The absolute path of the static folder, or ``None`` when there is none."""
        if self._static_folder is None:
            return None
        return os.path.join(self.root_path, self._static_folder)

    @static_folder.setter
    def static_folder(self, value: str | os.PathLike[str] | None) -> None:
        if value is not None:
            value = os.fspath(value).rstrip("/\\")
        self._static_folder = value

    @property
    def has_static_folder(self) -> bool:
        """Whether a static folder is configured."""
        return self._static_folder is not None

    @property
    def static_url_path(self) -> str | None:
        """The URL prefix of static files (``None`` without a static folder)."""
        if self._static_url_path is not None:
            return self._static_url_path
        if self._static_folder is not None:
            basename = os.path.basename(self._static_folder)
            return f"/{basename}".rstrip("/")
        return None

    @static_url_path.setter
    def static_url_path(self, value: str | None) -> None:
        if value is not None:
            value = value.rstrip("/")
        self._static_url_path = value

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        """The ``max_age`` (seconds) for sending ``filename``: ``SEND_FILE_MAX_AGE_DEFAULT``.

        ``None`` (the default) sends no timed cache: browsers revalidate with a
        conditional request (ETag, Last-Modified), which is usually what you want.
        """
        return _static.send_file_max_age()

    def send_static_file(self, filename: str) -> Response:
        """The view of the ``static`` route: send ``filename`` from :attr:`static_folder`."""
        return _static.send_static_file(self, filename)

    @cached_property
    def jinja_loader(self) -> BaseLoader | None:
        """A Jinja2 ``FileSystemLoader`` for :attr:`template_folder` (``None`` without one)."""
        return _templates.folder_loader(self)

    def context_processor(self, func: F) -> F:
        """Decorator: ``func()`` returns a dict of names added to every template's context.

        On a blueprint, only templates rendered by its own requests get them. Names
        passed to ``render_template`` win over a processor's.
        """
        self.template_context_processors[None].append(func)
        return func

    @property
    def cli(self) -> AppGroup:
        """The click group of this object's commands (``@app.cli.command("init-db")``).

        Its commands run inside the app context. A blueprint's commands appear under
        its ``cli_group`` (default: a group named after the blueprint; ``None``: merged
        into the app's group).
        """
        return _cli_app.command_group(self, self._cli_name())

    def _cli_name(self) -> str | None:
        """The name of :attr:`cli` (a blueprint's group is named when registered)."""
        return None
