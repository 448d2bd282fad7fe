"""Dispatch on the event loop, for requests whose view is ``async def`` (ASGI).

The same flow as ``App.full_dispatch_request``, built from the same pieces (hook order,
view lookup, error-handler lookup, session saving): coroutine hooks and handlers are
awaited, plain ones are called inline on the loop, so keep those short.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from ._response import make_response

if TYPE_CHECKING:
    from ._app import App
    from ._ctx import RequestContext
    from ._wrappers import Response

__all__ = ["full_dispatch_async", "is_async_view"]


async def _call(func: Any, *args: Any, **kwargs: Any) -> Any:
    result = func(*args, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    return result


def is_async_view(app: App, ctx: RequestContext) -> bool:
    """Whether the matched view (after :meth:`App.match_request`) is a coroutine function."""
    rule = ctx.request.url_rule
    if rule is None or ctx.request.routing_exception is not None:
        return False
    return inspect.iscoroutinefunction(app.view_functions.get(rule.endpoint))


async def full_dispatch_async(app: App, ctx: RequestContext) -> Response:
    """Hooks and view for the active request, on the loop; errors become responses.

    The caller has run the first-request hooks and :meth:`App.match_request`.
    """
    try:
        try:
            rv = None
            for func in app.before_hooks(ctx):
                rv = await _call(func)
                if rv is not None:
                    break
            if rv is None:
                view = app.view_for(ctx)
                rv = (
                    view
                    if not callable(view)
                    else await _call(view, **(ctx.request.view_args or {}))
                )
        except Exception as exc:
            handler = app.user_error_handler(ctx, exc)
            rv = exc if handler is None else await _call(handler, exc)
        response = make_response(app, rv)
        for func in app.after_hooks(ctx):
            response = await _call(func, response)
        app.save_session(ctx, response)
        return response
    except Exception as exc:
        ctx.error = exc
        return app.handle_exception(ctx, exc)
