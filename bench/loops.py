"""Hand-written timing loops for pyperf's ``bench_time_func`` (ten operations a turn).

Each returns the elapsed seconds for ``loops`` turns; pyperf divides by
``loops * inner_loops``. Unrolled so the loop's own cost is small next to the
operation's.
"""

from __future__ import annotations

from collections.abc import Callable
from time import perf_counter
from typing import Any

INNER = 10


def read_attr(loops: int, obj: Any) -> float:
    """``obj.value`` ten times a turn."""
    it = range(loops)
    t0 = perf_counter()
    for _ in it:
        obj.value
        obj.value
        obj.value
        obj.value
        obj.value
        obj.value
        obj.value
        obj.value
        obj.value
        obj.value
    return perf_counter() - t0


def write_attr(loops: int, obj: Any) -> float:
    """``obj.value = 1`` ten times a turn."""
    it = range(loops)
    t0 = perf_counter()
    for _ in it:
        obj.value = 1
        obj.value = 2
        obj.value = 3
        obj.value = 4
        obj.value = 5
        obj.value = 6
        obj.value = 7
        obj.value = 8
        obj.value = 9
        obj.value = 10
    return perf_counter() - t0


def call0(loops: int, func: Callable[[], Any]) -> float:
    """``func()`` ten times a turn."""
    it = range(loops)
    t0 = perf_counter()
    for _ in it:
        func()
        func()
        func()
        func()
        func()
        func()
        func()
        func()
        func()
        func()
    return perf_counter() - t0


def call1(loops: int, func: Callable[[Any], Any], arg: Any) -> float:
    """``func(arg)`` ten times a turn."""
    it = range(loops)
    t0 = perf_counter()
    for _ in it:
        func(arg)
        func(arg)
        func(arg)
        func(arg)
        func(arg)
        func(arg)
        func(arg)
        func(arg)
        func(arg)
        func(arg)
    return perf_counter() - t0


def call_values(loops: int, func: Callable[[Any], Any]) -> float:
    """``func(1)`` ... ``func(10)`` a turn: each call gets another value than the last.

    For setters (``ContextVar.set``): setting the value already held changes nothing
    and costs less than a real write, so a write's floor is measured with new values.
    """
    it = range(loops)
    t0 = perf_counter()
    for _ in it:
        func(1)
        func(2)
        func(3)
        func(4)
        func(5)
        func(6)
        func(7)
        func(8)
        func(9)
        func(10)
    return perf_counter() - t0


def push_pop(loops: int, push: Callable[[Any], Any], pop: Callable[[], Any]) -> float:
    """A push and a pop, five pairs a turn (``INNER // 2``; time is per pair)."""
    it = range(loops)
    item = object()
    t0 = perf_counter()
    for _ in it:
        push(item)
        pop()
        push(item)
        pop()
        push(item)
        pop()
        push(item)
        pop()
        push(item)
        pop()
    return perf_counter() - t0


def add_one(loops: int, obj: Any) -> float:
    """``obj + 1`` ten times a turn."""
    it = range(loops)
    t0 = perf_counter()
    for _ in it:
        obj + 1
        obj + 1
        obj + 1
        obj + 1
        obj + 1
        obj + 1
        obj + 1
        obj + 1
        obj + 1
        obj + 1
    return perf_counter() - t0


def read_top(loops: int, stack: Any) -> float:
    """``stack.top`` ten times a turn."""
    it = range(loops)
    t0 = perf_counter()
    for _ in it:
        stack.top
        stack.top
        stack.top
        stack.top
        stack.top
        stack.top
        stack.top
        stack.top
        stack.top
        stack.top
    return perf_counter() - t0


def get_attr(loops: int, get: Callable[[], Any]) -> float:
    """``get().value`` ten times a turn: a ContextVar's object and its attribute, inline."""
    it = range(loops)
    t0 = perf_counter()
    for _ in it:
        get().value
        get().value
        get().value
        get().value
        get().value
        get().value
        get().value
        get().value
        get().value
        get().value
    return perf_counter() - t0


def batch(loops: int, run: Callable[[int], Any]) -> float:
    """``run(n)`` making ``n`` operations itself, ten a turn (``run(loops * INNER)``).

    For drivers whose per-call entry costs more than the operation (an event loop
    started per request): the batch enters once.
    """
    t0 = perf_counter()
    run(loops * INNER)
    return perf_counter() - t0
