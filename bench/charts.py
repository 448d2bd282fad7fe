"""The report's charts (matplotlib, drawn off-screen), and log axes a person can read.

matplotlib labels a log axis in scientific notation, minor ticks included when the
range is narrow: "3 x 10^-1" and "4 x 10^-1" run together, and a latency axis reads
"6 x 10^1". :func:`plain_log_ticks` labels a log axis with a few plain numbers instead
(``0.2x``, ``1x``, ``5x``; ``20``, ``50``, ``100``) and leaves the minor ticks unlabelled.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.suites._base import is_ctxcore

if TYPE_CHECKING:
    from bench.report import Row
    from bench.suites._base import Case

__all__ = ["draw_ratios", "log_ticks", "plain_log_ticks", "ratio_chart", "save_chart"]

MIN_TICKS = 3
MAX_TICKS = 9


def log_ticks(low: float, high: float) -> list[float]:
    """Tick values in ``[low, high]`` (both > 0) for a log axis: 1-2-5 steps, every
    digit for a range inside a decade or so, decades alone for a very wide one."""
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))

    def within(mantissas: tuple[int, ...]) -> list[float]:
        # Parsed from text, so that 3e-1 is 0.3 and not 0.30000000000000004.
        ticks = (float(f"{m}e{e}") for e in range(first, last + 1) for m in mantissas)
        return [tick for tick in ticks if low <= tick <= high]

    ticks = within((1, 2, 5))
    if len(ticks) < MIN_TICKS:
        return within((1, 2, 3, 4, 5, 6, 7, 8, 9))
    if len(ticks) > MAX_TICKS:
        return within((1,))
    return ticks


def plain_log_ticks(ax: Any, which: str = "x", suffix: str = "") -> None:
    """Label ``ax``'s log ``which`` axis ("x" or "y") with a few plain numbers."""
    from matplotlib.ticker import NullFormatter

    axis = ax.xaxis if which == "x" else ax.yaxis
    low, high = ax.get_xlim() if which == "x" else ax.get_ylim()
    ticks = log_ticks(min(low, high), max(low, high))
    axis.set_ticks(ticks, [f"{tick:g}{suffix}" for tick in ticks])
    axis.set_minor_formatter(NullFormatter())


def draw_ratios(cases: list[tuple[Case, list[Row]]]) -> Any:
    """A matplotlib figure of times relative to each case's first row, one panel per
    case (a log axis for wide spreads); None without matplotlib or measurements."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    measured = [(case, rows) for case, rows in cases if rows and rows[0].ratio]
    if not measured:
        return None
    fig, axes = plt.subplots(
        len(measured), 1, figsize=(8, 1.2 + 0.45 * sum(len(r) for _, r in measured)), squeeze=False
    )
    for ax, (case, rows) in zip(axes[:, 0], measured, strict=True):
        names = [row.impl for row in rows]
        ratios = [row.ratio or 0.0 for row in rows]
        colors = ["#2b6cb0" if is_ctxcore(name) else "#a0aec0" for name in names]
        ax.barh(names, ratios, color=colors)
        ax.axvline(1.0, color="#444", linewidth=0.8)
        ax.invert_yaxis()
        ax.set_title(f"{case.name}: time relative to {rows[0].impl} (lower is faster)", fontsize=9)
        ax.tick_params(labelsize=8)
        if max(ratios) / max(min(ratios), 1e-12) > 5:  # wide spreads need a log axis
            ax.set_xscale("log")
            plain_log_ticks(ax, "x", "x")
    fig.tight_layout()
    return fig


def save_chart(fig: Any, out: Path, name: str, dpi: int = 110) -> Path:
    """Save ``fig`` as ``out/charts/<name>.png``, close it, and return the path."""
    import matplotlib.pyplot as plt

    charts = out / "charts"
    charts.mkdir(parents=True, exist_ok=True)
    path = charts / f"{name}.png"
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path


def ratio_chart(suite_name: str, cases: list[tuple[Case, list[Row]]], out: Path) -> Path | None:
    """:func:`draw_ratios` saved as ``out/charts/<suite>.png``; None when not drawn."""
    fig = draw_ratios(cases)
    if fig is None:
        return None
    return save_chart(fig, out, suite_name)
