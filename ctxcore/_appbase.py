"""AppBase: what an app holds and looks up, with no I/O and no serving.

Routes, hooks, error handlers, blueprints, config and sessions, and the questions the
request flow (:mod:`ctxcore._flow`) asks of them: which hooks run for this request and
in what order, which view, which error handler. :class:`ctxcore.App` adds contexts and
serving (WSGI, and the async dispatch ASGI adapters drive) on top. Flask's ``sansio``
package is the model: app logic that sync and async servers share.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import IO, TYPE_CHECKING, Any, NoReturn, TypeVar

from werkzeug.exceptions import Aborter, BadRequest, BadRequestKeyError, HTTPException
from werkzeug.routing import BuildError, Map, MapAdapter, Rule
from werkzeug.utils import redirect as _redirect

from . import _instance, _templates, _urls
from . import json as _json
from ._async import ensure_sync, gevent_patched, is_async
from ._response import make_response
from ._routing import MatchCache
from ._stacks import stacks_for, top_request_context
from ._static import add_static_route
from .blueprints import Blueprint
from .config import DEFAULTS, Config, ConfigAttribute
from .ctx import RequestContext
from .local import Ident, IdentSpec
from .scaffold import Scaffold
from .sessions import SecureCookieSessionInterface, SessionInterface
from .wrappers import Request, Response

if TYPE_CHECKING:
    from .templating import DispatchingJinjaLoader, Environment

__all__ = ["AppBase"]

F = TypeVar("F", bound=Callable[..., Any])


def _scoped(
    registry: dict[str | None, list[Callable[..., Any]]], scopes: tuple[str | None, ...]
) -> list[Callable[..., Any]]:
    """The functions ``registry`` holds for ``scopes``, in that order."""
    return [func for scope in scopes for func in registry.get(scope, ())]


class AppBase(Scaffold):
    """Routes, hooks, handlers, config and templates of an app, and the lookups made
    per request.

    :param import_name: usually ``__name__``; names the app and its logger.
    :param ident: the ident source of the app's context stacks (``None``: the process
        default). ``"context"`` isolates threads, greenlets and asyncio tasks.
    """

    request_class = Request
    response_class = Response
    #: The provider class behind :attr:`json` (with ``JSON_PROVIDER = "json"``).
    json_provider_class: type[_json.JSONProvider] = _json.DefaultJSONProvider
    #: The werkzeug ``Rule`` class ``add_url_rule`` builds.
    url_rule_class = Rule
    #: The werkzeug ``Map`` class of :attr:`url_map`.
    url_map_class = Map
    #: The class of :attr:`config` (built by :meth:`make_config`).
    config_class = Config
    #: The settings every app starts from (see :data:`ctxcore.config.DEFAULTS`).
    default_config: Mapping[str, Any] = MappingProxyType(DEFAULTS)
    #: The class of :attr:`aborter` (werkzeug's ``Aborter``, or one with the app's own
    #: error classes for some codes).
    aborter_class = Aborter
    #: The environment class :meth:`create_jinja_environment` builds.
    jinja_environment: Any = _templates.EnvironmentClass()
    #: Options for the Jinja environment; read once, when it is built.
    jinja_options: dict[str, Any] = {}  # noqa: RUF012 - Flask's class attribute, replaced not mutated

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
        self.template_context_processors[None].append(_templates.default_context_processor)
        if instance_path is None:
            instance_path = self.auto_find_instance_path()
        elif not os.path.isabs(instance_path):
            raise ValueError(f"instance_path must be absolute, not {instance_path!r}")
        if static_host is not None and not host_matching:
            raise ValueError("static_host needs host_matching=True")
        self.name = name or import_name
        self.instance_path = instance_path
        self.static_host = static_host
        self.subdomain_matching = subdomain_matching
        self.config = self.make_config(instance_relative_config)
        self.url_map = self.url_map_class(host_matching=host_matching)
        self._json: _json.JSONProvider | None = None
        self._json_key: tuple[Any, Any] | None = None
        #: Extensions keep their per-app state here, under their own name.
        self.extensions: dict[str, Any] = {}
        self.blueprints: dict[str, Blueprint] = {}
        self.logger = logging.getLogger(self.name)
        self.session_interface: SessionInterface = SecureCookieSessionInterface()
        self._stacks = stacks_for(ident)
        #: ``func(error, endpoint, values)`` called when ``url_for`` cannot build a URL:
        #: the first that returns a string gives the URL.
        self.url_build_error_handlers: list[Callable[..., Any]] = []
        self.teardown_appcontext_funcs: list[Callable[..., Any]] = []
        self.before_first_request_funcs: list[Callable[..., Any]] = []
        self.startup_funcs: list[Callable[..., Any]] = []
        self.shutdown_funcs: list[Callable[..., Any]] = []
        #: What ``ctxcore.abort()`` raises through while this app is active.
        self.aborter = self.make_aborter()
        self._asgi: Any = None
        self._adapters: dict[tuple[Any, ...], MapAdapter] = {}
        self._matches = MatchCache()
        self._got_first_request = False
        self._first_request_lock = threading.Lock()
        # Built on first render (see ctxcore._templates); what is added before waits here.
        self._jinja_env: Environment | None = None
        self._jinja_pending: list[_templates.Addition] = []
        add_static_route(self)

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: Callable[..., Any] | None = None,
        **options: Any,
    ) -> None:
        """Map URL ``rule`` to ``view_func`` (see :meth:`route`)."""
        self._check_rule(rule, endpoint, view_func)
        _urls.add_url_rule(self, rule, endpoint, view_func, options)

    def endpoint(self, endpoint: str) -> Callable[[F], F]:
        """Decorator: make the function the view of ``endpoint`` (a rule added with
        ``add_url_rule(rule, endpoint)`` and no view)."""

        def decorator(func: F) -> F:
            self.view_functions[endpoint] = func
            return func

        return decorator

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

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """A synchronous callable for ``func``: itself, or an ``async def`` function
        wrapped to run to completion (extensions call hooks through this)."""
        return ensure_sync(func)

    def async_to_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap the ``async def`` function ``func`` to be called synchronously."""
        return ensure_sync(func)

    @property
    def got_first_request(self) -> bool:
        """Whether the ``before_first_request`` hooks have run."""
        return self._got_first_request

    def teardown_appcontext(self, func: F) -> F:
        """Run ``func(error_or_None)`` when each app context is popped."""
        self.teardown_appcontext_funcs.append(func)
        return func

    def register_blueprint(self, blueprint: Blueprint, **options: Any) -> None:
        """Register a blueprint's routes, hooks and handlers (and its nested blueprints).

        Options override the blueprint's own for this registration: ``url_prefix``,
        ``name`` (to register one blueprint twice), ``subdomain``, ``url_defaults``,
        ``cli_group``.
        """
        blueprint.register(self, options)

    def iter_blueprints(self) -> Iterator[Blueprint]:
        """The registered blueprints, in registration order."""
        return iter(self.blueprints.values())

    @property
    def json(self) -> _json.JSONProvider:
        """The app's JSON provider (``dumps``, ``loads``, ``response``), as in Flask.

        Built from the config: ``JSON_PROVIDER`` (``"json"`` — :attr:`json_provider_class`
        —, ``"ujson"``, ``"orjson"``) and ``JSON_SORT_KEYS`` (``None``: the provider's
        default), and rebuilt when they change. Assign a provider to use your own.
        """
        config = self.config
        key = (config["JSON_PROVIDER"], config["JSON_SORT_KEYS"])
        provider = self._json
        if provider is None or (self._json_key is not None and self._json_key != key):
            backend, sort_keys = key
            if backend == "json":
                provider = self.json_provider_class(self)
            else:
                provider = _json.provider.provider_class(backend)(self)
            if sort_keys is not None:
                provider.sort_keys = bool(sort_keys)  # type: ignore[attr-defined]
            self._json, self._json_key = provider, key
        return provider

    @json.setter
    def json(self, provider: _json.JSONProvider) -> None:
        self._json, self._json_key = provider, None  # kept whatever the config says

    def create_url_adapter(self, request: Request | None) -> MapAdapter:
        """The URL adapter for ``request``, or for building URLs outside one.

        Adapters are cached by what they are bound to (host, script root, scheme, server
        name): binding one parses the environ again, and most requests share a few.
        Matching passes the request's own path and method.
        """
        if request is not None:
            key = self.adapter_key(request)
            adapter = self._adapters.get(key)
            if adapter is None:
                if len(self._adapters) >= 64:  # hosts come from clients: stay bounded
                    self._adapters.clear()
                adapter = self._adapters[key] = self._bind(request.environ)
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

    def adapter_key(self, request: Request) -> tuple[Any, ...]:
        """What the URL adapter for ``request`` depends on (adapters are kept by it)."""
        return (*request.adapter_key(), self.config["SERVER_NAME"])

    def _bind(self, environ: dict[str, Any]) -> MapAdapter:
        """A URL adapter for a request's environ, matching hosts and subdomains as the
        app is configured: with host matching, rules carry their host and
        ``SERVER_NAME`` is not used; without subdomain matching, every host is served
        (only ``SERVER_NAME`` names the default one)."""
        server_name = self.config["SERVER_NAME"]
        subdomain = None
        if self.url_map.host_matching:
            server_name = None
        elif not self.subdomain_matching:
            subdomain = self.url_map.default_subdomain or ""
        return self.url_map.bind_to_environ(environ, server_name=server_name, subdomain=subdomain)

    def url_for(
        self,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: Any,
    ) -> str:
        """Build the URL of ``endpoint`` (``".name"`` is relative to the current blueprint).

        Inside a request URLs are relative unless ``_external``; outside one they are
        absolute, built from ``SERVER_NAME``. ``_scheme`` implies ``_external``;
        ``_anchor`` adds a fragment, ``_method`` picks the rule for that method. The
        ``url_defaults`` functions may fill in values first. When no rule matches, the
        ``url_build_error_handlers`` may supply the URL; else werkzeug's ``BuildError``.
        """
        return _urls.url_for(
            self,
            endpoint,
            values,
            anchor=_anchor,
            method=_method,
            scheme=_scheme,
            external=_external,
        )

    def inject_url_defaults(self, endpoint: str, values: dict[str, Any]) -> None:
        """Let the ``url_defaults`` functions fill in ``values`` for ``endpoint``: the
        app's, then those of the endpoint's blueprints (outermost first)."""
        _urls.inject_url_defaults(self, endpoint, values)

    def handle_url_build_error(
        self, error: BuildError, endpoint: str, values: dict[str, Any]
    ) -> str:
        """Ask each of :attr:`url_build_error_handlers` for a URL; re-raise ``error`` when
        none gives one."""
        return _urls.handle_url_build_error(self, error, endpoint, values)

    @property
    def jinja_env(self) -> Environment:
        """The app's Jinja environment, built on first use by :meth:`create_jinja_environment`."""
        return _templates.environment(self)

    @jinja_env.setter
    def jinja_env(self, env: Environment) -> None:
        self._jinja_env = env

    def create_jinja_environment(self) -> Environment:
        """Build the Jinja environment from :attr:`jinja_options`.

        Autoescaping follows :meth:`select_jinja_autoescape`; templates are reloaded
        when changed if ``TEMPLATES_AUTO_RELOAD`` says so (``None``: in debug mode),
        read each time the environment loads a template. The globals ``url_for``,
        ``get_flashed_messages``, ``config``, ``request``, ``session`` and ``g`` are set.
        """
        return _templates.create_environment(self)

    def create_global_jinja_loader(self) -> DispatchingJinjaLoader:
        """The environment's loader: the app's templates, then each blueprint's."""
        return _templates.global_loader(self)

    def select_jinja_autoescape(self, filename: str | None) -> bool:
        """Whether to autoescape a template: HTML, XML and SVG files, and strings."""
        return _templates.select_autoescape(filename)

    def update_template_context(self, context: dict[str, Any]) -> None:
        """Add the context processors' names to ``context`` (in place).

        The app's processors run first, then those of the request's blueprints, outer
        to inner; names already in ``context`` (given to ``render_template``) are kept.
        """
        _templates.update_context(self, context)

    def add_template_filter(self, func: Callable[..., Any], name: str | None = None) -> None:
        """Make ``func`` a template filter named ``name`` (default: its ``__name__``)."""
        _templates.add_to_environment(self, "filters", name or func.__name__, func)

    def template_filter(self, name: str | None = None) -> Callable[[F], F]:
        """Decorator form of :meth:`add_template_filter`."""
        return _templates.decorator(self.add_template_filter, name)

    def add_template_test(self, func: Callable[..., bool], name: str | None = None) -> None:
        """Make ``func`` a template test (``{% if x is name %}``)."""
        _templates.add_to_environment(self, "tests", name or func.__name__, func)

    def template_test(self, name: str | None = None) -> Callable[[F], F]:
        """Decorator form of :meth:`add_template_test`."""
        return _templates.decorator(self.add_template_test, name)

    def add_template_global(self, func: Callable[..., Any], name: str | None = None) -> None:
        """Make ``func`` a global of every template."""
        _templates.add_to_environment(self, "globals", name or func.__name__, func)

    def template_global(self, name: str | None = None) -> Callable[[F], F]:
        """Decorator form of :meth:`add_template_global`."""
        return _templates.decorator(self.add_template_global, name)

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

    # The hooks a request runs, as lists: the flow runs a step only when its list is
    # not empty, so what decides whether a step runs is what the step runs.

    def url_value_hooks(self, ctx: RequestContext) -> Sequence[Callable[..., Any]]:
        """The ``url_value_preprocessor`` functions for this request (app first)."""
        blueprints = ctx.request.blueprints
        if not blueprints:  # the app's own: no scopes to walk
            return self.url_value_preprocessors.get(None, ())
        return _scoped(self.url_value_preprocessors, (None, *reversed(blueprints)))

    def before_hooks(self, ctx: RequestContext) -> Sequence[Callable[..., Any]]:
        """The ``before_request`` hooks for this request, in call order (app first)."""
        blueprints = ctx.request.blueprints
        if not blueprints:
            return self.before_request_funcs.get(None, ())
        return _scoped(self.before_request_funcs, (None, *reversed(blueprints)))

    def after_hooks(self, ctx: RequestContext) -> Sequence[Callable[..., Any]]:
        """``after_this_request`` callbacks, then ``after_request`` hooks, in call order."""
        registry = self.after_request_funcs
        hooks = [*ctx._after_request]
        for scope in (*ctx.request.blueprints, None):
            hooks.extend(reversed(registry.get(scope, ())))
        return hooks

    def match_request(self, ctx: RequestContext) -> None:
        """Route the request: set its rule and view args, or keep the routing error.

        Runs before the hooks, so they know the request's blueprint; the error (404,
        405, redirect) is raised by :meth:`dispatch_request`.
        """
        request = ctx.request
        if request.url_rule is not None or request.routing_exception is not None:
            return  # already routed (the ASGI adapter routes first to pick a path)
        try:
            rule, view_args = self._matches.match(
                self.url_map,
                self.adapter_key(request),
                lambda: ctx.url_adapter,
                request.path,
                request.method,
                request.query_string.decode("latin-1"),
            )
        except HTTPException as exc:
            request.routing_exception = exc
        else:
            request._set_route(rule, view_args)

    def view_for(self, ctx: RequestContext) -> Callable[..., Any] | None:
        """The matched view function, or ``None`` for an automatic OPTIONS answer
        (:meth:`make_default_options_response`).

        Raises the routing error (404, 405, redirect) if matching failed.
        """
        request = ctx.request
        if request.routing_exception is not None:
            self.raise_routing_exception(request)
        rule = request.url_rule
        assert rule is not None
        if request.method == "OPTIONS" and getattr(rule, "provide_automatic_options", False):
            return None
        return self.view_functions[rule.endpoint]

    def auto_find_instance_path(self) -> str:
        """The instance folder when none is given: ``instance`` beside the app's module
        or package (``<prefix>/var/<name>-instance`` for an installed one)."""
        return _instance.find_instance_path(self.import_name, self.root_path)

    def make_config(self, instance_relative: bool = False) -> Config:
        """Build :attr:`config` from :attr:`default_config`; relative file names are
        relative to the instance folder with ``instance_relative``, else the root path."""
        root = self.instance_path if instance_relative else self.root_path
        return self.config_class(root, dict(self.default_config))

    def raise_routing_exception(self, request: Request) -> NoReturn:
        """Raise the error routing left on ``request`` (404, 405, or a redirect)."""
        assert request.routing_exception is not None
        raise request.routing_exception

    def should_ignore_error(self, error: BaseException | None) -> bool:
        """Whether teardown should not see ``error`` (``False``: it always does)."""
        return False

    def redirect(self, location: str, code: int = 302) -> Response:
        """A response redirecting to ``location`` (what ``ctxcore.redirect`` builds
        while this app is active); override to change how redirects are made."""
        return _redirect(location, code=code, Response=self.response_class)  # type: ignore[return-value]

    def make_aborter(self) -> Aborter:
        """Build :attr:`aborter` (an instance of :attr:`aborter_class`)."""
        return self.aborter_class()

    def make_default_options_response(self) -> Response:
        """The answer to an OPTIONS request for a rule that did not ask to handle it: an
        empty response whose ``Allow`` header lists the URL's methods."""
        ctx = top_request_context()
        if ctx is None:
            raise RuntimeError("make_default_options_response() needs an active request")
        response = self.response_class()
        response.allow.update(ctx.url_adapter.allowed_methods(ctx.request.path))
        return response

    def trap_http_exception(self, e: Exception) -> bool:
        """Whether HTTP error ``e`` skips its error handlers and propagates like any
        other error (for a debugger's traceback), as configured by
        ``TRAP_HTTP_EXCEPTIONS`` (every HTTP error) and ``TRAP_BAD_REQUEST_ERRORS``
        (400s; by default a missing form or query key in debug mode)."""
        if self.config["TRAP_HTTP_EXCEPTIONS"]:
            return True
        trap_bad_request = self.config["TRAP_BAD_REQUEST_ERRORS"]
        if trap_bad_request is None:
            return bool(self.debug) and isinstance(e, BadRequestKeyError)
        return bool(trap_bad_request) and isinstance(e, BadRequest)

    def is_async_view(self, ctx: RequestContext) -> bool:
        """Whether the matched view (after :meth:`match_request`) is ``async def``."""
        rule = ctx.request.url_rule
        if rule is None or ctx.request.routing_exception is not None:
            return False
        view = self.view_functions.get(rule.endpoint)
        return view is not None and is_async(view)

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
        # Flask's order: a handler for the code (in any scope) before one for a class.
        codes = (exc.code, None) if isinstance(exc, HTTPException) else (None,)
        spec = self.error_handler_spec
        mro = type(exc).__mro__
        for code in codes:
            for scope in (*blueprints, None):
                by_code = spec.get(scope)
                handlers = by_code.get(code) if by_code else None
                if not handlers:
                    continue
                for cls in mro:
                    handler = handlers.get(cls)
                    if handler is not None:
                        return handler
        return None

    def open_instance_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = "utf-8"
    ) -> IO[Any]:
        """Open a file relative to :attr:`instance_path` (any mode: the instance folder
        is the app's own, writable)."""
        return _instance.open_resource(self.instance_path, resource, mode, encoding)

    def log_exception(self, exc_info: Any) -> None:
        """Log an unhandled error of the active request (``app.logger``, level ERROR);
        override to report errors elsewhere."""
        ctx = top_request_context()
        if ctx is not None:
            request = ctx.request
            self.logger.error(
                "Exception on %s [%s]", request.path, request.method, exc_info=exc_info
            )
        else:
            self.logger.error("Exception outside a request", exc_info=exc_info)

    def __repr__(self) -> str:
        return f"<App {self.name!r}>"
