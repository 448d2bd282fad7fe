"""ctxcore: request-scoped globals that are correct and fast under every concurrency model.

The core is a :class:`Local` whose ident source is pluggable (the current
``contextvars`` context, the OS thread, the current greenlet, or any callable), with
:class:`LocalStack` and :class:`LocalProxy` on top: drop-in for ``werkzeug.local``.
"""

from __future__ import annotations

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

__all__ = [
    "ContextSnapshot",
    "Local",
    "LocalManager",
    "LocalProxy",
    "LocalStack",
    "copy_current_context",
    "create_task",
    "get_default_ident",
    "gevent_spawn",
    "live_idents",
    "release_local",
    "run_in_executor",
    "set_default_ident",
    "spawn_greenlet",
    "start_thread",
    "submit",
]
