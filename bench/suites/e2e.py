"""e2e: requests per second and latency through real servers on loopback.

The JSON endpoint of ``bench/apps.py`` (the ``context`` suite's) in ctxcore, Starlette,
FastAPI, Quart and Flask under uvicorn + uvloop and gunicorn gthread, and in ctxcore,
Starlette and Flask under granian's ASGI and WSGI interfaces (the "..., json" cases;
settings in ``bench/e2e/servers.py``), and a session app (``bench/e2e/apps.py``) in
ctxcore, Flask, Quart and Starlette under gunicorn (gthread), gevent's WSGI server and
uvicorn (uvloop and asyncio loops), loaded by wrk (or a Python client when wrk is
absent). Measured by its own runner (``bench/e2e/run.py``), which writes pyperf JSON like
the other suites.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from bench.charts import plain_log_ticks, save_chart
from bench.e2e.servers import SERVERS, Server
from bench.suites._base import Case, Details, Goal, Impl, Table, bench_name

TITLE = "Real servers on loopback"
DESCRIPTION = (
    "Through a real server. The '..., json' cases: GET /hello/<name>?q=1 answering "
    '{"name": ..., "q": ...} (the context suite\'s endpoint, bench/apps.py); ctxcore\'s '
    "row is its async def view. The others: GET /hello/<name>?n=3, where the app keeps "
    "the name in request state (g; request.state in Starlette), reads it back with the "
    "query string in a helper, writes a signed-cookie session and answers JSON. One server "
    "process per app, closed-loop load from keep-alive connections. Time is per request "
    "(1 / requests per second); latency percentiles and CPU shares are in the tables below. "
    "granian: one worker, one runtime thread, uvloop for ASGI, 4 Python threads for WSGI "
    "(as gunicorn gthread)."
)
HEADLINE = ("uvicorn uvloop, json", "gunicorn gthread, json")
COMMAND = ("-m", "bench.e2e.run")  # own runner: load from outside, not pyperf workers
#: The names under which :func:`goal_times` gives an app's latency percentiles: a goal
#: on the tail compares two of them ("<case> | ctxcore p99" against "... median").
TAIL, MEDIAN = "p99", "median"
#: The figures :func:`goal_times` gives per app, as goals name them after the app.
GOAL_FIGURES = (MEDIAN, TAIL)
GOALS = (
    # Times are 1 / req/s: >= 0.85x Starlette's req/s is <= 1/0.85 = 1.18x its time.
    Goal(
        "uvicorn uvloop, json", "ctxcore", "Starlette", "at_most", 1.18,
        "JSON endpoint under uvicorn + uvloop: time per request <= 1.18x Starlette's "
        "(>= 0.85x its req/s)",
    ),
    Goal(
        "uvicorn uvloop, json", f"ctxcore {TAIL}", f"ctxcore {MEDIAN}", "at_most", 2.5,
        "JSON endpoint under uvicorn + uvloop: p99 latency <= 2.5x the median",
    ),
)  # fmt: skip
# One colour per app in every panel of the latency chart.
COLORS = {
    "ctxcore": "#2b6cb0",
    "ctxcore, sync view": "#63b3ed",
    "Flask": "#dd6b20",
    "Quart": "#38a169",
    "Starlette": "#c53030",
    "FastAPI": "#805ad5",
}
# Near a whole core, the load generator (not the server) may have set the pace.
CLIENT_BUSY = 0.8


def case_of(server: Server) -> Case:
    """The report case of one server configuration."""
    return Case(
        server.name,
        f"GET {server.endpoint.path} under {server.name.split(',')[0]}",
        tuple(Impl(c.name, needs=server.needs + c.needs) for c in server.contenders),
        unit="per request",
    )


CASES = tuple(case_of(server) for server in SERVERS)


def _runs(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Each benchmark's runs' metadata, from the suite's pyperf JSON."""
    import pyperf

    out: dict[str, list[dict[str, Any]]] = {}
    for bench in pyperf.BenchmarkSuite.load(str(path)).get_benchmarks():
        out[bench.get_name()] = [dict(run.get_metadata()) for run in bench.get_runs()]
    return out


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One app's load runs in one figure set: totals, and the median run's percentiles."""
    requests = sum(int(run["e2e_requests"]) for run in runs)
    duration = sum(float(run["e2e_duration"]) for run in runs)
    curves = [{float(p): v for p, v in json.loads(run["e2e_latency_us"]).items()} for run in runs]
    errors: dict[str, int] = {}
    for run in runs:
        for kind, count in json.loads(run["e2e_errors"]).items():
            errors[kind] = errors.get(kind, 0) + int(count)
    server = [float(run["e2e_server_cpu"]) for run in runs if "e2e_server_cpu" in run]
    return {
        "rps": requests / duration if duration else 0.0,
        "latency_us": {p: statistics.median(c[p] for c in curves) for p in curves[0]},
        "max_us": max(float(run["e2e_max_us"]) for run in runs),
        "errors": errors,
        "server_cpu": statistics.mean(server) if server else None,
        "client_cpu": statistics.mean(float(run["e2e_client_cpu"]) for run in runs),
        "generator": runs[0].get("e2e_generator", "?"),
        "connections": runs[0].get("e2e_connections", "?"),
    }


def _ms(us: float) -> str:
    return f"{us / 1000:.2f}"


def _tail(latency: dict[float, float]) -> str:
    """How far the p99 sits above the median (x the p50)."""
    return f"{latency[99.0] / latency[50.0]:.1f}x" if latency[50.0] else "—"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _table(case: Case, figures: dict[str, dict[str, Any]]) -> Table | None:
    rows = []
    reference = figures.get(case.impls[0].name)
    for impl in case.impls:
        fig = figures.get(impl.name)
        if fig is None:
            continue
        ratio = f"{fig['rps'] / reference['rps']:.2f}" if reference and reference["rps"] else "—"
        lat = fig["latency_us"]
        failed = sum(fig["errors"].values())
        rows.append(
            (
                impl.name, f"{fig['rps']:,.0f}", ratio, _ms(lat[50.0]), _ms(lat[90.0]),
                _ms(lat[99.0]), _tail(lat), _ms(lat[99.9]), _ms(fig["max_us"]), str(failed),
                _share(fig["server_cpu"]), _share(fig["client_cpu"]),
            )
        )  # fmt: skip
    if not rows:
        return None
    return Table(
        f"{case.name}: throughput and latency (ms)",
        (
            "implementation", "req/s", "req/s x ctxcore", "p50", "p90", "p99", "p99 / p50",
            "p99.9", "max",
            "errors", "server CPU", "client CPU",
        ),
        tuple(rows),
    )  # fmt: skip


def latency_chart(cases: list[tuple[Case, dict[str, dict[str, Any]]]], out: Path) -> Path | None:
    """Latency by percentile for every app, one panel per server; None without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    import math

    measured = [(case, figs) for case, figs in cases if figs]
    if not measured:
        return None
    fig, axes = plt.subplots(len(measured), 1, figsize=(8, 3.2 * len(measured)), squeeze=False)

    def nines(p: float) -> float:  # 50 -> 0.3, 90 -> 1, 99 -> 2, 99.9 -> 3
        return -math.log10(1 - min(p, 99.99) / 100)

    ticks = [0, 50, 90, 99, 99.9, 99.99]
    for ax, (case, figs) in zip(axes[:, 0], measured, strict=True):
        for name, figure in figs.items():
            points = sorted(figure["latency_us"].items())
            style = "-" if name.startswith("ctxcore") else "--"
            ax.plot(
                [nines(p) for p, _ in points], [v / 1000 for _, v in points], style,
                marker=".", label=name, color=COLORS.get(name),
            )  # fmt: skip
        ax.set_xticks([nines(p) for p in ticks], [f"p{p:g}" for p in ticks])
        ax.set_yscale("log")
        plain_log_ticks(ax, "y")
        ax.set_ylabel("latency (ms)", fontsize=8)
        ax.set_title(f"{case.name}: latency by percentile (lower is better)", fontsize=9)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        ax.tick_params(labelsize=8)
    fig.tight_layout()
    return save_chart(fig, out, "e2e-latency")


def details(path: Path, out: Path) -> Details:
    """Throughput/latency tables, the latency chart and notes on the load generator."""
    if not path.exists():
        return Details()
    runs = _runs(path)
    cases = [
        (
            case,
            {
                impl.name: summarize(runs[bench_name(case, impl)])
                for impl in case.impls
                if bench_name(case, impl) in runs
            },
        )
        for case in CASES
    ]
    tables = tuple(t for t in (_table(case, figs) for case, figs in cases) if t is not None)
    chart = latency_chart(cases, out)
    every = [fig for _, figs in cases for fig in figs.values()]
    notes = []
    if every:
        client = max(fig["client_cpu"] for fig in every)
        servers = [fig["server_cpu"] for fig in every if fig["server_cpu"] is not None]
        low, high = (f"{min(servers):.0%}", f"{max(servers):.0%}") if servers else ("", "")
        used = low if low == high else f"{low}-{high}"
        server_text = f"; servers used {used} of their core" if servers else ""
        notes.append(
            f"Load generator: {every[0]['generator']}, {every[0]['connections']} connections, "
            f"at most {client:.0%} of a core{server_text}. Percentiles are the median over "
            "rounds; req/s is over all rounds; CPU shares are of one core."
        )
        if client >= CLIENT_BUSY:
            notes.append(
                "Warning: the load generator used most of a core, so it may have limited "
                "these figures; install wrk (apt-get install wrk) for a lighter one."
            )
    return Details(tables=tables, charts=(chart,) if chart else (), notes=tuple(notes))


def goal_times(path: Path) -> dict[str, tuple[float, float | None]]:
    """Each app's median and p99 latency (seconds) as goal sides, named
    ``"<case> | <app> median"`` and ``"<case> | <app> p99"``: the median over rounds,
    as the tables show it, with the rounds' standard deviation as its spread."""
    out: dict[str, tuple[float, float | None]] = {}
    for name, runs in _runs(path).items():
        curves = [
            {float(p): v for p, v in json.loads(run["e2e_latency_us"]).items()} for run in runs
        ]
        for label, percentile in ((MEDIAN, 50.0), (TAIL, 99.0)):
            values = [curve[percentile] / 1e6 for curve in curves]
            spread = statistics.stdev(values) if len(values) > 1 else None
            out[f"{name} {label}"] = (statistics.median(values), spread)
    return out


def rates(path: Path) -> dict[str, float]:
    """Requests per second per benchmark, as the tables count them (the report's
    summary shows them, servers by apps)."""
    return {name: summarize(runs)["rps"] for name, runs in _runs(path).items()}
