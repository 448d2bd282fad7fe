"""Timing one phase of a request in isolation: min-of-N of bracketed calls.

A phase is one engine call (build the request, push the context, match the route, ...)
that needs state made before it (a request context, pushed or not) and undone after
it (popped). pyperf's ``bench_time_func`` calibrates its loop count from the time it is
given back; with setup and cleanup costing several times the call itself outside the
timed part, its loops would run for many seconds per value. So each phase is timed
here as ``timeit`` does, inside one process: ``prepare()`` (untimed), then
``perf_counter()`` around ``run(state)``, then ``finish(state)`` (untimed), ``n`` times
a repeat; the phase's figure is the fastest repeat's mean (and the median repeat's,
for the spread). ``n`` is chosen so that a repeat takes about :attr:`Plan.wall`
seconds of wall time.

Reading the clock twice and calling ``run`` cost something too: the same bracket
around a call that does nothing is timed the same way (sync and ``async def``: an
``await`` costs more than a call) and subtracted. Automatic garbage collection is off
while a repeat runs (a collection would land on whichever phase allocated last); it
runs between repeats.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from time import perf_counter
from typing import Any

__all__ = ["PLANS", "Figure", "Phase", "Plan", "Timer"]

#: Each repeat makes at least this many calls, however slow the phase.
MIN_CALLS = 20
#: Calls before the first repeat (caches filled, code warmed).
WARMUP = 30


@dataclass(frozen=True)
class Phase:
    """One step of a request, timed alone.

    ``run(state)`` is what is timed: a plain function, or an ``async def`` one awaited
    on the variant's event loop. ``prepare()`` builds its state (always sync: nothing
    before a phase needs to wait), ``finish(state)`` undoes it (sync or ``async def``).
    ``call`` says which engine call ``run`` makes, for the report.
    """

    name: str
    run: Callable[[Any], Any]
    call: str
    prepare: Callable[[], Any] | None = None
    finish: Callable[[Any], Any] | None = None

    @property
    def is_async(self) -> bool:
        """Whether ``run`` is awaited (on an event loop)."""
        return inspect.iscoroutinefunction(self.run)


@dataclass(frozen=True)
class Plan:
    """How long to time each phase."""

    repeats: int
    wall: float  # seconds of wall time per repeat (prepare and finish included)


PLANS = {
    "smoke": Plan(repeats=1, wall=0.0),
    "fast": Plan(repeats=7, wall=0.02),
    "default": Plan(repeats=15, wall=0.05),
    "rigorous": Plan(repeats=31, wall=0.1),
}


@dataclass(frozen=True)
class Figure:
    """A phase's time per call (seconds): the fastest repeat's mean and the median
    repeat's, the bracket's own cost taken off both."""

    best: float
    median: float
    calls: int  # per repeat

    def as_dict(self) -> dict[str, float | int]:
        """The figure as JSON data."""
        return {"best": self.best, "median": self.median, "calls": self.calls}


def _nothing() -> None:
    return None


def _noop(state: Any) -> None:
    return None


async def _anoop(state: Any) -> None:
    return None


def _repeat_sync(phase: Phase, calls: int) -> float:
    prepare = phase.prepare or _nothing
    run, finish = phase.run, phase.finish or _noop
    clock = perf_counter
    total = 0.0
    for _ in range(calls):
        state = prepare()
        started = clock()
        run(state)
        total += clock() - started
        finish(state)
    return total / calls


async def _repeat_async(phase: Phase, calls: int) -> float:
    prepare = phase.prepare or _nothing
    run, finish = phase.run, phase.finish or _noop
    finish_awaits = inspect.iscoroutinefunction(finish)
    clock = perf_counter
    total = 0.0
    for _ in range(calls):
        state = prepare()
        started = clock()
        await run(state)
        total += clock() - started
        if finish_awaits:
            await finish(state)
        else:
            finish(state)
    return total / calls


class Timer:
    """Times phases with one plan, on one event loop for the ``async def`` ones."""

    def __init__(self, plan: Plan, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.plan = plan
        self.loop = loop
        self.overhead = {False: 0.0, True: 0.0}
        self.overhead[False] = self._raw(Phase("bracket", _noop, "nothing")).best
        if loop is not None:
            self.overhead[True] = self._raw(Phase("bracket", _anoop, "nothing")).best

    def _repeat(self, phase: Phase, calls: int) -> float:
        if not phase.is_async:
            return _repeat_sync(phase, calls)
        if self.loop is None:
            raise RuntimeError(f"phase {phase.name!r} is async: the timer needs a loop")
        return self.loop.run_until_complete(_repeat_async(phase, calls))

    def _calls(self, phase: Phase) -> int:
        """How many calls make a repeat of about ``plan.wall`` seconds (after warm-up)."""
        started = perf_counter()
        self._repeat(phase, WARMUP)
        per_call = (perf_counter() - started) / WARMUP
        if not self.plan.wall:
            return MIN_CALLS
        return max(MIN_CALLS, int(self.plan.wall / max(per_call, 1e-9)))

    def _raw(self, phase: Phase) -> Figure:
        calls = self._calls(phase)
        means = []
        for _ in range(self.plan.repeats):
            gc.collect()
            gc.disable()
            try:
                means.append(self._repeat(phase, calls))
            finally:
                gc.enable()
        return Figure(min(means), statistics.median(means), calls)

    def time(self, phase: Phase) -> Figure:
        """``phase``'s time per call, the bracket's own cost taken off (never below 0)."""
        raw = self._raw(phase)
        overhead = self.overhead[phase.is_async]
        return Figure(max(raw.best - overhead, 0.0), max(raw.median - overhead, 0.0), raw.calls)
