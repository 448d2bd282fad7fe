"""Slots of dropped Locals: their context values go at a safe point, not in a finalizer.

A dropped Local's finalizer empties its storages at once (``Tracker.release``), but the
context it was used in still publishes the (now empty) storage under the Local's
``ContextVar``; setting that variable to ``None`` frees it. The finalizer must not do that
itself: it runs wherever the garbage collector runs, and on CPython 3.10 and 3.11 a
collection can start inside a ``ContextVar.set`` (the set allocates the nodes of the
context's new tree, and an allocation can start a collection). A second
``ContextVar.set`` made there replaces, and may free, the tree the first one is still
copying: a crash (python/cpython#148891 and its family; 3.12 moved collections to points
between bytecodes, where no set is under way).

So the finalizer only queues the slot (``list.append`` allocates nothing the collector
tracks, so it cannot start a collection), and :func:`let_go` forgets the queued slots in
the current context at the next safe point: the next Local or LocalStack built, and the
next release (``release_local``, ``__release_local__``). A loop that creates and drops
Locals thus never holds more than one dropped Local's slot. On CPython < 3.12 a
``gc.callbacks`` hook marks the collections, and :func:`let_go` waits while one runs: a
Local built inside a ``__del__`` there would otherwise set a variable inside a collection.
"""

from __future__ import annotations

import gc
import sys
from typing import Any

from ._slots import ContextSlot

__all__ = ["defer", "let_go", "pending"]

#: Slots whose Local was collected, waiting for :func:`let_go`. Read directly (``if
#: pending:``) where a drain is cheap to skip.
pending: list[ContextSlot] = []

# Whether a garbage collection is running (kept on CPython < 3.12 only, where one may
# start inside a ContextVar.set; elsewhere it never is at a point that reaches let_go).
_collecting = False


def defer(slot: ContextSlot) -> None:
    """Queue ``slot``, whose Local was collected, for :func:`let_go` (safe in a finalizer)."""
    pending.append(slot)


def let_go() -> None:
    """Forget, in the current context, every queued slot: its value there becomes ``None``.

    Other contexts keep the emptied storage they hold until they end. Does nothing while
    a collection runs (see the module docstring); the next call does the work.
    """
    while not _collecting:
        try:
            slot = pending.pop()
        except IndexError:  # another thread may empty the queue between a test and a pop
            return
        slot.forget()


def _watch(phase: str, info: dict[str, Any]) -> None:
    global _collecting
    _collecting = phase == "start"


if sys.version_info < (3, 12):
    gc.callbacks.append(_watch)
