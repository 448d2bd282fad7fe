"""The report's view of the phases: a table and a stacked bar chart.

Read from the file :mod:`bench.phases.run` writes (``context-phases.json`` beside the
``context`` suite's pyperf JSON). Each variant's column lists its phases' times, their
sum, the whole request timed the same way, and what is left (whole minus sum: what no
phase times, such as the context copy around each request, and the difference that
running each phase alone makes: code that stays in the CPU's caches when repeated).
The whole request as the pyperf workers timed it (the json case's ctxcore row) is shown
too, when the suite's results are at hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.charts import save_chart
from bench.suites._base import Table

__all__ = ["CASES", "ORDER", "chart", "load", "notes", "table"]

#: The phases in request order; a variant shows those it has.
ORDER = (
    "driver (bare app)",
    "relay (run_relayed)",
    "request object",
    "context push",
    "routing (match)",
    "lane hop",
    "flow (hooks, dispatch)",
    "view",
    "response build (JSON)",
    "response out",
    "context pop (teardown)",
)
#: Variant key -> the context suite's case whose ctxcore row times the same request.
CASES = {
    "wsgi": "wsgi json",
    "asgi-async": "asgi json, async view",
    "asgi-sync": "asgi json, sync view",
}


def load(path: Path) -> dict[str, Any] | None:
    """The phases file's data, or ``None`` when the run made none."""
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _names(variants: list[dict[str, Any]]) -> list[str]:
    seen = [phase["name"] for variant in variants for phase in variant["phases"]]
    known = [name for name in ORDER if name in seen]
    return known + sorted(set(seen) - set(known))


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:.2f}"


def _cell(seconds: float, whole: float) -> str:
    share = f" ({seconds / whole:.0%})" if whole > 0 else ""
    return f"{_us(seconds)}{share}"


def table(data: dict[str, Any], pyperf_times: dict[str, tuple[float, Any]] | None = None) -> Table:
    """Phases by variant (µs and share of the whole), then sum, whole and what is left."""
    variants = data["variants"]
    rows = []
    for name in _names(variants):
        cells = []
        calls = []
        for variant in variants:
            phase = next((p for p in variant["phases"] if p["name"] == name), None)
            if phase is None:
                cells.append("—")
                continue
            cells.append(_cell(phase["best"], variant["whole"]["best"]))
            if phase["call"] not in calls:
                calls.append(phase["call"])
        rows.append((name, *cells, " / ".join(calls)))
    sums = [sum(p["best"] for p in variant["phases"]) for variant in variants]
    wholes = [variant["whole"]["best"] for variant in variants]
    rows.append(("sum of phases", *(_cell(s, w) for s, w in zip(sums, wholes, strict=True)), ""))
    rows.append(("whole request, timed here", *(_us(w) for w in wholes), "the driver, the app"))
    rows.append(
        (
            "unaccounted (whole - sum)",
            *(_cell(w - s, w) for s, w in zip(sums, wholes, strict=True)),
            "what no phase times (context copy, glue), and running phases alone",
        )
    )  # fmt: skip
    if pyperf_times:
        cells = []
        for variant in variants:
            found = pyperf_times.get(f"{CASES.get(variant['key'], '')} | ctxcore")
            cells.append(_us(found[0]) if found else "—")
        if any(cell != "—" for cell in cells):
            rows.append(("whole request, pyperf (json case)", *cells, "mean of the pyperf runs"))
    return Table(
        f"Where a ctxcore request's time goes: µs per request, each phase timed alone "
        f"(fastest of {data['repeats']} repeats; share of the whole request)",
        ("phase", *(variant["label"] for variant in variants), "timed call"),
        tuple(rows),
    )


def notes(data: dict[str, Any]) -> list[str]:
    """How the breakdown was measured, and how steady the whole request stayed."""
    drift = []
    for variant in data["variants"]:
        runs = variant["whole_runs"]
        if min(runs) > 0:
            drift.append(f"{variant['label']} {max(runs) / min(runs) - 1:.0%}")
    return [
        "Phases: each engine call of one request timed alone, in a process per variant "
        "(bench/phases/): its state made and undone outside the timed part, the timer's "
        "own cost taken off, automatic garbage collection off while timing; the figure is "
        f"the fastest repeat's mean. ASGI phases run on {data['loop']}. 'driver (bare "
        "app)' is the driver with an app that only answers (for ASGI, one event-loop run "
        "per request: most of the ASGI rows' time). The flow phase dispatches to a view "
        "that returns a prepared Response, so the view and the JSON build are not in it. "
        "The whole request is timed before each phase and after the last (the fastest "
        "is shown); the slowest of those was slower by "
        + ", ".join(drift)
        + " (a busy machine shows here)."
    ]


def chart(data: dict[str, Any], out: Path) -> Path | None:
    """A stacked bar per variant (its phases), beside a bar of its whole request; saved
    as ``out/charts/context-phases.png`` (``None`` without matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    variants = data["variants"]
    names = _names(variants)
    # tab20 pairs a dark and a light shade of each hue: the dark ones first, so that
    # neighbouring phases differ in hue.
    palette = plt.get_cmap("tab20").colors
    shades = [*palette[::2], *palette[1::2]]
    colors = {name: shades[index % len(shades)] for index, name in enumerate(names)}
    labels = []
    for variant in variants:
        labels += [f"{variant['label']}: phases", f"{variant['label']}: whole request"]
    fig, ax = plt.subplots(figsize=(9, 1.6 + 0.55 * len(labels)))
    drawn: set[str] = set()
    for index, variant in enumerate(variants):
        y = 2 * index
        left = 0.0
        for phase in variant["phases"]:
            width = phase["best"] * 1e6
            name = phase["name"]
            ax.barh(
                y, width, left=left, color=colors[name], edgecolor="white", linewidth=0.5,
                label=None if name in drawn else name,
            )  # fmt: skip
            drawn.add(name)
            left += width
        whole = variant["whole"]["best"] * 1e6
        ax.barh(y + 1, whole, color="#4a5568", label=None if index else "whole request")
        ax.text(whole, y + 1, f" {whole:.1f} µs", va="center", fontsize=8)
        ax.text(left, y, f" {left:.1f} µs", va="center", fontsize=8)
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xlabel("µs per request", fontsize=8)
    ax.set_title(
        "Where a ctxcore request's time goes: phases timed alone, and the whole request",
        fontsize=9,
    )
    ax.tick_params(labelsize=8)
    ax.legend(fontsize=7, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.18))
    ax.margins(x=0.12)
    fig.tight_layout()
    return save_chart(fig, out, "context-phases")
