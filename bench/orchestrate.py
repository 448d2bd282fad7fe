"""Run the chosen suites one after another, each in its own pyperf process, then report."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.peers import PEERS
from bench.suites import load
from bench.suites._base import bench_name

MODE_FLAGS = {
    # A few minutes for every suite on a 2-core machine: fewer, shorter worker runs.
    "fast": ["--processes=4", "--values=3", "--warmups=1", "--min-time=0.05"],
    "rigorous": ["--rigorous"],
    "default": [],
    # One value from one process: proves every benchmark runs, measures nothing.
    "smoke": ["--debug-single-value", "--quiet"],
}


def machine() -> dict[str, Any]:
    """What the numbers were measured on (the workers run this interpreter, this env)."""
    import ctxcore

    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        # Which Local/LocalStack/LocalProxy the "ctxcore" rows measured.
        "ctxcore_implementation": ctxcore.implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "libraries": {name: peer.version() for name, peer in PEERS.items()},
    }


def skipped(suite_name: str) -> list[dict[str, Any]]:
    """The implementations of a suite that cannot run here, and why."""
    suite = load(suite_name)
    out = []
    for case in suite.CASES:
        for impl in case.impls:
            absent = impl.skipped()
            if absent:
                out.append(
                    {
                        "benchmark": bench_name(case, impl),
                        "reason": f"not installed: {', '.join(absent)}",
                    }
                )
    return out


def _run_suite(name: str, out: Path, mode: str, index: int, total: int) -> bool:
    output = str(out / f"{name}.json")
    own = getattr(load(name), "COMMAND", None)
    if own is not None:  # measured from outside (servers under load), not by pyperf workers
        cmd = [sys.executable, *own, "--output", output, "--mode", mode]
    else:
        cmd = [sys.executable, "-m", "bench", "--suite", name, "--output", output]
        cmd += MODE_FLAGS[mode]
    print(f"[{index}/{total}] suite {name!r} ({mode})", flush=True)
    started = time.monotonic()
    proc = subprocess.Popen(
        cmd,
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        print(f"    {line.rstrip()}", flush=True)
    code = proc.wait()
    for key, extra in getattr(load(name), "EXTRA_COMMANDS", {}).items():
        # What a suite measures besides pyperf's times (context: Python calls per request).
        path = out / f"{name}-{key}.json"
        extra_cmd = [sys.executable, *extra, "--output", str(path), "--mode", mode]
        done = subprocess.run(
            extra_cmd,
            cwd=Path(__file__).resolve().parent.parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
        for line in done.stdout.splitlines():
            print(f"    {line}", flush=True)
        code = code or done.returncode
    print(f"[{index}/{total}] suite {name!r} done in {time.monotonic() - started:.0f}s", flush=True)
    return code == 0


def run_all(suites: list[str], out: Path, mode: str) -> int:
    """Run ``suites`` into ``out`` and write the report there; return an exit status."""
    from bench.report import write_report

    if out.exists() and any(out.iterdir()):
        print(f"error: {out} already holds files; choose an empty or new --out", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    meta = {
        "mode": mode,
        "suites": suites,
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": machine(),
        "skipped": {name: skipped(name) for name in suites},
    }
    failed = [
        name
        for index, name in enumerate(suites, 1)
        if not _run_suite(name, out, mode, index, len(suites))
    ]
    meta["failed"] = failed
    meta["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    (out / "meta.json").write_text(json.dumps(meta, indent=2))
    paths = write_report(out)
    for path in paths:
        print(f"wrote {path}")
    if failed:
        print(f"error: suites failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
