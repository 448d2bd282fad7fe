"""Diagnostics: how many idents still hold values, for leak checks and monitoring."""

from __future__ import annotations

import gc
from typing import Any

from ._local import LocalMethods
from ._slots import KeyedSlot
from ._stack import StackMethods

__all__ = ["live_idents"]


def live_idents(obj: LocalMethods | StackMethods[Any]) -> int:
    """Return how many idents currently hold a value in a Local or LocalStack.

    * ``"greenlet"`` and callable sources: exact.
    * ``"context"`` and ``"thread"``: the number of distinct non-empty value sets still
      reachable. A context and the copies of it that have not written since share one
      set and count once; values end when the last context holding them ends.

    Counting a LocalStack under ``"context"`` or ``"thread"`` scans the heap: meant for
    tests and diagnostics, not for hot paths.
    """
    # Either implementation: both share these bases (and what their classes carry).
    if isinstance(obj, LocalMethods):
        slot = type(obj)._ctxcore_slot
        if isinstance(slot, KeyedSlot):
            return slot.idents()
        tracker = type(obj)._ctxcore_tracker
        assert tracker is not None
        return len(tracker.live())
    if isinstance(obj, StackMethods):
        counted = obj._slot.idents()  # keyed and greenlet slots count their idents
        return _stack_tops(obj) if counted is None else counted
    raise TypeError(f"live_idents() takes a Local or LocalStack, not {type(obj).__name__}")


def _stack_tops(stack: StackMethods[Any]) -> int:
    """Count the frames of ``stack`` that something other than its own frames holds."""
    marker = stack._marker
    gc.collect()
    frames = [
        obj for obj in gc.get_objects() if type(obj) is tuple and len(obj) == 3 and obj[2] is marker
    ]
    if not frames:
        return 0
    ids = {id(frame) for frame in frames}
    tops: set[int] = set()
    for holder in gc.get_referrers(*frames):
        if type(holder) is tuple and id(holder) in ids:
            continue  # a frame's "below" link
        if holder is frames or type(holder).__name__ == "frame":
            continue
        tops.update(id(ref) for ref in gc.get_referents(holder) if id(ref) in ids)
    return len(tops)
