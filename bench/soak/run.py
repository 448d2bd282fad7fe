"""``python -m bench.soak.run --output FILE --mode MODE``: the soak suite's own runner.

Each target runs in a fresh process, one after another, so the RSS it reports is its own:
the in-process drivers (``bench.soak.inproc``) call the app directly; a server target
(``bench.soak.servers``) starts a real server, loads it from CPU 1 and stops it. Each
target becomes one pyperf benchmark with one run whose value is seconds per request
cycle; what the report needs (errors, leaks, samples of RSS and live contexts, contexts
left pushed) goes into the run's metadata as ``soak_result``. The file is ordinary pyperf
JSON (``python -m pyperf show``, ``python -m bench compare`` read it).

The exit status is 1 when a target could not run, or ran and was not flat (a leak, an
error, a context left pushed, RSS beyond the bound): the JSON is written first, so the
report shows what went wrong.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.peers import missing
from bench.soak.results import MARKER, MB, SoakResult, figures, verdict
from bench.soak.targets import TARGETS, Target
from bench.suites._base import bench_name
from bench.suites.soak import case_of

__all__ = ["PLANS", "Plan", "main", "run_target"]

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Plan:
    """How many request cycles each target gets, and how many of them warm up."""

    cycles: int  # per in-process target
    requests: int  # per server kind
    warmup_cycles: int
    warmup_requests: int

    def size(self, target: Target) -> tuple[int, int]:
        """(cycles, warm-up) for ``target``."""
        if target.server:
            return self.requests, self.warmup_requests
        return self.cycles, self.warmup_cycles


PLANS = {
    "smoke": Plan(cycles=2_000, requests=1_000, warmup_cycles=500, warmup_requests=200),
    "fast": Plan(cycles=50_000, requests=20_000, warmup_cycles=10_000, warmup_requests=5_000),
    # The figures: 1,000,000 cycles in process, 200,000 requests per server.
    "default": Plan(
        cycles=1_000_000, requests=200_000, warmup_cycles=50_000, warmup_requests=20_000
    ),
    "rigorous": Plan(
        cycles=2_000_000, requests=400_000, warmup_cycles=100_000, warmup_requests=40_000
    ),
}


def _command(target: Target, cycles: int, warmup: int) -> list[str]:
    if target.server:
        return [
            sys.executable, "-m", "bench.soak.servers", target.key,
            "--requests", str(cycles), "--warmup", str(warmup),
        ]  # fmt: skip
    return [
        sys.executable, "-m", "bench.soak.inproc", target.key,
        "--cycles", str(cycles), "--warmup", str(warmup),
    ]  # fmt: skip


def run_target(target: Target, cycles: int, warmup: int) -> SoakResult:
    """Run ``target`` in a fresh process; echo its progress; return its result."""
    found: dict[str, Any] | None = None
    tail: list[str] = []
    with subprocess.Popen(
        _command(target, cycles, warmup),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith(MARKER):
                found = json.loads(line[len(MARKER) :])
                continue
            print(f"{target.name}: {line.rstrip()}", flush=True)
            tail = [*tail[-40:], line]
        code = proc.wait()
    if code != 0 or found is None:
        raise RuntimeError(f"{target.name} failed ({code}):\n{''.join(tail)}")
    return SoakResult.from_json(found)


def summary(result: SoakResult) -> str:
    """The console line of one finished target."""
    fig = figures(result)
    rate = result.cycles / result.wall if result.wall else 0.0
    memory = ""
    if fig.rss_start is not None and fig.rss_warm is not None and fig.rss_end is not None:
        drift = fig.drift or 0
        memory = (
            f", RSS {fig.rss_start / MB:.1f} -> {fig.rss_warm / MB:.1f} MB after warm-up "
            f"-> {fig.rss_end / MB:.1f} MB (max drift {drift / MB:+.2f} MB)"
        )
    live = result.live_end
    return (
        f"{result.target}: {result.cycles:,} cycles in {result.wall:.0f}s ({rate:,.0f}/s), "
        f"{result.error_count} errors, {result.leaks} leaks{memory}, "
        f"live idents at end {live.get('request', '?')}/{live.get('app', '?')}: {verdict(result)}"
    )


def main(argv: list[str] | None = None) -> int:
    """Soak every target whose parts are installed; write pyperf JSON."""
    import pyperf

    parser = argparse.ArgumentParser(prog="python -m bench.soak.run")
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--mode", choices=sorted(PLANS), default="default")
    parser.add_argument(
        "--targets", help="comma-separated target keys (default: all installed)", default=""
    )
    args = parser.parse_args(argv)
    plan = PLANS[args.mode]
    wanted = {key.strip() for key in args.targets.split(",") if key.strip()}
    benchmarks = []
    failed = []
    for target in TARGETS:
        if wanted and target.key not in wanted:
            continue
        absent = missing(*target.needs)
        if absent:
            print(f"{target.name}: skipped (not installed: {', '.join(absent)})", flush=True)
            continue
        cycles, warmup = plan.size(target)
        print(f"{target.name}: {cycles:,} cycles, {warmup:,} of them warm-up", flush=True)
        started = time.monotonic()
        try:
            result = run_target(target, cycles, warmup)
        except (RuntimeError, OSError) as exc:
            failed.append(target.name)
            print(f"{target.name}: FAILED: {exc}", flush=True)
            continue
        print(summary(result) + f" [{time.monotonic() - started:.0f}s]", flush=True)
        if not verdict(result).startswith("flat"):
            failed.append(target.name)
        name = bench_name(case_of(target), case_of(target).impls[0])
        run = pyperf.Run(
            [result.wall / max(result.cycles, 1)],
            metadata=result.metadata(name),
            collect_metadata=False,
        )
        benchmarks.append(pyperf.Benchmark([run]))
    if benchmarks:
        pyperf.BenchmarkSuite(benchmarks).dump(str(args.output), replace=True)
    if failed:
        print(f"soak: not flat or failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0 if benchmarks else 1


if __name__ == "__main__":
    raise SystemExit(main())
