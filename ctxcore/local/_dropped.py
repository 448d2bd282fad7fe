"""Dropped Locals' variables: their context values go at a safe point, not in a finalizer.

A dropped Local's finalizer empties its storages at once (``Tracker.release``), but the
context it was used in still publishes the (now empty) storage under the Local's
``ContextVar``; setting that variable to ``None`` frees it. The finalizer must not do that
itself: it runs wherever the garbage collector runs, and on CPython 3.10 and 3.11 a
collection can start inside a ``ContextVar.set`` (the set allocates the nodes of the
context's new tree, and an allocation can start a collection). A second
``ContextVar.set`` made there replaces, and may free, the tree the first one is still
copying: a crash (python/cpython#148891 and its family; 3.12 moved collections to points
between bytecodes, where no set is under way).

So the finalizer only queues the variable (``list.append`` allocates nothing the collector
tracks, so it cannot start a collection), and :func:`let_go` sets the queued variables to
``None`` in the current context at the next safe point: the next Local or LocalStack
built, and the next release (``release_local``, ``__release_local__``). The queue holds
the variables alone, not their slots, which would keep each Local's classes alive (and
ageing into the collector's oldest generation) until then. A loop that creates and drops
Locals never queues more than the Locals one collection frees. On CPython < 3.12 a
``gc.callbacks`` hook marks the collections, and :func:`let_go` waits while one runs: a
Local built inside a ``__del__`` there would otherwise set a variable inside a collection.
"""

from __future__ import annotations

import gc
import sys
from contextvars import ContextVar
from typing import Any

__all__ = ["defer", "let_go", "pending"]

#: The variables of collected Locals, waiting for :func:`let_go`. Read directly (``if
#: pending:``) where a drain is cheap to skip.
pending: list[ContextVar[Any]] = []

# Whether a garbage collection is running (kept on CPython < 3.12 only, where one may
# start inside a ContextVar.set; elsewhere it never is at a point that reaches let_go).
_collecting = False


def defer(var: ContextVar[Any]) -> None:
    """Queue ``var``, whose Local was collected, for :func:`let_go` (safe in a finalizer)."""
    pending.append(var)


def let_go() -> None:
    """Set every queued variable that holds a value here to ``None``, and empty the queue.

    The current context lets go of the emptied storage the Local left; other contexts
    keep theirs until they end. Does nothing while a collection runs (see the module
    docstring); the next call does the work.
    """
    while not _collecting:
        try:
            var = pending.pop()
        except IndexError:  # another thread may empty the queue between a test and a pop
            return
        if var.get(None) is not None:
            var.set(None)


def _watch(phase: str, info: dict[str, Any]) -> None:
    global _collecting
    _collecting = phase == "start"


if sys.version_info < (3, 12):
    gc.callbacks.append(_watch)
