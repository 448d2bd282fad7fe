"""Goal verdicts against one run: met, missed, or uncertain when the noise says so."""

from __future__ import annotations

import re

import pytest

from bench.goals import (
    MET,
    MISSED,
    NOT_MEASURED,
    UNCERTAIN,
    check_goals,
    check_references,
    figure_text,
    measured_text,
)
from bench.suites import SUITES, load
from bench.suites._base import Goal, Reference

AT_MOST = Goal("read", "ours", "theirs", "at_most", 0.8, "read <= 0.8x theirs")
FASTER = Goal("read", "ours", "theirs", "faster", 4.0, "read >= 4x faster than theirs")


def times(
    ours: float, theirs: float, spread: float | None
) -> dict[str, tuple[float, float | None]]:
    """Both sides with the same relative spread (None: one value each)."""
    return {
        "read | ours": (ours, None if spread is None else ours * spread),
        "read | theirs": (theirs, None if spread is None else theirs * spread),
    }


@pytest.mark.parametrize(
    ("goal", "ours", "theirs", "spread", "verdict"),
    [
        (AT_MOST, 0.5, 1.0, 0.02, MET),
        (AT_MOST, 1.0, 1.0, 0.02, MISSED),
        (AT_MOST, 0.75, 1.0, 0.30, UNCERTAIN),  # met on the means, not beyond the noise
        (AT_MOST, 0.85, 1.0, 0.30, UNCERTAIN),  # missed on the means: noise, not a miss
        (AT_MOST, 0.85, 1.0, None, MISSED),  # no spread known: the means decide
        (FASTER, 1.0, 5.0, 0.02, MET),
        (FASTER, 1.0, 3.0, 0.02, MISSED),
        (FASTER, 1.0, 3.5, 0.15, UNCERTAIN),
    ],
)
def test_a_goal_is_uncertain_when_its_spread_reaches_across_the_line(
    goal: Goal, ours: float, theirs: float, spread: float | None, verdict: str
) -> None:
    (result,) = check_goals((goal,), times(ours, theirs, spread))
    assert result.verdict == verdict


def test_the_spread_of_a_ratio_combines_both_sides() -> None:
    measured = {"read | ours": (1.0, 0.3), "read | theirs": (2.0, 0.8)}  # 30% and 40%
    (result,) = check_goals((AT_MOST,), measured)
    assert result.spread == pytest.approx(0.5)
    assert result.measured == pytest.approx(0.5)
    assert measured_text(result) == "0.50x theirs's time ± 50%"
    assert figure_text(result) == "0.50x ± 50%"


def test_a_goal_missing_a_side_is_not_measured() -> None:
    (result,) = check_goals((FASTER,), {"read | ours": (1.0, None)})
    assert (result.verdict, result.measured) == (NOT_MEASURED, None)


def test_a_reference_line_has_a_figure_and_no_verdict() -> None:
    line = Reference("read", "theirs", "ours", "ceiling: theirs over ours")
    (result,) = check_references((line,), times(1.0, 3.0, 0.1))
    assert result.measured == pytest.approx(3.0)
    assert not hasattr(result, "verdict")
    assert measured_text(result).startswith("3.00x ± ")


@pytest.mark.parametrize("name", SUITES)
def test_each_suite_has_one_goal_per_measure(name: str) -> None:
    """Goals that were restated are retired: one goal per (case, subject, peer)."""
    goals = getattr(load(name), "GOALS", ())
    measures = [(goal.case, goal.subject, goal.peer) for goal in goals]
    assert len(measures) == len(set(measures))


@pytest.mark.parametrize("name", SUITES)
def test_goals_speak_of_the_product(name: str) -> None:
    """No "issue 12:" labels: a goal says what it promises, not where it came from."""
    suite = load(name)
    texts = [
        item.text for item in (*getattr(suite, "GOALS", ()), *getattr(suite, "REFERENCES", ()))
    ]
    assert not [text for text in texts if re.search(r"\bissue\b", text, re.IGNORECASE)]


@pytest.mark.parametrize("name", SUITES)
def test_goals_and_references_name_measured_implementations(name: str) -> None:
    """Every goal and reference line compares two implementations of one of its cases
    (or two figures the suite gives of them: e2e's "ctxcore p99" and "ctxcore median")."""
    suite = load(name)
    figures = getattr(suite, "GOAL_FIGURES", ())
    impls = {
        case.name: {impl.name for impl in case.impls}
        | {f"{impl.name} {label}" for impl in case.impls for label in figures}
        for case in suite.CASES
    }
    for goal in getattr(suite, "GOALS", ()):
        assert {goal.subject, goal.peer} <= impls[goal.case], goal
    for line in getattr(suite, "REFERENCES", ()):
        assert {line.numerator, line.denominator} <= impls[line.case], line
