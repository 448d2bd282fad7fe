"""ctxcore.local: the core — values scoped to the current context, thread or greenlet.

A :class:`Local` stores attributes per *ident*; what an ident is (the current
``contextvars`` context, the OS thread, the current greenlet, or whatever a callable
returns) is chosen per object with ``ident=``. :class:`LocalStack` keeps a stack per
ident, and :class:`LocalProxy` forwards everything to the current value of a Local
attribute, a stack's top, a ``ContextVar`` or a callable. Same names and behaviour as
``werkzeug.local``, plus helpers that carry the current context across thread, executor,
greenlet and task boundaries.

This package imports only the standard library (``greenlet`` lazily, for the greenlet
ident source) and nothing of the request-context engine above it. ``Local``,
``LocalStack`` and ``LocalProxy`` come from ``_c`` (hot paths in C) where that extension
was built, from ``_py`` (pure Python) otherwise or with ``CTXCORE_NO_EXTENSIONS=1``;
:func:`implementation` says which. README.md in this folder explains how they work.
"""

from __future__ import annotations

from ._bodies import ClosingBody, ContextBody
from ._diagnostics import live_idents
from ._ident import Ident, IdentSpec, get_default_ident, resolve_ident, set_default_ident
from ._implementations import Local, LocalProxy, LocalStack, implementation
from ._local import LocalManager, release_local
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
from ._proxy import UNBOUND

__all__ = [
    "UNBOUND",
    "ClosingBody",
    "ContextBody",
    "ContextSnapshot",
    "Ident",
    "IdentSpec",
    "Local",
    "LocalManager",
    "LocalProxy",
    "LocalStack",
    "copy_current_context",
    "create_task",
    "get_default_ident",
    "gevent_spawn",
    "implementation",
    "live_idents",
    "release_local",
    "resolve_ident",
    "run_in_executor",
    "set_default_ident",
    "spawn_greenlet",
    "start_thread",
    "submit",
]
