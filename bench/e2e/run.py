"""``python -m bench.e2e.run --output FILE --mode MODE``: the e2e suite's own runner.

pyperf times functions in worker processes; a server under load is measured from
outside instead. For each server configuration the runner starts every app at once,
checks that each answers correctly, warms each up, then runs the load generator against
them in turn for several rounds (rotating the order, so drift on a shared machine falls
on all of them alike). Each load run becomes one pyperf run whose value is seconds per
request (1 / throughput); its latency percentiles, errors and CPU shares go into the
run's metadata. The file written is ordinary pyperf JSON (``python -m pyperf show``,
``python -m bench compare`` read it).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.e2e.load import LoadResult, generator, generator_version, run_load
from bench.e2e.servers import CLIENT_CPU, Running, Server, serving
from bench.peers import missing
from bench.suites._base import bench_name
from bench.suites.e2e import case_of

CONNECTIONS = 32


@dataclass(frozen=True)
class Plan:
    """How long to load each app: whole seconds, as wrk takes them."""

    warmup: int  # seconds of unmeasured load first (0: none)
    rounds: int
    duration: int  # seconds per measured run


PLANS = {
    "smoke": Plan(warmup=0, rounds=1, duration=1),
    "fast": Plan(warmup=1, rounds=3, duration=1),
    "default": Plan(warmup=2, rounds=5, duration=3),
    "rigorous": Plan(warmup=3, rounds=10, duration=5),
}


def run_metadata(
    name: str, result: LoadResult, server_cpu: float | None, client: str
) -> dict[str, Any]:
    """The pyperf metadata of one load run (the report reads the ``e2e_`` keys)."""
    meta: dict[str, Any] = {
        "name": name,
        "unit": "second",
        "e2e_requests": result.requests,
        "e2e_duration": result.duration,
        "e2e_mean_us": result.mean_us,
        "e2e_max_us": result.max_us,
        "e2e_latency_us": json.dumps({f"{p:g}": v for p, v in result.percentiles_us.items()}),
        "e2e_errors": json.dumps(result.errors),
        "e2e_client_cpu": result.client_cpu / result.duration,
        "e2e_connections": CONNECTIONS,
        "e2e_generator": client,
    }
    if server_cpu is not None:
        meta["e2e_server_cpu"] = server_cpu / result.duration
    return meta


def _load(running: Running, duration: int, client: str) -> tuple[LoadResult, float | None]:
    before = running.cpu_seconds()
    result = run_load(
        running.url, connections=CONNECTIONS, duration=duration, client=client, cpu=CLIENT_CPU
    )
    after = running.cpu_seconds()
    return result, (after - before if before is not None and after is not None else None)


def measure_server(server: Server, plan: Plan, client: str) -> list[Any]:
    """Load every installed app of ``server``; return pyperf benchmarks (one per app)."""
    import pyperf

    case = case_of(server)
    impls = {impl.name: impl for impl in case.impls}
    contenders = tuple(c for c in server.contenders if not impls[c.name].skipped())
    runs: dict[str, list[Any]] = {c.name: [] for c in contenders}
    with serving(server, contenders) as started:
        if plan.warmup:
            for running in started:
                _load(running, plan.warmup, client)
        for index in range(plan.rounds):
            shift = index % len(started)
            for running in started[shift:] + started[:shift]:
                result, server_cpu = _load(running, plan.duration, client)
                name = bench_name(case, impls[running.contender.name])
                if result.requests == 0:
                    raise RuntimeError(f"{name}: no request completed ({result.errors})")
                meta = run_metadata(name, result, server_cpu, client)
                runs[running.contender.name].append(
                    pyperf.Run(
                        [result.duration / result.requests], metadata=meta, collect_metadata=False
                    )
                )
                share = f"{server_cpu / result.duration:.0%}" if server_cpu is not None else "?"
                print(
                    f"{name}: round {index + 1}/{plan.rounds}: {result.rps:,.0f} req/s, "
                    f"p99 {result.percentiles_us[99.0] / 1000:.2f} ms, "
                    f"errors {result.error_count}, CPU server {share} "
                    f"client {result.client_cpu / result.duration:.0%}",
                    flush=True,
                )
    return [pyperf.Benchmark(found) for found in runs.values() if found]


def main(argv: list[str] | None = None) -> int:
    """Measure every server configuration whose parts are installed."""
    import pyperf

    from bench.e2e.servers import SERVERS

    parser = argparse.ArgumentParser(prog="python -m bench.e2e.run")
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--mode", choices=sorted(PLANS), default="default")
    args = parser.parse_args(argv)
    plan = PLANS[args.mode]
    client = generator()
    print(
        f"load generator: {generator_version(client)}, {CONNECTIONS} connections; "
        f"{plan.rounds} x {plan.duration}s per app after {plan.warmup}s warm-up",
        flush=True,
    )
    benchmarks: list[Any] = []
    failures = []
    for server in SERVERS:
        absent = missing(*server.needs)
        if absent:
            print(f"{server.name}: skipped (not installed: {', '.join(absent)})", flush=True)
            continue
        try:
            benchmarks.extend(measure_server(server, plan, client))
        except (RuntimeError, TimeoutError, OSError) as exc:
            failures.append(server.name)
            print(f"{server.name}: FAILED: {exc}", flush=True)
    if benchmarks:
        pyperf.BenchmarkSuite(benchmarks).dump(str(args.output), replace=True)
    if failures:
        print(f"failed: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0 if benchmarks else 1


if __name__ == "__main__":
    raise SystemExit(main())
