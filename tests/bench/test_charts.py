"""Charts read as a person reads them: plain tick labels on log axes, never run together."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bench.charts import draw_ratios, log_ticks, plain_log_ticks
from bench.report import Row
from bench.suites._base import Case, Impl

PLAIN = re.compile(r"^\d+(\.\d+)?x?$")


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        (0.15, 3.1, [0.2, 0.5, 1, 2]),  # once "3x10^-1" and "4x10^-1" ran together here
        (0.8, 170, [1, 2, 5, 10, 20, 50, 100]),
        (18, 75, [20, 30, 40, 50, 60, 70]),  # a latency axis inside one decade
        (0.001, 5000, [0.001, 0.01, 0.1, 1, 10, 100, 1000]),
    ],
)
def test_log_ticks_are_a_few_round_numbers(low: float, high: float, ticks: list[float]) -> None:
    assert log_ticks(low, high) == ticks


def labels(axis: Any, minor: bool = False) -> list[str]:
    return [label.get_text() for label in axis.get_ticklabels(minor=minor) if label.get_visible()]


def test_a_log_axis_is_labelled_in_plain_numbers_without_minor_labels() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [18, 75])
    ax.set_yscale("log")
    ax.set_ylim(18, 75)
    plain_log_ticks(ax, "y")
    fig.canvas.draw()
    assert labels(ax.yaxis) == ["20", "30", "40", "50", "60", "70"]
    assert not any(labels(ax.yaxis, minor=True))
    plt.close(fig)


def test_a_ratio_chart_with_a_wide_spread_reads_plainly() -> None:
    """The lookup write panel: ratios 0.18 to 2.6 on a log axis."""
    case = Case("write", "local.value = v", tuple(Impl(name) for name in "abcd"))
    rows = [
        Row("ctxcore context", 1e-6, None, 1.0),
        Row("threading.local", 0.18e-6, None, 0.18),
        Row("asgiref Local", 2.64e-6, None, 2.64),
        Row("ContextVar.set", 0.35e-6, None, 0.35, reference=True),
    ]
    fig = draw_ratios([(case, rows)])
    fig.canvas.draw()
    (ax,) = fig.axes
    assert ax.get_xscale() == "log"
    assert labels(ax.xaxis) == ["0.2x", "0.5x", "1x", "2x"]
    assert all(PLAIN.match(text) for text in labels(ax.xaxis))
    assert not any(labels(ax.xaxis, minor=True))
    import matplotlib.pyplot as plt

    plt.close(fig)
