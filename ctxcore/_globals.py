"""The engine's stacks and the ``current_app``, ``g``, ``request`` and ``session`` proxies.

Each ident source an App uses gets its own pair of stacks (app contexts, request
contexts); the proxies look in every pair in use, the most recently registered first,
so one process can serve Apps built on different ident sources.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from ._ident import Ident, resolve_ident
from ._proxy import _UNBOUND, LocalProxy
from ._stack import LocalStack

if TYPE_CHECKING:
    from ._app import App
    from ._ctx import AppContext, RequestContext, _AppCtxGlobals
    from ._sessions import SessionMixin
    from ._wrappers import Request

__all__ = ["current_app", "g", "request", "session"]


class _Stacks:
    """The app-context and request-context stacks of one ident source."""

    __slots__ = ("app", "ident", "request")

    def __init__(self, ident: Ident) -> None:
        self.ident = ident
        self.app: LocalStack[AppContext] = LocalStack(ident=ident)
        self.request: LocalStack[RequestContext] = LocalStack(ident=ident)


_registry: dict[Any, _Stacks] = {}
_order: list[_Stacks] = []
_lock = threading.Lock()


def stacks_for(ident: object) -> _Stacks:
    """Return (creating once) the stacks for ``ident`` (``None`` = the default source)."""
    resolved = resolve_ident(ident)
    found = _registry.get(resolved)
    if found is not None:
        return found
    with _lock:
        found = _registry.get(resolved)
        if found is None:
            found = _registry[resolved] = _Stacks(resolved)
            _order.insert(0, found)
        return found


def top_app_context() -> AppContext | None:
    """The active app context for the current ident, if any."""
    for stacks in _order:
        ctx = stacks.app.top
        if ctx is not None:
            return ctx
    return None


def top_request_context() -> RequestContext | None:
    """The active request context for the current ident, if any."""
    for stacks in _order:
        ctx = stacks.request.top
        if ctx is not None:
            return ctx
    return None


_NO_APP = (
    "Working outside of application context: there is no active app here. Push one with "
    "'with app.app_context():' (a request context pushes one too), carry the current one "
    "into this thread, greenlet or task with ctxcore.copy_current_context(), or pass the "
    "app explicitly."
)
_NO_REQUEST = (
    "Working outside of request context: there is no active request here. Use "
    "'with app.test_request_context():' in tests or scripts, wrap work handed to another "
    "thread, greenlet or task with copy_current_request_context, or pass the values you "
    "need from the request explicitly."
)


# The lookups return the proxy module's unbound marker instead of raising, so the
# globals get the unbound fallbacks (falsy, "<LocalProxy unbound>") and the message.
def _app() -> App:
    ctx = top_app_context()
    return _UNBOUND if ctx is None else ctx.app


def _g() -> _AppCtxGlobals:
    ctx = top_app_context()
    return _UNBOUND if ctx is None else ctx.g


def _request() -> Request:
    ctx = top_request_context()
    return _UNBOUND if ctx is None else ctx.request


def _session() -> SessionMixin:
    ctx = top_request_context()
    return _UNBOUND if ctx is None else ctx.session


#: The application handling the current request or app context.
current_app: App = LocalProxy(_app, unbound_message=_NO_APP)  # type: ignore[assignment]
#: Scratch space for the current app context (one per request).
g: _AppCtxGlobals = LocalProxy(_g, unbound_message=_NO_APP)  # type: ignore[assignment]
#: The current request.
request: Request = LocalProxy(_request, unbound_message=_NO_REQUEST)  # type: ignore[assignment]
#: The current request's session.
session: SessionMixin = LocalProxy(_session, unbound_message=_NO_REQUEST)  # type: ignore[assignment]
