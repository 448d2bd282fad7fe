"""The ``current_app``, ``g``, ``request`` and ``session`` proxies.

Each looks up the active context in every pair of the engine's stacks in use (see
:mod:`ctxcore._stacks`), so one process can serve Apps built on different ident sources.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._stacks import top_app_context, top_request_context
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


# The lookups return the core's unbound marker instead of raising, so the
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
