"""ctxcore: request-scoped globals that are correct and fast under every concurrency model.

The core is a :class:`Local` whose ident source is pluggable (the current
``contextvars`` context, the OS thread, the current greenlet, or any callable), with
:class:`LocalStack` and :class:`LocalProxy` on top: drop-in for ``werkzeug.local``. It
imports only the standard library.

The request-context engine (``App``, ``Blueprint``, ``request``, ``session``, ``g``,
``current_app``, ...) is loaded on first use: it needs werkzeug and itsdangerous.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._diagnostics import live_idents
from ._ident import get_default_ident, set_default_ident
from ._local import Local, LocalManager, release_local
from ._propagation import (
    ContextSnapshot,
    copy_current_context,
    create_task,
    gevent_spawn,
    run_in_executor,
    spawn_greenlet,
    start_thread,
    submit,
)
from ._proxy import LocalProxy
from ._stack import LocalStack

if TYPE_CHECKING:
    from werkzeug.exceptions import abort
    from werkzeug.utils import redirect

    from ._app import App
    from ._blueprints import Blueprint
    from ._config import Config
    from ._ctx import AppContext, RequestContext
    from ._globals import current_app, g, request, session
    from ._helpers import (
        after_this_request,
        copy_current_request_context,
        has_app_context,
        has_request_context,
        jsonify,
        stream_with_context,
        url_for,
    )
    from ._sessions import (
        NullSession,
        SecureCookieSession,
        SecureCookieSessionInterface,
        SessionInterface,
        SessionMixin,
    )
    from ._wrappers import Request, Response

# Engine names, imported when first used so that "import ctxcore" stays stdlib-only.
_LAZY = {
    "App": "._app",
    "AppContext": "._ctx",
    "Blueprint": "._blueprints",
    "Config": "._config",
    "NullSession": "._sessions",
    "Request": "._wrappers",
    "RequestContext": "._ctx",
    "Response": "._wrappers",
    "SecureCookieSession": "._sessions",
    "SecureCookieSessionInterface": "._sessions",
    "SessionInterface": "._sessions",
    "SessionMixin": "._sessions",
    "abort": "werkzeug.exceptions",
    "after_this_request": "._helpers",
    "copy_current_request_context": "._helpers",
    "current_app": "._globals",
    "g": "._globals",
    "has_app_context": "._helpers",
    "has_request_context": "._helpers",
    "jsonify": "._helpers",
    "redirect": "werkzeug.utils",
    "request": "._globals",
    "session": "._globals",
    "stream_with_context": "._helpers",
    "url_for": "._helpers",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ctxcore' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "App",
    "AppContext",
    "Blueprint",
    "Config",
    "ContextSnapshot",
    "Local",
    "LocalManager",
    "LocalProxy",
    "LocalStack",
    "NullSession",
    "Request",
    "RequestContext",
    "Response",
    "SecureCookieSession",
    "SecureCookieSessionInterface",
    "SessionInterface",
    "SessionMixin",
    "abort",
    "after_this_request",
    "copy_current_context",
    "copy_current_request_context",
    "create_task",
    "current_app",
    "g",
    "get_default_ident",
    "gevent_spawn",
    "has_app_context",
    "has_request_context",
    "jsonify",
    "live_idents",
    "redirect",
    "release_local",
    "request",
    "run_in_executor",
    "session",
    "set_default_ident",
    "spawn_greenlet",
    "start_thread",
    "stream_with_context",
    "submit",
    "url_for",
]
