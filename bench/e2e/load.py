"""Load generators: ``wrk`` when it is installed, a Python client otherwise.

Both are closed-loop: each of ``connections`` keep-alive connections sends its next
request when the previous answer has arrived, for ``duration`` whole seconds. Both
print one ``CTXCORE-E2E {json}`` line that :func:`run_load` parses into a
:class:`LoadResult`. The CPU time the generator used is measured too, so the report can
show that the server, not the client, was the bottleneck.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MARKER = "CTXCORE-E2E "
LUA = Path(__file__).with_name("report.lua")
# The percentiles both generators report (latency distribution charts plot them).
PERCENTILES: tuple[float, ...] = (
    0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95, 97.5, 99, 99.5, 99.9, 99.99,
)  # fmt: skip


@dataclass(frozen=True)
class LoadResult:
    """What one load run measured."""

    requests: int
    duration: float  # seconds
    mean_us: float
    max_us: float
    percentiles_us: dict[float, float]
    errors: dict[str, int]
    client_cpu: float  # CPU seconds the load generator used

    @property
    def rps(self) -> float:
        """Requests per second."""
        return self.requests / self.duration if self.duration else 0.0

    @property
    def error_count(self) -> int:
        """Failed requests of every kind (connect, read, write, timeout, non-2xx status)."""
        return sum(self.errors.values())


def generator() -> str:
    """The load generator in use: ``"wrk"`` or ``"python"``.

    ``CTXCORE_BENCH_CLIENT=python`` forces the Python client; ``wrk`` is used when it is
    on PATH (``apt-get install wrk``).
    """
    wanted = os.environ.get("CTXCORE_BENCH_CLIENT", "")
    if wanted not in ("", "wrk", "python"):
        raise ValueError(f"CTXCORE_BENCH_CLIENT must be 'wrk' or 'python', not {wanted!r}")
    if wanted == "python" or (wanted == "" and shutil.which("wrk") is None):
        return "python"
    if shutil.which("wrk") is None:
        raise RuntimeError("CTXCORE_BENCH_CLIENT=wrk but wrk is not on PATH (apt-get install wrk)")
    return "wrk"


def generator_version(name: str) -> str:
    """A human-readable version of the generator (for the report)."""
    if name == "python":
        return f"python client (CPython {sys.version.split()[0]})"
    done = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    first = (done.stdout or done.stderr).splitlines()
    return first[0].split(" [")[0] if first else "wrk"


def _command(name: str, url: str, connections: int, duration: int) -> list[str]:
    if name == "wrk":
        return [
            "wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
            "-s", str(LUA), url,
        ]  # fmt: skip
    return [
        sys.executable, "-m", "bench.e2e.pyload", url,
        "--connections", str(connections), "--duration", str(duration),
    ]  # fmt: skip


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _pin(cpu: int | None) -> Any:
    if cpu is None:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


def run_load(
    url: str, *, connections: int, duration: int, client: str, cpu: int | None = None
) -> LoadResult:
    """Load ``url`` for ``duration`` seconds and return what was measured.

    ``cpu`` pins the generator to that CPU (the server runs on another one).
    """
    if duration < 1 or connections < 1:
        raise ValueError("duration and connections must be at least 1")
    before = _children_cpu()
    done = subprocess.run(
        _command(client, url, connections, duration),
        capture_output=True,
        text=True,
        timeout=duration + 60,
        check=False,
        preexec_fn=_pin(cpu),  # the runner is single-threaded, so a pre-exec hook is safe
        cwd=Path(__file__).resolve().parents[2],
    )
    cpu_used = _children_cpu() - before
    line = next((x for x in done.stdout.splitlines() if x.startswith(MARKER)), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(
            f"load generator {client} failed ({done.returncode}) on {url}:\n"
            f"{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    return parse(json.loads(line[len(MARKER) :]), cpu_used)


def parse(data: dict[str, Any], client_cpu: float) -> LoadResult:
    """Build a :class:`LoadResult` from a generator's JSON line."""
    return LoadResult(
        requests=int(data["requests"]),
        duration=data["duration_us"] / 1e6,
        mean_us=float(data["mean_us"]),
        max_us=float(data["max_us"]),
        percentiles_us={float(p): float(v) for p, v in data["p"].items()},
        errors={k: int(v) for k, v in data["errors"].items()},
        client_cpu=client_cpu,
    )
