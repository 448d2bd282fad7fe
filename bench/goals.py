"""Goals and reference lines checked against one run, noise included.

A goal compares two benchmarks of one run. Each side has a spread (pyperf's standard
deviation over its mean); the ratio's is the two combined (``sqrt(a**2 + b**2)``, the
usual first-order rule for a quotient). When the ratio plus or minus that spread
reaches across the goal's line, the run cannot tell whether the goal holds: the
verdict is "uncertain (noisy)", never "missed" (nor "met"). A loaded machine shows
spreads of 30% and more; a quiet one a few percent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bench.suites._base import Goal, Reference

__all__ = [
    "MET",
    "MISSED",
    "NOT_MEASURED",
    "UNCERTAIN",
    "GoalResult",
    "ReferenceResult",
    "Times",
    "check_goals",
    "check_references",
    "factor_text",
    "figure_text",
    "measured_text",
    "ratio_spread",
    "target_text",
]

#: A benchmark's (mean, standard deviation or None) in seconds.
Side = tuple[float, float | None]
#: Benchmark name -> its side.
Times = dict[str, Side]

MET = "met"
MISSED = "missed"
UNCERTAIN = "uncertain (noisy)"
NOT_MEASURED = "not measured"


@dataclass(frozen=True)
class GoalResult:
    """One goal's figure in one run, and its verdict."""

    goal: Goal
    measured: float | None  # the ratio, as the goal states it
    spread: float | None  # the ratio's relative spread (0.1: +-10%); None if unknown
    verdict: str


@dataclass(frozen=True)
class ReferenceResult:
    """One reference line's figure in one run (no verdict)."""

    reference: Reference
    measured: float | None
    spread: float | None


def ratio_spread(*sides: Side) -> float | None:
    """The relative spread of a ratio of the given (mean, stdev) sides (``None`` when a
    side's is unknown)."""
    relative = [stdev / mean for mean, stdev in sides if stdev is not None and mean > 0]
    if len(relative) < len(sides):
        return None
    return math.sqrt(sum(part**2 for part in relative))


_spread = ratio_spread


def _verdict(goal: Goal, measured: float, spread: float | None) -> str:
    holds = measured <= goal.factor if goal.kind == "at_most" else measured >= goal.factor
    if spread is not None and measured * (1 - spread) <= goal.factor <= measured * (1 + spread):
        return UNCERTAIN
    return MET if holds else MISSED


def _sides(case: str, first: str, second: str, times: Times) -> tuple[Side, Side] | None:
    """Both benchmarks' (mean, stdev), or ``None`` when either was not measured."""
    one, other = times.get(f"{case} | {first}"), times.get(f"{case} | {second}")
    return None if one is None or other is None else (one, other)


def check_goals(goals: tuple[Goal, ...], times: Times) -> list[GoalResult]:
    """Each goal's figure and verdict (not measured when a side is missing)."""
    results = []
    for goal in goals:
        sides = _sides(goal.case, goal.subject, goal.peer, times)
        if sides is None:
            results.append(GoalResult(goal, None, None, NOT_MEASURED))
            continue
        measured, _ = goal.check(sides[0][0], sides[1][0])
        spread = _spread(*sides)
        results.append(GoalResult(goal, measured, spread, _verdict(goal, measured, spread)))
    return results


def check_references(references: tuple[Reference, ...], times: Times) -> list[ReferenceResult]:
    """Each reference line's figure (``None`` when a side is missing)."""
    results = []
    for reference in references:
        sides = _sides(reference.case, reference.numerator, reference.denominator, times)
        if sides is None:
            results.append(ReferenceResult(reference, None, None))
            continue
        measured = reference.measure(sides[0][0], sides[1][0])
        results.append(ReferenceResult(reference, measured, _spread(*sides)))
    return results


def target_text(goal: Goal) -> str:
    """The goal's line in words: "<= 0.8x threading.local's time", ">= 4x faster than X"."""
    if goal.kind == "at_most":
        return f"<= {goal.factor:g}x {goal.peer}'s time"
    if goal.factor == 1:
        return f"faster than {goal.peer}"
    return f">= {goal.factor:g}x faster than {goal.peer}"


def factor_text(value: float) -> str:
    """A ratio with three significant digits at most: ``1.53x``, ``13.6x``, ``152x``."""
    if value >= 100:
        return f"{value:.0f}x"
    return f"{value:.1f}x" if value >= 10 else f"{value:.2f}x"


def figure_text(result: GoalResult | ReferenceResult) -> str:
    """The bare figure and its spread: ``1.53x``, ``1.53x ± 40%``."""
    if result.measured is None:
        return NOT_MEASURED
    spread = f" ± {result.spread:.0%}" if result.spread else ""
    return f"{factor_text(result.measured)}{spread}"


def measured_text(result: GoalResult | ReferenceResult) -> str:
    """The figure as its goal states it, with its spread when known."""
    if result.measured is None:
        return NOT_MEASURED
    spread = f" ± {result.spread:.0%}" if result.spread else ""
    if isinstance(result, ReferenceResult):
        return f"{result.measured:.2f}x{spread}"
    if result.goal.kind == "at_most":
        return f"{result.measured:.2f}x {result.goal.peer}'s time{spread}"
    return f"{result.measured:.1f}x faster{spread}"
