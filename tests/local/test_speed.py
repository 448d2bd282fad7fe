"""Regression guards on the hot paths: ratios against peers measured in the same run.

These catch a hot path falling off its design (a Python frame on every read, a copy on
every write), not a few percent: the margins hold on CPython 3.10 to 3.13 on a loaded
machine. The goals themselves (read <= 0.8x threading.local and so on) are in the
bench's goal tables, measured with pyperf per Python version: ``python -m bench``.
"""

from __future__ import annotations

import contextvars
import threading
import timeit
from typing import Any

import pytest

werkzeug_local = pytest.importorskip("werkzeug.local")

import ctxcore  # noqa: E402


def best(stmt: str, **names: Any) -> float:
    """Minimum time of ``stmt`` (seconds per run) over several repeats."""
    timer = timeit.Timer(stmt, globals=names)
    return min(timer.repeat(repeat=7, number=20_000)) / 20_000


def ratio(theirs: tuple[str, dict[str, Any]], ours: tuple[str, dict[str, Any]]) -> float:
    """Their time over ours, each the minimum of rounds taken in turn (noise hits both)."""
    their_times, our_times = [], []
    for _ in range(5):
        their_times.append(best(theirs[0], **theirs[1]))
        our_times.append(best(ours[0], **ours[1]))
    return min(their_times) / min(our_times)


def with_value(local: Any) -> Any:
    local.value = 1
    return local


READ = "o.value; o.value; o.value; o.value"
WRITE = "o.value = 2; o.value = 3"


def test_local_read_stays_near_threading_local_and_ahead_of_werkzeug() -> None:
    ours = {"o": with_value(ctxcore.Local())}
    vs_floor = ratio((READ, {"o": with_value(threading.local())}), (READ, ours))
    vs_werkzeug = ratio((READ, {"o": with_value(werkzeug_local.Local())}), (READ, ours))
    # Measured: 0.96-1.7x threading.local's time, 1.8-15x faster than werkzeug (3.13-3.11).
    assert vs_floor > 1 / 3, vs_floor
    assert vs_werkzeug > 1.0, vs_werkzeug


def test_local_write_is_not_far_slower_than_werkzeug() -> None:
    speedup = ratio(
        (WRITE, {"o": with_value(werkzeug_local.Local())}),
        (WRITE, {"o": with_value(ctxcore.Local())}),
    )
    assert speedup > 1 / 3, speedup


def test_proxy_attribute_is_faster_than_werkzeug() -> None:
    class Target:
        attr = 1

    var: contextvars.ContextVar[Target] = contextvars.ContextVar("ctxcore.test.speed")
    var.set(Target())
    speedup = ratio(
        ("p.attr; p.attr", {"p": werkzeug_local.LocalProxy(var)}),
        ("p.attr; p.attr", {"p": ctxcore.LocalProxy(var)}),
    )
    assert speedup > 1.2, speedup  # measured 2.2-5.5x across 3.10-3.13


def test_stack_push_pop_is_not_far_slower_than_werkzeug() -> None:
    ours_stack: ctxcore.LocalStack[int] = ctxcore.LocalStack()
    theirs_stack = werkzeug_local.LocalStack()
    speedup = ratio(
        ("s.push(1); s.pop()", {"s": theirs_stack}), ("s.push(1); s.pop()", {"s": ours_stack})
    )
    assert speedup > 1 / 2, speedup  # 1.0-1.7x measured: the bench holds the goal
