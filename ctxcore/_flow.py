"""The request flow, written once and driven two ways (sync for WSGI, async for ASGI).

Each step of handling a request — ``before_request`` hooks, the view, error handlers,
``after_request`` hooks, the 500 path — is a generator that does no I/O and calls no
user code itself. Where it needs a hook, view or handler run, it *yields* a call::

    result = yield func, args, kwargs

and the driver runs it: :func:`run_sync` calls it (an ``async def`` one runs to
completion through :func:`ensure_sync`), :func:`run_async` awaits a coroutine on the
running loop. The driver sends the result back in, or throws the call's exception in,
so the step's own ``try``/``except`` decides what an error means. The ordering and
error rules therefore exist once, whichever kind of server drives them.

Every exception is thrown back in, ``BaseException`` included (``KeyboardInterrupt``,
an ``asyncio.CancelledError`` while a coroutine is awaited): steps catch only
``Exception``, so the others pass through them, but their ``finally`` blocks (popping
a context) still run at once, in the right context, rather than whenever the
abandoned generator would be collected. A step's ``finally`` may itself yield calls
(teardown after a failed request): the driver runs them, then the pending exception
goes on.

Teardown is a flow too (:func:`teardown_request_flow`, :func:`callbacks_flow`), so an
ASGI server can run sync teardown where it ran the request's other sync code.
"""

from __future__ import annotations

import inspect
import sys
from asyncio import CancelledError, get_running_loop
from collections.abc import Awaitable, Callable, Generator, Iterable, Sequence
from types import CoroutineType
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from werkzeug.exceptions import BadRequestKeyError, HTTPException, InternalServerError
from werkzeug.routing import RoutingException
from werkzeug.wrappers import Response as BaseResponse

from ._async import HOME_LOOP, ensure_sync, is_async
from .signals import (
    appcontext_tearing_down,
    got_request_exception,
    request_finished,
    request_started,
    request_tearing_down,
)

if sys.version_info >= (3, 11):
    _ExceptionGroup = ExceptionGroup  # noqa: F821 - a builtin from 3.11
else:  # pragma: no cover - exercised on 3.10 only
    from exceptiongroup import ExceptionGroup as _ExceptionGroup  # type: ignore[import-not-found,unused-ignore]

if TYPE_CHECKING:
    from .app import App
    from .ctx import RequestContext
    from .wrappers import Response

__all__ = [
    "STEPS",
    "Call",
    "CallSync",
    "Flow",
    "call_all",
    "callbacks_flow",
    "dispatch_flow",
    "error_flow",
    "exception_flow",
    "finalize_flow",
    "full_flow",
    "http_exception_flow",
    "preprocess_flow",
    "raise_together",
    "response_flow",
    "run_async",
    "run_sync",
    "signal_call",
    "teardown_appcontext_flow",
    "teardown_appcontext_funcs",
    "teardown_flow",
    "teardown_request_flow",
    "teardown_request_funcs",
    "user_exception_flow",
    "view_flow",
]

R = TypeVar("R")

#: A call a step asks its driver to make: ``(func, args, kwargs)``.
Call: TypeAlias = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]
#: A step: yields calls, receives their results, returns its own result.
Flow: TypeAlias = Generator[Call, Any, R]
#: ``call_sync(func, *args, **kwargs)``: make a synchronous call somewhere else (an
#: ASGI adapter's worker thread) and await its result.
CallSync: TypeAlias = Callable[..., Awaitable[Any]]

_NO_KWARGS: dict[str, Any] = {}
#: Results that are never awaitable: asked first, the common answers skip inspect's
#: checks (an ABC instance check for anything else).
_PLAIN = frozenset({str, bytes, dict, list, tuple, int, bool, type(None)})

#: Flask's per-request methods that are the flow's steps. One overridden on an App
#: subclass, or set on an instance (as Flask-RESTX does with ``handle_exception``), is
#: called where the flow would run that step inline; its default runs the same step.
STEPS = frozenset(
    {
        "dispatch_request",
        "finalize_request",
        "full_dispatch_request",
        "handle_exception",
        "handle_http_exception",
        "handle_user_exception",
        "preprocess_request",
        "process_response",
    }
)


def signal_call(signal: Any, sender: Any, **kwargs: Any) -> Call:
    """The call that sends ``signal`` (asked only when it has receivers), so a driver
    runs receivers where it runs the request's other sync code; ``async def``
    receivers are run to completion there."""
    kwargs["_async_wrapper"] = ensure_sync
    return signal.send, (sender,), kwargs


def run_sync(flow: Flow[R]) -> R:
    """Drive ``flow`` in the calling thread; return what it returns."""
    send = flow.send
    try:
        func, args, kwargs = next(flow)
        while True:
            try:
                result = ensure_sync(func)(*args, **kwargs)
            except BaseException as exc:
                func, args, kwargs = flow.throw(exc)
            else:
                func, args, kwargs = send(result)
    except StopIteration as stop:
        value: R = stop.value
        return value


async def run_async(flow: Flow[R], call_sync: CallSync | None = None) -> R:
    """Drive ``flow`` on the running loop.

    ``async def`` calls are awaited on the loop. Plain calls go to ``call_sync`` when
    given (off the loop), else are made inline; an awaitable they return is awaited.
    """
    send = flow.send
    home = call_sync is None  # whether HOME_LOOP is set for sync code (see dispatch_async)
    try:
        func, args, kwargs = next(flow)
        while True:
            try:
                if call_sync is None or is_async(func):
                    result = func(*args, **kwargs)
                else:
                    if not home:
                        HOME_LOOP.set(get_running_loop())
                        home = True
                    result = await call_sync(func, *args, **kwargs)
                kind = type(result)
                if kind is CoroutineType or (
                    kind not in _PLAIN
                    and not isinstance(result, BaseResponse)
                    and inspect.isawaitable(result)
                ):
                    result = await result
            except BaseException as exc:
                func, args, kwargs = flow.throw(exc)
            else:
                func, args, kwargs = send(result)
    except StopIteration as stop:
        value: R = stop.value
        return value


def call_all(funcs: Iterable[Callable[..., Any]], *args: Any) -> Flow[list[Exception]]:
    """Call every one of ``funcs`` even if some raise; return their errors.

    A ``BaseException`` that is not an ``Exception`` (``KeyboardInterrupt``,
    ``SystemExit``) does not skip the callbacks after it either — they release
    resources — and is raised once all have run (the errors of the others as its
    context). Two are raised at once: ``GeneratorExit`` (the flow itself is being
    closed, and must not go on) and ``asyncio.CancelledError`` (the task running the
    request was cancelled, and must stop at its next await).
    """
    errors: list[Exception] = []
    stopping: BaseException | None = None
    for func in funcs:
        try:
            yield func, args, _NO_KWARGS
        except Exception as exc:
            errors.append(exc)
        except (GeneratorExit, CancelledError):
            raise
        except BaseException as exc:
            if stopping is None:
                stopping = exc
    if stopping is not None:
        if errors:
            stopping.__context__ = _ExceptionGroup("teardown callbacks raised", errors)
        raise stopping
    return errors


def callbacks_flow(funcs: Iterable[Callable[..., Any]], *args: Any, message: str) -> Flow[None]:
    """Call every one of ``funcs`` (see :func:`call_all`); raise their errors together."""
    raise_together((yield from call_all(funcs, *args)), message)


def teardown_flow(
    funcs: Iterable[Callable[..., Any]],
    exc: BaseException | None,
    signal: Any,
    sender: Any,
    *,
    message: str,
) -> Flow[None]:
    """Teardown callbacks (see :func:`callbacks_flow`), then ``signal`` (``exc=exc``) if
    anyone listens; errors of callbacks and receivers are raised together after."""
    errors = yield from call_all(funcs, exc)
    if signal.receivers:
        try:
            yield signal_call(signal, sender, exc=exc)
        except Exception as error:
            errors.append(error)
    raise_together(errors, message)


def raise_together(errors: list[Exception], message: str) -> None:
    """Raise nothing, the one error, or an ``ExceptionGroup`` of several."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise _ExceptionGroup(message, errors)


def teardown_request_funcs(app: App, ctx: RequestContext) -> list[Callable[..., Any]]:
    """The ``teardown_request`` callbacks for ``ctx``, in call order (blueprints first)."""
    registry = app.teardown_request_funcs
    blueprints = ctx.request.blueprints
    if not blueprints:
        return registry[None][::-1] if None in registry else []
    return [func for scope in (*blueprints, None) for func in reversed(registry.get(scope, ()))]


def teardown_appcontext_funcs(app: App) -> list[Callable[..., Any]]:
    """The ``teardown_appcontext`` callbacks, in call order (last registered first)."""
    return app.teardown_appcontext_funcs[::-1]


def teardown_request_flow(app: App, ctx: RequestContext, exc: BaseException | None) -> Flow[None]:
    """Every ``teardown_request`` callback for ``ctx``; their errors raised together."""
    funcs = teardown_request_funcs(app, ctx)
    yield from teardown_flow(
        funcs, exc, request_tearing_down, app, message="teardown_request callbacks raised"
    )


def teardown_appcontext_flow(app: App, exc: BaseException | None) -> Flow[None]:
    """Every ``teardown_appcontext`` callback; their errors raised together."""
    funcs = teardown_appcontext_funcs(app)
    yield from teardown_flow(
        funcs, exc, appcontext_tearing_down, app, message="teardown_appcontext callbacks raised"
    )


def preprocess_flow(
    app: App,
    ctx: RequestContext,
    url_value_hooks: Sequence[Callable[..., Any]] | None = None,
    before_hooks: Sequence[Callable[..., Any]] | None = None,
) -> Flow[Any]:
    """``preprocess_request``: ``url_value_preprocessor`` functions, then
    ``before_request`` hooks, app first; the first hook's non-None result wins.

    The hooks are looked up unless the caller already did.
    """
    request = ctx.request
    if url_value_hooks is None:
        url_value_hooks = app.url_value_hooks(ctx)
    for func in url_value_hooks:
        yield func, (request.endpoint, request.view_args), _NO_KWARGS
    if before_hooks is None:
        before_hooks = app.before_hooks(ctx)
    for func in before_hooks:
        rv = yield func, (), _NO_KWARGS
        if rv is not None:
            return rv
    return None


def view_flow(app: App, ctx: RequestContext) -> Flow[Any]:
    """``dispatch_request``: the matched view, or the automatic OPTIONS response;
    raises the routing error (404, 405, redirect)."""
    view = app.view_for(ctx)
    if view is None:
        return (yield app.make_default_options_response, (), _NO_KWARGS)
    return (yield view, (), ctx.request.view_args or _NO_KWARGS)


def user_exception_flow(app: App, ctx: RequestContext, exc: Exception) -> Flow[Any]:
    """``handle_user_exception``: an error from a hook or view, through its handler.

    HTTP errors go to ``handle_http_exception`` unless trapped; another error with no
    handler is re-raised (it becomes a 500).
    """
    if isinstance(exc, BadRequestKeyError) and not (
        app.debug or app.config["TRAP_BAD_REQUEST_ERRORS"]
    ):
        exc.show_exception = False  # the missing key is not told to the client
    if isinstance(exc, HTTPException) and not app.trap_http_exception(exc):
        if "handle_http_exception" in app._overridden:
            return (yield app.handle_http_exception, (exc,), _NO_KWARGS)
        return (yield from http_exception_flow(app, ctx, exc))
    handler = app.find_error_handler(exc, ctx.request.blueprints)
    if handler is None:
        raise exc
    return (yield handler, (exc,), _NO_KWARGS)


def http_exception_flow(app: App, ctx: RequestContext, exc: HTTPException) -> Flow[Any]:
    """``handle_http_exception``: an HTTP error through its handler, else itself.

    Codeless errors and routing redirects are answered as they are.
    """
    if exc.code is None or isinstance(exc, RoutingException):
        return exc
    handler = app.find_error_handler(exc, ctx.request.blueprints)
    if handler is None:
        return exc
    return (yield handler, (exc,), _NO_KWARGS)


def response_flow(
    app: App,
    ctx: RequestContext,
    response: Response,
    after_hooks: Sequence[Callable[..., Any]] | None = None,
) -> Flow[Response]:
    """``process_response``: ``after_this_request`` callbacks then ``after_request``
    hooks; save the session. The hooks are looked up unless the caller already did."""
    for func in app.after_hooks(ctx) if after_hooks is None else after_hooks:
        response = yield func, (response,), _NO_KWARGS
    if ctx.session_opened:  # (a request that never touched its session saves none)
        app.save_session(ctx, response)
    return response


def finalize_flow(
    app: App, ctx: RequestContext, rv: Any, from_error_handler: bool = False
) -> Flow[Response]:
    """``finalize_request``: the response made from ``rv``, after hooks run on it.

    From the error path (``from_error_handler``) a failing after hook is logged and
    the response sent as it is.
    """
    response = app.make_response(rv)
    try:
        if "process_response" in app._overridden:
            response = yield app.process_response, (response,), _NO_KWARGS
        else:
            hooks = app.after_hooks(ctx)
            if hooks:
                response = yield from response_flow(app, ctx, response, hooks)
            elif ctx._session is not None:  # the session was opened: save it
                app.save_session(ctx, response)
        if request_finished.receivers:
            yield signal_call(request_finished, app, response=response)
    except Exception:
        if not from_error_handler:
            raise
        app.logger.exception("after_request hook failed while handling an error")
    return response


def exception_flow(app: App, ctx: RequestContext, exc: Exception) -> Flow[Response]:
    """``handle_exception``: an unhandled error logged, then answered 500 (through a
    500 handler if any).

    Re-raises ``exc`` when ``PROPAGATE_EXCEPTIONS`` (or testing/debug) says so.
    """
    if got_request_exception.receivers:
        yield signal_call(got_request_exception, app, exception=exc)
    propagate = app.config["PROPAGATE_EXCEPTIONS"]
    if propagate is None:
        propagate = app.testing or app.debug
    if propagate:
        raise exc
    app.log_exception((type(exc), exc, exc.__traceback__))
    rv: Any = InternalServerError(original_exception=exc)
    handler = app.find_error_handler(rv, ctx.request.blueprints)
    if handler is not None:
        rv = yield handler, (rv,), _NO_KWARGS
    if "finalize_request" in app._overridden:
        finalized: Response = yield app.finalize_request, (rv,), {"from_error_handler": True}
        return finalized
    return (yield from finalize_flow(app, ctx, rv, from_error_handler=True))


def full_flow(app: App, ctx: RequestContext) -> Flow[Response]:
    """``full_dispatch_request``: first-request hooks, routing, hooks, view, handlers
    and after hooks. An error no handler takes propagates.

    Each of Flask's steps overridden on the app (a subclass's method, or one set on
    the instance: ``App._overridden``) is called as a step; the others run inline.
    """
    if not app.got_first_request:
        yield app.run_first_request_hooks, (), _NO_KWARGS
    app.match_request(ctx)
    overridden = app._overridden
    try:
        if request_started.receivers:
            yield signal_call(request_started, app)
        rv = None
        if "preprocess_request" in overridden:
            rv = yield app.preprocess_request, (), _NO_KWARGS
        else:
            url_value_hooks = app.url_value_hooks(ctx)
            before_hooks = app.before_hooks(ctx)
            if url_value_hooks or before_hooks:
                rv = yield from preprocess_flow(app, ctx, url_value_hooks, before_hooks)
        if rv is None:
            if "dispatch_request" in overridden:
                rv = yield app.dispatch_request, (), _NO_KWARGS
            else:
                rv = yield from view_flow(app, ctx)
    except Exception as exc:
        if "handle_user_exception" in overridden:
            rv = yield app.handle_user_exception, (exc,), _NO_KWARGS
        else:
            rv = yield from user_exception_flow(app, ctx, exc)
    if "finalize_request" in overridden:
        finalized: Response = yield app.finalize_request, (rv,), _NO_KWARGS
        return finalized
    return (yield from finalize_flow(app, ctx, rv))


def error_flow(app: App, ctx: RequestContext, exc: Exception) -> Flow[Response]:
    """An error no handler took: kept on ``ctx.error`` for teardown, answered by
    ``handle_exception``."""
    ctx.error = exc
    if "handle_exception" in app._overridden:
        rv = yield app.handle_exception, (exc,), _NO_KWARGS
        # Flask needs a Response here; anything a view may return is made into one.
        return rv if isinstance(rv, app.response_class) else app.make_response(rv)
    return (yield from exception_flow(app, ctx, exc))


def dispatch_flow(app: App, ctx: RequestContext) -> Flow[Response]:
    """A request from start to response: ``full_dispatch_request``, with an error
    it lets through answered by ``handle_exception`` (see :func:`error_flow`)."""
    try:
        if "full_dispatch_request" in app._overridden:
            rv = yield app.full_dispatch_request, (), _NO_KWARGS
            return rv if isinstance(rv, app.response_class) else app.make_response(rv)
        return (yield from full_flow(app, ctx))
    except Exception as exc:
        return (yield from error_flow(app, ctx, exc))
