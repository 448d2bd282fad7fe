"""soak: reliability at scale — no leaks, no contexts left pushed, flat memory.

Long runs of the soak app (``bench/soak/app.py``: every request stores its own id in
``g``, a context Local and the session, yields, and checks it reads back only its own)
in process (WSGI from reused threads; ASGI from concurrent tasks on asyncio and uvloop)
and through real servers started with ``python -m ctxcore serve``. Measured by its own
runner (``bench/soak/run.py``), which writes pyperf JSON like the other suites. Not in
the default set of ``python -m bench``: at the issue's sizes it takes about twenty
minutes; run it with ``--only soak``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.charts import save_chart
from bench.soak.results import MB, RSS_BOUND, SoakResult, figures, verdict
from bench.soak.targets import TARGETS, Target
from bench.suites._base import Case, Details, Goal, Impl, Table

TITLE = "Reliability at scale (soak)"
DESCRIPTION = (
    "Request cycles by the million: each request stores its own id in g, a context Local "
    "and the session, yields to the others (threads, tasks, greenlets), and answers whether "
    "it saw only its own values; the driver counts every answer that did not (leaks) and "
    "every failed request (errors). RSS of the serving process and the idents still holding "
    "a pushed request/app context (ctxcore.live_idents on the engine's stacks) are sampled "
    "along the way. In process, WSGI from 4 reused threads and ASGI from 16 concurrent tasks "
    "(async and sync views in turn); through gunicorn gthread, gevent's server, uvicorn with "
    "uvloop and hypercorn, each started with python -m ctxcore serve and loaded from 32 "
    "keep-alive connections by a client that checks every answer. Time is per request cycle."
)
COMMAND = ("-m", "bench.soak.run")  # own runner: long runs sampled from outside pyperf
GOALS: tuple[Goal, ...] = ()
#: The report shows the soak table and chart instead of per-case time tables.
TIME_TABLES = False
#: The issue's sizes: cycles per in-process target, requests per server kind.
GOAL_CYCLES, GOAL_REQUESTS = 1_000_000, 200_000


def case_of(target: Target) -> Case:
    """The report case of one target (ctxcore is the only implementation)."""
    return Case(
        target.name,
        f"soak: {target.name}",
        (Impl("ctxcore", needs=target.needs),),
        unit="per request cycle",
    )


CASES = tuple(case_of(target) for target in TARGETS)


def load_results(path: Path) -> list[SoakResult]:
    """Every target's result, in run order, from the suite's pyperf JSON."""
    import json

    import pyperf

    found = []
    for bench in pyperf.BenchmarkSuite.load(str(path)).get_benchmarks():
        for run in bench.get_runs():
            meta = run.get_metadata()
            if "soak_result" in meta:
                found.append(SoakResult.from_json(json.loads(meta["soak_result"])))
    return found


def _mb(value: int | None, sign: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value / MB:+.2f}" if sign else f"{value / MB:.1f}"


def _served(result: SoakResult) -> bool:
    """Whether ``result`` came through a real server (not in process)."""
    return any(t.name == result.target and t.server for t in TARGETS)


def goal_size(result: SoakResult) -> int:
    """The issue's number of cycles for ``result``'s kind of target."""
    return GOAL_REQUESTS if _served(result) else GOAL_CYCLES


def table(results: list[SoakResult]) -> Table:
    """One row per target: cycles, errors, leaks, RSS figures, contexts left."""
    rows = []
    for result in results:
        fig = figures(result)
        live = result.live_end
        rows.append(
            (
                result.target, f"{result.cycles:,}", f"{result.wall:,.0f}",
                f"{result.cycles / result.wall:,.0f}" if result.wall else "—",
                str(result.error_count), str(result.leaks), _mb(fig.rss_start),
                _mb(fig.rss_warm), _mb(fig.rss_end), _mb(fig.drift, sign=True),
                f"{live.get('request', '?')} / {live.get('app', '?')}",
            )
        )  # fmt: skip
    return Table(
        "Soak: every target",
        (
            "target", "cycles", "wall (s)", "cycles/s", "errors", "leaks", "RSS start (MB)",
            "after warm-up", "end", "max drift", "live idents at end (request / app)",
        ),
        tuple(rows),
    )  # fmt: skip


def verdict_line(result: SoakResult) -> str:
    """``target (setup): verdict``, saying when the run was smaller than the issue's."""
    goal = goal_size(result)
    short = "" if result.cycles >= goal else f" (below the issue's {goal:,} cycles)"
    return f"{result.target} ({result.setup}), {result.cycles:,} cycles: {verdict(result)}{short}"


def chart(results: list[SoakResult], out: Path) -> Path | None:
    """RSS and live contexts over time, one panel per target; None without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    drawn = [r for r in results if any(s.rss is not None for s in r.samples)]
    if not drawn:
        return None
    columns = 2 if len(drawn) > 1 else 1
    rows = -(-len(drawn) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(5.2 * columns, 2.9 * rows), squeeze=False)
    for ax in axes.flat[len(drawn) :]:
        ax.set_visible(False)
    for ax, result in zip(axes.flat, drawn, strict=False):
        _panel(ax, result)
    fig.tight_layout()
    return save_chart(fig, out, "soak-memory", dpi=100)


def _panel(ax: Any, result: SoakResult) -> None:
    fig = figures(result)
    points = [(s.t, s.rss / MB) for s in result.samples if s.rss is not None]
    ax.plot([t for t, _ in points], [v for _, v in points], color="#2b6cb0", linewidth=1.2)
    warm = next((s.t for s in result.samples if s.cycles >= result.warmup), None)
    if warm is not None and fig.rss_warm is not None:
        base = fig.rss_warm / MB
        ax.axvline(warm, color="#888", linestyle=":", linewidth=0.8)
        ax.axhspan(base - RSS_BOUND / MB, base + RSS_BOUND / MB, color="#c6f6d5", alpha=0.35)
    ax.set_ylabel("RSS (MB)", fontsize=8, color="#2b6cb0")
    ax.set_xlabel("seconds", fontsize=8)
    ax.tick_params(labelsize=7)
    live = [(s.t, s.live_request) for s in result.samples if s.live_request is not None]
    if live:
        other = ax.twinx()
        # Through a server the last count is taken after the load (0 expected): drawn larger.
        style = "." if _served(result) else ".-"
        other.plot(
            [t for t, _ in live], [v for _, v in live], style, color="#dd6b20", markersize=3,
            linewidth=0.8,
        )  # fmt: skip
        if result.live_end:
            other.plot([live[-1][0]], [result.live_end.get("request", 0)], "o", color="#dd6b20")
        other.set_ylabel("live request contexts", fontsize=8, color="#dd6b20")
        other.set_ylim(bottom=-0.2, top=max(4, max(v for _, v in live) * 1.3))
        other.tick_params(labelsize=7)
    ax.set_title(f"{result.target}: {verdict(result)}", fontsize=8)


def details(path: Path, out: Path) -> Details:
    """The soak table, the memory chart, and a verdict line per target."""
    if not path.exists():
        return Details()
    results = load_results(path)
    if not results:
        return Details()
    notes = [
        *(f"Verdict — {verdict_line(result)}." for result in results),
        f"Memory is judged after the warm-up (dotted line in the chart; the green band is "
        f"±{RSS_BOUND // MB} MB around the first sample after it, the issue's bound): max "
        "drift is the sample furthest from that baseline. In process, live idents are "
        "counted between batches, with no request in flight, and must be 0 every time; "
        "through a server they are asked of /diag every few seconds during the load (the "
        "requests then in flight, at most one per connection) and once after it (0 "
        "expected, /diag's own context not counted).",
    ]
    drawn = chart(results, out)
    return Details(tables=(table(results),), charts=(drawn,) if drawn else (), notes=tuple(notes))
