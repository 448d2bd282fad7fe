"""The ``current_app``, ``g``, ``request`` and ``session`` proxies.

Each reads its attribute of the top of the default ident source's stack (all in C with
the C core: no Python frame per access); when that stack is empty, it looks up the active
context in every pair of the engine's stacks in use (see :mod:`ctxcore._stacks`), so one
process can serve Apps built on different ident sources.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._stacks import stacks_for, top_app_context, top_request_context
from .local import UNBOUND as _UNBOUND
from .local import LocalProxy

if TYPE_CHECKING:
    from .app import App
    from .ctx import _AppCtxGlobals
    from .sessions import SessionMixin
    from .wrappers import Request

__all__ = ["current_app", "g", "request", "session"]


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


# The fallbacks return the core's unbound marker instead of raising, so the
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


_default = stacks_for(None)

#: The application handling the current request or app context.
current_app: App = LocalProxy(  # type: ignore[assignment]
    _default.app, "app", fallback=_app, unbound_message=_NO_APP
)
#: Scratch space for the current app context (one per request).
g: _AppCtxGlobals = LocalProxy(  # type: ignore[assignment]
    _default.app, "g", fallback=_g, unbound_message=_NO_APP
)
#: The current request.
request: Request = LocalProxy(  # type: ignore[assignment]
    _default.request, "request", fallback=_request, unbound_message=_NO_REQUEST
)
#: The current request's session (a property of the context: opened on first use).
session: SessionMixin = LocalProxy(  # type: ignore[assignment]
    _default.request, "session", fallback=_session, unbound_message=_NO_REQUEST
)
