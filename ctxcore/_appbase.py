"""AppBase: what an app holds and looks up, with no I/O and no serving.

Routes, hooks, error handlers, blueprints, config and sessions, and the questions the
request flow (:mod:`ctxcore._flow`) asks of them: which hooks run for this request and
in what order, which view, which error handler. :class:`ctxcore.App` adds contexts and
serving (WSGI, and the async dispatch ASGI adapters drive) on top. Flask's ``sansio``
package is the model: app logic that sync and async servers share.
"""

from __future__ import annotations

import inspect
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from werkzeug.exceptions import BadRequestKeyError, HTTPException
from werkzeug.routing import Map, MapAdapter, RequestRedirect, Rule

from . import json as _json
from ._async import ensure_sync, gevent_patched
from ._response import make_response
from ._stacks import stacks_for, top_request_context
from ._static import add_static_route
from ._templates import AppTemplates
from .blueprints import Blueprint
from .config import Config, ConfigAttribute
from .ctx import RequestContext
from .local import Ident, IdentSpec
from .scaffold import ErrorKey, Scaffold
from .sessions import SecureCookieSessionInterface, SessionInterface
from .wrappers import Request, Response

__all__ = ["AppBase", "find_instance_path"]

F = TypeVar("F", bound=Callable[..., Any])


def find_instance_path(import_name: str, root_path: str) -> str:
    """Where the app's instance folder is by default.

    Beside the module, or beside the package's folder (``instance/``), when the code is
    not installed; ``<prefix>/var/<name>-instance`` when it is installed under a
    ``site-packages`` folder of this interpreter.
    """
    module = sys.modules.get(import_name)
    is_package = module is not None and hasattr(module, "__path__")
    base = os.path.dirname(root_path) if is_package else root_path
    installed = os.sep + "site-packages" in root_path or os.sep + "dist-packages" in root_path
    if installed:
        return os.path.join(sys.prefix, "var", f"{import_name.partition('.')[0]}-instance")
    return os.path.join(base, "instance")


class AppBase(AppTemplates, Scaffold):
    """Routes, hooks, handlers and config of an app, and the lookups made per request.

    :param import_name: usually ``__name__``; names the app and its logger.
    :param ident: the ident source of the app's context stacks (``None``: the process
        default). ``"context"`` isolates threads, greenlets and asyncio tasks.
    """

    request_class = Request
    response_class = Response

    #: ``config["SECRET_KEY"]``, readable and writable as an attribute.
    secret_key = ConfigAttribute("SECRET_KEY")
    #: ``config["DEBUG"]``.
    debug = ConfigAttribute("DEBUG")
    #: ``config["TESTING"]``: errors propagate to the test client instead of a 500.
    testing = ConfigAttribute("TESTING")
    #: ``config["PERMANENT_SESSION_LIFETIME"]``.
    permanent_session_lifetime = ConfigAttribute("PERMANENT_SESSION_LIFETIME")

    def __init__(
        self,
        import_name: str,
        static_url_path: str | None = None,
        static_folder: str | os.PathLike[str] | None = "static",
        static_host: str | None = None,
        host_matching: bool = False,
        subdomain_matching: bool = False,
        template_folder: str | os.PathLike[str] | None = "templates",
        instance_path: str | None = None,
        instance_relative_config: bool = False,
        root_path: str | None = None,
        *,
        ident: IdentSpec = None,
        name: str | None = None,
    ):
        super().__init__(
            import_name,
            static_folder=static_folder,
            static_url_path=static_url_path,
            template_folder=template_folder,
            root_path=root_path,
        )
        if instance_path is None:
            instance_path = find_instance_path(import_name, self.root_path)
        elif not os.path.isabs(instance_path):
            raise ValueError(f"instance_path must be absolute, not {instance_path!r}")
        if static_host is not None and not host_matching:
            raise ValueError("static_host needs host_matching=True")
        self.name = name or import_name
        self.instance_path = instance_path
        self.static_host = static_host
        self.subdomain_matching = subdomain_matching
        self.config = Config(instance_path if instance_relative_config else self.root_path)
        self.url_map = Map(host_matching=host_matching)
        #: Extensions keep their per-app state here, under their own name.
        self.extensions: dict[str, Any] = {}
        self.view_functions: dict[str, Callable[..., Any]] = {}
        self.blueprints: dict[str, Blueprint] = {}
        self.logger = logging.getLogger(self.name)
        self.session_interface: SessionInterface = SecureCookieSessionInterface()
        self._stacks = stacks_for(ident)
        # Scoped by blueprint: None is the app itself.
        self.scoped_before: dict[str | None, list[Callable[..., Any]]] = {None: []}
        self.scoped_after: dict[str | None, list[Callable[..., Any]]] = {None: []}
        self.scoped_teardown: dict[str | None, list[Callable[..., Any]]] = {None: []}
        self.scoped_errors: dict[str | None, dict[ErrorKey, Callable[..., Any]]] = {None: {}}
        self.before_request_funcs = self.scoped_before[None]
        self.after_request_funcs = self.scoped_after[None]
        self.teardown_request_funcs = self.scoped_teardown[None]
        self.error_handler_spec = self.scoped_errors[None]
        self.teardown_appcontext_funcs: list[Callable[..., Any]] = []
        self.before_first_request_funcs: list[Callable[..., Any]] = []
        self.startup_funcs: list[Callable[..., Any]] = []
        self.shutdown_funcs: list[Callable[..., Any]] = []
        self._asgi: Any = None
        self._adapters: dict[tuple[Any, ...], MapAdapter] = {}
        self._got_first_request = False
        self._first_request_lock = threading.Lock()
        add_static_route(self)

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: Callable[..., Any] | None = None,
        **options: Any,
    ) -> None:
        """Map URL ``rule`` to ``view_func`` (see :meth:`route`)."""
        super().add_url_rule(rule, endpoint, view_func, **options)
        assert view_func is not None
        endpoint = endpoint or view_func.__name__
        methods = options.pop("methods", None) or getattr(view_func, "methods", None) or ["GET"]
        if isinstance(methods, str):
            raise TypeError(f"methods must be a list of strings, not {methods!r}")
        methods = {method.upper() for method in methods}
        automatic_options = "OPTIONS" not in methods
        if automatic_options:
            methods.add("OPTIONS")
        existing = self.view_functions.get(endpoint)
        if existing is not None and existing is not view_func:
            raise ValueError(
                f"endpoint {endpoint!r} already maps to {existing.__qualname__}; "
                "give the new view another endpoint name"
            )
        url_rule = Rule(rule, endpoint=endpoint, methods=methods, **options)
        url_rule.provide_automatic_options = automatic_options  # type: ignore[attr-defined]
        self.url_map.add(url_rule)
        self.view_functions[endpoint] = view_func

    def before_first_request(self, func: F) -> F:
        """Run ``func()`` once, before the first request (race-free under concurrency)."""
        self.before_first_request_funcs.append(func)
        return func

    def on_startup(self, func: F) -> F:
        """Run ``func()`` (sync or async) once when an ASGI server starts (lifespan)."""
        self.startup_funcs.append(func)
        return func

    def on_shutdown(self, func: F) -> F:
        """Run ``func()`` (sync or async) once when an ASGI server stops (lifespan)."""
        self.shutdown_funcs.append(func)
        return func

    @property
    def ident(self) -> Ident:
        """The ident source of this app's context stacks (``"context"``, ``"thread"``, ...)."""
        return self._stacks.ident

    def check_isolation(self, concurrency: str) -> None:
        """Refuse to serve under a concurrency model this app's ident source cannot isolate.

        :param concurrency: how the server runs requests: ``"threads"``,
            ``"greenlets"`` (gevent) or ``"tasks"`` (asyncio/uvloop, ASGI).

        Raises ``RuntimeError`` naming the fix: under ``"tasks"`` every task on the loop
        shares one thread and one greenlet, so ``"thread"`` and ``"greenlet"`` idents
        would give every request the same context; under ``"greenlets"`` the
        ``"thread"`` ident means the one OS thread every greenlet shares.
        """
        ident = self.ident
        refused = {"tasks": ("thread", "greenlet"), "greenlets": ("thread",), "threads": ()}
        if concurrency not in refused:
            raise ValueError(f"unknown concurrency {concurrency!r}: threads, greenlets or tasks")
        if ident not in refused[concurrency]:
            return
        served = {"tasks": "asyncio tasks (ASGI)", "greenlets": "gevent greenlets"}[concurrency]
        fix = "ident='context' (the default)"
        if concurrency == "greenlets":
            fix += " or ident='greenlet'"
        raise RuntimeError(
            f"{self!r} uses ident={ident!r}, which cannot isolate requests served by "
            f"{served}: they would all share one request context. Build it with "
            f"App(..., {fix}) to serve it there."
        )

    @property
    def got_first_request(self) -> bool:
        """Whether the ``before_first_request`` hooks have run."""
        return self._got_first_request

    def teardown_appcontext(self, func: F) -> F:
        """Run ``func(error_or_None)`` when each app context is popped."""
        self.teardown_appcontext_funcs.append(func)
        return func

    def register_blueprint(
        self, blueprint: Blueprint, *, url_prefix: str | None = None, name: str | None = None
    ) -> None:
        """Register a blueprint's routes, hooks and handlers (and its nested blueprints)."""
        blueprint.register(self, url_prefix=url_prefix, name=name)

    @property
    def json(self) -> _json.JSONProvider:
        """The JSON provider named by ``JSON_PROVIDER`` (``json``, ``ujson``, ``orjson``)."""
        return _json.get_provider(
            self.config["JSON_PROVIDER"], sort_keys=bool(self.config["JSON_SORT_KEYS"])
        )

    def create_url_adapter(self, request: Request | None) -> MapAdapter:
        """The URL adapter for ``request``, or for building URLs outside one.

        Adapters are cached by what they are bound to (host, script root, scheme, server
        name): binding one parses the environ again, and most requests share a few.
        Matching passes the request's own path and method.
        """
        if request is not None:
            environ = request.environ
            key = (
                environ.get("HTTP_HOST"),
                environ.get("SERVER_NAME"),
                environ.get("SERVER_PORT"),
                environ.get("SCRIPT_NAME"),
                environ.get("wsgi.url_scheme"),
                self.config["SERVER_NAME"],
            )
            adapter = self._adapters.get(key)
            if adapter is None:
                if len(self._adapters) >= 64:  # hosts come from clients: stay bounded
                    self._adapters.clear()
                adapter = self._adapters[key] = self.url_map.bind_to_environ(
                    environ, server_name=self.config["SERVER_NAME"]
                )
            return adapter
        server = self.config["SERVER_NAME"]
        if not server:
            raise RuntimeError(
                "Building a URL outside a request needs SERVER_NAME in the app config "
                "(e.g. 'example.com'), or an active request context."
            )
        return self.url_map.bind(
            server,
            script_name=self.config["APPLICATION_ROOT"],
            url_scheme=self.config["PREFERRED_URL_SCHEME"],
        )

    def url_for(self, endpoint: str, *, _external: bool = False, **values: Any) -> str:
        """Build the URL of ``endpoint`` (``".name"`` is relative to the current blueprint)."""
        ctx = top_request_context()
        request = ctx.request if ctx is not None and ctx.app is self else None
        if endpoint.startswith("."):
            blueprint = request.blueprint if request is not None else None
            endpoint = f"{blueprint}{endpoint}" if blueprint else endpoint[1:]
        adapter = (
            ctx.url_adapter
            if ctx is not None and request is not None
            else self.create_url_adapter(None)
        )
        anchor = values.pop("_anchor", None)
        method = values.pop("_method", None)
        url = adapter.build(
            endpoint, values, method=method, force_external=_external or request is None
        )
        return f"{url}#{anchor}" if anchor else url

    def run_first_request_hooks(self) -> None:
        """Run the ``before_first_request`` hooks unless they have run (once, race-free)."""
        with self._first_request_lock:
            if self._got_first_request:
                return
            if gevent_patched():
                # Servers that do not say how they run requests (gunicorn's gevent
                # worker): refuse every request until the ident is fixed.
                self.check_isolation("greenlets")
            for func in self.before_first_request_funcs:
                ensure_sync(func)()
            self._got_first_request = True

    def before_hooks(self, ctx: RequestContext) -> Iterator[Callable[..., Any]]:
        """The ``before_request`` hooks for this request, in call order (app first)."""
        for scope in (None, *reversed(ctx.request.blueprints)):
            yield from self.scoped_before.get(scope, ())

    def after_hooks(self, ctx: RequestContext) -> Iterator[Callable[..., Any]]:
        """``after_this_request`` callbacks, then ``after_request`` hooks, in call order."""
        yield from ctx._after_request
        for scope in (*ctx.request.blueprints, None):
            yield from reversed(self.scoped_after.get(scope, ()))

    def match_request(self, ctx: RequestContext) -> None:
        """Route the request: set its rule and view args, or keep the routing error.

        Runs before the hooks, so they know the request's blueprint; the error (404,
        405, redirect) is raised by :meth:`dispatch_request`.
        """
        request = ctx.request
        if request.url_rule is not None or request.routing_exception is not None:
            return  # already routed (the ASGI adapter routes first to pick a path)
        try:
            rule, view_args = ctx.url_adapter.match(
                request.path,
                request.method,
                return_rule=True,
                query_args=request.environ.get("QUERY_STRING", ""),
            )
        except HTTPException as exc:
            request.routing_exception = exc
        else:
            request._set_route(rule, dict(view_args))

    def view_for(self, ctx: RequestContext) -> Callable[..., Any] | Response:
        """The matched view function, or the automatic OPTIONS response.

        Raises the routing error (404, 405, redirect) if matching failed.
        """
        request = ctx.request
        if request.routing_exception is not None:
            raise request.routing_exception
        rule = request.url_rule
        assert rule is not None
        if request.method == "OPTIONS" and getattr(rule, "provide_automatic_options", False):
            response = self.response_class()
            response.allow.update(ctx.url_adapter.allowed_methods(request.path))
            return response
        return self.view_functions[rule.endpoint]

    def is_async_view(self, ctx: RequestContext) -> bool:
        """Whether the matched view (after :meth:`match_request`) is ``async def``."""
        rule = ctx.request.url_rule
        if rule is None or ctx.request.routing_exception is not None:
            return False
        return inspect.iscoroutinefunction(self.view_functions.get(rule.endpoint))

    def make_response(self, rv: Any) -> Response:
        """Convert what a view returned into :attr:`response_class`.

        Accepted: a Response, ``str``/``bytes``, a ``dict``/``list`` (JSON), an iterator
        of chunks (streamed), an HTTPException, or a ``(body, status)``,
        ``(body, headers)`` or ``(body, status, headers)`` tuple.
        """
        return make_response(self, rv)

    def save_session(self, ctx: RequestContext, response: Response) -> None:
        """Save the session on ``response`` if this request opened a real one."""
        if ctx.session_opened:
            session = ctx.session
            if not self.session_interface.is_null_session(session):
                self.session_interface.save_session(self, session, response)

    def find_error_handler(
        self, exc: BaseException, blueprints: Iterable[str]
    ) -> Callable[..., Any] | None:
        """The handler for ``exc``: blueprint handlers first, by code then by class."""
        codes = (exc.code, None) if isinstance(exc, HTTPException) else (None,)
        for scope in (*blueprints, None):
            handlers = self.scoped_errors.get(scope)
            if not handlers:
                continue
            for code in codes:
                for cls in type(exc).__mro__:
                    handler = handlers.get((code, cls))
                    if handler is not None:
                        return handler
        return None

    def user_error_handler(self, ctx: RequestContext, exc: Exception) -> Callable[..., Any] | None:
        """The handler for an error from a hook or view; ``None`` if ``exc`` is itself the
        response (an HTTP error without a handler). Re-raises an unhandled other error."""
        if isinstance(exc, BadRequestKeyError) and not self.config["DEBUG"]:
            exc.show_exception = False
        if isinstance(exc, HTTPException) and (
            exc.code is None or isinstance(exc, RequestRedirect)
        ):
            return None
        handler = self.find_error_handler(exc, ctx.request.blueprints)
        if handler is None and not isinstance(exc, HTTPException):
            raise exc
        return handler

    def __repr__(self) -> str:
        return f"<App {self.name!r}>"
