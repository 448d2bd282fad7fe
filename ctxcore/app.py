"""App: a ctxcore application — contexts, serving and the command line on top of
:class:`AppBase` (Flask's ``Flask`` over ``sansio.App``)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from contextvars import copy_context
from typing import IO, TYPE_CHECKING, Any, TypeVar

from werkzeug.exceptions import HTTPException
from werkzeug.utils import import_string

from . import _cli_app
from ._appbase import AppBase
from ._async import HOME_LOOP, is_async
from ._flow import (
    STEPS,
    CallSync,
    dispatch_flow,
    error_flow,
    exception_flow,
    finalize_flow,
    full_flow,
    http_exception_flow,
    preprocess_flow,
    response_flow,
    run_async,
    run_sync,
    teardown_appcontext_flow,
    teardown_request_flow,
    user_exception_flow,
    view_flow,
)
from ._response import MALFORMED_REQUEST, LoggedStream
from ._stacks import top_app_context, top_request_context
from ._static import keep_file_wrapper
from .ctx import AppContext, RequestContext, _AppCtxGlobals
from .local import ClosingBody, ContextBody
from .testing import PRESERVE_CONTEXT_KEY, EnvironBuilder, TestClient
from .wrappers import Response, plain_wsgi_response

if TYPE_CHECKING:
    from ._cli_group import CliRunner

__all__ = ["App"]

F = TypeVar("F", bound=Callable[..., Any])


class App(AppBase):
    """A WSGI application in Flask's shape, built on ctxcore's contexts (``app.asgi``: ASGI).

    The I/O layer: the WSGI entry point and the async dispatch the ASGI driver runs,
    contexts, the test client and the command line. What it serves (routes, hooks,
    handlers, config, templates) is :class:`~ctxcore._appbase.AppBase`'s.

    :param import_name: usually ``__name__``; names the app and its logger.
    :param ident: the ident source of the app's context stacks (``None``: the process
        default). ``"context"`` isolates threads, greenlets and asyncio tasks.
    :param name: the app's name (default: ``import_name``).
    """

    app_ctx_globals_class = _AppCtxGlobals
    test_client_class = TestClient
    #: The ASGI driver behind :attr:`asgi`: a class taking the App, or its dotted path.
    #: The engine names its default rather than importing it: the server adapters are
    #: the layer above the engine (``ctxcore.adapters``), resolved on first use.
    asgi_class: type[Any] | str = "ctxcore.adapters.asgi:ASGIAdapter"
    #: The class :meth:`test_cli_runner` returns (``None``: :class:`ctxcore.testing.CliRunner`).
    test_cli_runner_class: type[CliRunner] | None = None
    # Flask's steps overridden by this class, and with those set on the instance (see
    # __init_subclass__ and _find_overrides): what the request flow calls as methods.
    _class_overrides: frozenset[str] = frozenset()
    _overridden: frozenset[str] = frozenset()

    @property
    def asgi(self) -> Any:
        """The ASGI 3 callable serving this app (HTTP and lifespan).

        ``uvicorn module:app.asgi`` or ``hypercorn module:app.asgi``. Built by
        ``ctxcore.adapters.asgi`` on first use.
        """
        if self._asgi is None:
            driver = self.asgi_class
            if isinstance(driver, str):
                driver = import_string(driver)
            self._asgi = driver(self)
        return self._asgi

    def app_context(self) -> AppContext:
        """A new app context (``with app.app_context(): ...``)."""
        return AppContext(self)

    def request_context(self, environ: dict[str, Any]) -> RequestContext:
        """A new request context for a WSGI environ.

        Raises ``ValueError`` for an environ no request can be built from (not a dict,
        no usable ``REQUEST_METHOD``); ``wsgi_app`` answers those with a 400.
        """
        if not isinstance(environ, dict):
            raise ValueError(f"a WSGI environ must be a dict, not {type(environ).__name__}")
        method = environ.get("REQUEST_METHOD")
        if not isinstance(method, str) or not method.isalpha():
            raise ValueError(f"malformed REQUEST_METHOD {method!r}")
        return RequestContext(self, environ)

    def scope_request_context(
        self, scope: Any, stream: IO[bytes] | io.RawIOBase, environ_extra: Any = None
    ) -> RequestContext:
        """A new request context for an ASGI HTTP scope whose body reads from
        ``stream`` (the request is built from the scope: see ``Request.from_scope``).

        Raises ``ValueError`` for a scope no request can be built from; the ASGI
        adapter answers those with a 400.
        """
        request = self.request_class.from_scope(scope, stream, environ_extra)
        return RequestContext(self, None, request)

    def test_request_context(self, *args: Any, **kwargs: Any) -> RequestContext:
        """A request context for a request built from werkzeug ``EnvironBuilder`` args."""
        builder = EnvironBuilder(self, *args, **kwargs)
        try:
            return self.request_context(builder.get_environ())
        finally:
            builder.close()

    def test_client(self, use_cookies: bool = True, **kwargs: Any) -> TestClient:
        """A test client for this app (:class:`ctxcore.testing.TestClient`): cookies kept
        between requests, ``session_transaction()``, ``with client:``."""
        return self.test_client_class(
            self, response_wrapper=Response, use_cookies=use_cookies, **kwargs
        )

    def _cli_name(self) -> str | None:
        return self.name

    @property
    def shell_context_processors(self) -> list[Callable[[], dict[str, Any]]]:
        """Functions whose returned dicts add names to ``shell``'s namespace."""
        return _cli_app.shell_processors(self)

    def shell_context_processor(self, func: F) -> F:
        """Register ``func() -> dict`` to add names to the ``shell`` command's namespace."""
        self.shell_context_processors.append(func)
        return func

    def make_shell_context(self) -> dict[str, Any]:
        """The ``shell`` namespace: ``app``, ``g``, ``current_app``, then the processors'."""
        return _cli_app.shell_context(self)

    def test_cli_runner(self, **kwargs: Any) -> CliRunner:
        """A click test runner whose ``invoke()`` runs ``app.cli`` with this app loaded."""
        return _cli_app.cli_runner(self, kwargs)

    def run(
        self,
        host: str | None = None,
        port: int | None = None,
        debug: bool | None = None,
        load_dotenv: bool = True,
        **options: Any,
    ) -> None:
        """Serve the app with werkzeug's development server (not for production).

        :param host: default ``127.0.0.1``, or the host of ``SERVER_NAME``.
        :param port: default ``5000``, or the port of ``SERVER_NAME``.
        :param debug: set :attr:`debug`; debug mode turns on the reloader and debugger.
        :param load_dotenv: load ``.env``/``.flaskenv`` first (with python-dotenv).
        :param options: passed to ``werkzeug.serving.run_simple`` (``threaded`` is on
            by default).

        Under ``python -m ctxcore`` this returns at once: the module was imported by a
        command, and serving here would block it. For production servers use
        ``ctxcore.adapters.serve.serve(app, server=...)``.
        """
        _cli_app.run_app(self, host, port, debug, load_dotenv, options)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """The WSGI entry point; calls :attr:`wsgi_app` (which middleware may replace).

        Each request runs in its own copy of the caller's context, so values a request
        sets (its contexts, any context-ident Local) never reach the next request that a
        thread pool hands the same thread; the body is produced and closed in that copy.
        """
        context = copy_context()
        body = context.run(self.wsgi_app, environ, start_response)
        if type(body) is list:
            return body  # in memory, its request already ended: nothing left to run
        return keep_file_wrapper(environ, body, ContextBody(body, context))

    def wsgi_app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """Handle one request. The contexts stay pushed until the response is closed."""
        try:
            ctx = self.request_context(environ)
        except Exception:
            status, headers, text = self.malformed_request()
            start_response(status, headers)
            return [text]
        ctx.push()
        if PRESERVE_CONTEXT_KEY in environ:  # a test client inside "with client:"
            environ[PRESERVE_CONTEXT_KEY]((top_app_context(), ctx))
        try:
            response = self.dispatch_with_error_handling(ctx)
            plain = None
            if PRESERVE_CONTEXT_KEY not in environ:
                plain = plain_wsgi_response(response, environ)
            if plain is not None and ctx.pop_if_quiet():
                # Nothing to produce, close or tear down later: the request has ended,
                # and the server gets a list.
                start_response(plain[0], plain[1])
                return plain[2]
            body = inner = response(environ, start_response)
            if not response.is_sequence:
                body = LoggedStream(body, self.logger)
        except BaseException as exc:
            self.end_request(ctx, exc)
            raise
        return keep_file_wrapper(environ, inner, ClosingBody(body, lambda: self.end_request(ctx)))

    def end_request(self, ctx: RequestContext, exc: BaseException | None = None) -> None:
        """Pop a served request's context; log teardown errors instead of raising them.

        For servers: by now the response has gone out, so an error in teardown is
        logged (``app.logger``) and must not cost the client its connection. ``exc`` is
        the error that ended the request, if any (default: ``ctx.error``).
        """
        error = self._teardown_error(ctx, exc)
        try:
            ctx.pop(error)
        except Exception:
            self.logger.exception("Error tearing down %r", ctx)

    async def end_request_async(
        self, ctx: RequestContext, call_sync: CallSync, exc: BaseException | None = None
    ) -> None:
        """:meth:`end_request` from an event loop: sync teardown goes to ``call_sync``."""
        error = self._teardown_error(ctx, exc)
        try:
            await ctx.pop_async(error, call_sync)
        except Exception:
            self.logger.exception("Error tearing down %r", ctx)

    def _teardown_error(
        self, ctx: RequestContext, exc: BaseException | None
    ) -> BaseException | None:
        """The error teardown sees: ``exc`` (default ``ctx.error``) unless ignored."""
        error = ctx.error if exc is None else exc
        if error is not None and self.should_ignore_error(error):
            return None
        return error

    def malformed_request(self) -> tuple[str, list[tuple[str, str]], bytes]:
        """The 400 answer to a request no context can be built from: status, headers, body.

        Built without reading the request (it could not be parsed), for every server.
        """
        status, headers, body = MALFORMED_REQUEST
        return status, list(headers), body

    def dispatch_with_error_handling(self, ctx: RequestContext) -> Response:
        """:meth:`full_dispatch_request`, with an unhandled error turned into a 500.

        The error (if any) is kept on ``ctx.error`` for teardown.
        """
        return run_sync(dispatch_flow(self, ctx))

    def body_read_on_loop(self, ctx: RequestContext) -> bool:
        """Whether code on the event loop may read the pushed request's body before its
        response: an ``async def`` view, ``before_request`` hook or URL value
        preprocessor. An ASGI server receives such a body before dispatch; otherwise
        the body is read as the request's sync code asks for it (routes the request)."""
        self.match_request(ctx)
        if self.is_async_view(ctx):
            return True
        # (An app without hooks starts no generator here: this runs per request.)
        hooks = [*self.url_value_hooks(ctx), *self.before_hooks(ctx)]
        return bool(hooks) and any(is_async(func) for func in hooks)

    async def dispatch_async(self, ctx: RequestContext, call_sync: CallSync) -> Response:
        """Handle the pushed request from an event loop; errors become responses.

        ``call_sync(func, *args)`` runs sync code off the loop: the ASGI adapter runs all
        of one request's calls on one worker thread. An ``async def`` view and async
        hooks run on the loop; sync hooks around it go through ``call_sync``, as does a
        sync view with all its hooks (one call) and the first-request hooks. Coroutines
        that sync code starts from there are sent back to this loop.
        """
        # HOME_LOOP (where sync code sends coroutines back) is set before sync code runs,
        # not per request: an async view with async hooks never needs it, and asking for
        # the running loop is a system call (getpid) on some CPythons.
        if not self._got_first_request:
            HOME_LOOP.set(asyncio.get_running_loop())
            try:
                await call_sync(self.run_first_request_hooks)
            except Exception as exc:
                return await run_async(error_flow(self, ctx, exc), call_sync)
        self.match_request(ctx)
        if self.is_async_view(ctx):
            return await run_async(dispatch_flow(self, ctx), call_sync)
        HOME_LOOP.set(asyncio.get_running_loop())
        response: Response = await call_sync(self.dispatch_with_error_handling, ctx)
        return response

    def _current(self, ctx: RequestContext | None) -> RequestContext:
        if ctx is not None:
            return ctx
        current = top_request_context()
        if current is None or current.app is not self:
            raise RuntimeError(f"no request of {self!r} is active: push a request context")
        return current

    # Flask's per-request methods. They are the request flow's steps (ctxcore._flow):
    # one overridden on a subclass or set on the instance is what every server calls
    # for that step; these defaults run the step as the flow would inline.

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._class_overrides = frozenset(
            name for name in STEPS if getattr(cls, name) is not getattr(App, name)
        )
        cls._overridden = cls._class_overrides

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name in STEPS:
            self._find_overrides()

    def __delattr__(self, name: str) -> None:
        super().__delattr__(name)
        if name in STEPS:
            self._find_overrides()

    def _find_overrides(self) -> None:
        # The flow reads one set per request; it changes only when a step is replaced.
        instance = frozenset(name for name in STEPS if name in self.__dict__)
        object.__setattr__(self, "_overridden", self._class_overrides | instance)

    def full_dispatch_request(self, ctx: RequestContext | None = None) -> Response:
        """Run hooks and the view for the active request; return the final response."""
        return run_sync(full_flow(self, self._current(ctx)))

    def preprocess_request(self, ctx: RequestContext | None = None) -> Any:
        """Run ``url_value_preprocessor`` functions and ``before_request`` hooks; the
        first hook's non-None result wins."""
        return run_sync(preprocess_flow(self, self._current(ctx)))

    def dispatch_request(self, ctx: RequestContext | None = None) -> Any:
        """Call the matched view (or raise the routing error)."""
        return run_sync(view_flow(self, self._current(ctx)))

    def finalize_request(
        self, rv: Any, from_error_handler: bool = False, ctx: RequestContext | None = None
    ) -> Response:
        """Make the response from what the view (or a handler) returned and run the
        after hooks on it; from the error path a failing hook is logged, not raised."""
        return run_sync(finalize_flow(self, self._current(ctx), rv, from_error_handler))

    def process_response(self, response: Response, ctx: RequestContext | None = None) -> Response:
        """Run ``after_this_request`` then ``after_request`` hooks; save the session."""
        return run_sync(response_flow(self, self._current(ctx), response))

    def handle_user_exception(self, e: Exception, ctx: RequestContext | None = None) -> Any:
        """Turn an error raised by a hook or view into a response via the handlers
        (re-raised when none takes it)."""
        return run_sync(user_exception_flow(self, self._current(ctx), e))

    def handle_http_exception(self, e: HTTPException, ctx: RequestContext | None = None) -> Any:
        """An HTTP error through its handler; the error itself when it has none."""
        return run_sync(http_exception_flow(self, self._current(ctx), e))

    def handle_exception(self, e: Exception, ctx: RequestContext | None = None) -> Response:
        """An unhandled error: log it, then answer 500 (through a 500 handler if any)."""
        return run_sync(exception_flow(self, self._current(ctx), e))

    def do_teardown_request(self, exc: BaseException | None) -> None:
        """Run every ``teardown_request`` hook of the active request; raise their errors
        together (the request context's last pop does this)."""
        ctx = top_request_context()
        if ctx is not None:
            run_sync(teardown_request_flow(self, ctx, exc))

    def do_teardown_appcontext(self, exc: BaseException | None) -> None:
        """Run every ``teardown_appcontext`` hook; raise their errors together."""
        run_sync(teardown_appcontext_flow(self, exc))
