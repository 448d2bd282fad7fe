"""Real servers for the soak: ``python -m ctxcore serve bench.soak.app:app --server ...``.

Each kind is started the way a user starts it (``ctxcore serve`` execs the server), in
its own process group on 127.0.0.1, pinned to CPU 0 when there are two CPUs (the
client runs on CPU 1), and stopped with its workers. Its RSS is read from the process
that answers ``/diag`` (the gunicorn or hypercorn worker, not the master).

``python -m bench.soak.servers KIND --requests N --warmup W`` soaks one kind in a fresh
process and prints one ``CTXCORE-SOAK {json}`` line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ctxcore.adapters.serve import HOST, free_port, stop_process_group

from bench.soak.client import Load, get, run_load
from bench.soak.results import MARKER, SoakResult, tenths
from bench.soak.targets import Target, target

__all__ = ["Started", "run_server", "serving"]

ROOT = Path(__file__).resolve().parents[2]
TARGET = "bench.soak.app:app"
SERVER_CPU, CLIENT_CPU = (0, 1) if (os.cpu_count() or 1) >= 2 else (None, None)


@dataclass
class Started:
    """A server process (its group holds its workers) and where its output goes."""

    target: Target
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def _own_group() -> None:
    os.setsid()  # stopping the group stops the workers too
    if SERVER_CPU is not None:
        os.sched_setaffinity(0, {SERVER_CPU})


def start(kind: Target) -> Started:
    """Start server ``kind`` serving the soak app on a free port (returns before it listens)."""
    port = free_port()
    command = [sys.executable, "-m", "ctxcore", "serve", TARGET, *kind.serve]
    command += ["--host", HOST, "--port", str(port)]
    with tempfile.NamedTemporaryFile(prefix="ctxcore-soak-", suffix=".log", delete=False) as out:
        proc = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=out,  # a file: an unread pipe would block a server that logs
            stderr=subprocess.STDOUT,
            preexec_fn=_own_group,  # noqa: PLW1509 - started from a single thread
        )
    return Started(kind, port, proc, Path(out.name))


def wait_ready(started: Started, timeout: float = 60.0) -> None:
    """Wait until the server answers a soak request correctly; raise otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if started.proc.poll() is not None:
            raise RuntimeError(
                f"{started.target.name} exited ({started.proc.returncode}):\n{started.output()}"
            )
        try:
            with socket.create_connection((HOST, started.port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.05)
    else:
        raise TimeoutError(f"{started.target.name} did not listen within {timeout:.0f}s")
    status, body = asyncio.run(get(HOST, started.port, "/sync/ready"))
    if status != 200 or json.loads(body) != {"rid": "ready", "ok": True}:
        raise RuntimeError(f"{started.target.name} answered {status} {body[:300]!r}")


@contextmanager
def serving(kind: Target) -> Iterator[Started]:
    """``kind`` started and answering; stopped (with its workers) on the way out."""
    started = start(kind)
    try:
        wait_ready(started)
        yield started
    finally:
        stop_process_group(started.proc)
        started.log.unlink(missing_ok=True)


def run_server(
    kind: Target,
    requests: int,
    *,
    warmup: int,
    connections: int = 32,
    progress: Callable[[SoakResult], object] = lambda _: None,
) -> SoakResult:
    """Start ``kind``, send it ``requests`` checked requests, stop it; what was measured."""
    from bench.soak.inproc import new_loop

    result = SoakResult(kind.name, f"{kind.setup}; {connections} connections", warmup=warmup)
    # One sample per ~1/200 of the run at the usual 2,000-4,000 requests/s.
    every = min(0.5, max(0.05, requests / 2500 / 200))
    loop = new_loop("uvloop" if _has("uvloop") else "asyncio")
    try:
        with serving(kind) as started:
            load = Load(HOST, started.port, requests, connections, kind.views, every)
            loop.run_until_complete(run_load(load, result, progress=progress))
            if started.proc.poll() is not None:
                result.error("server exited")
    finally:
        loop.close()
    return result


def _has(module: str) -> bool:
    from importlib.util import find_spec

    return find_spec(module) is not None


def main(argv: list[str] | None = None) -> int:
    """Soak one server kind and print its result line."""
    parser = argparse.ArgumentParser(prog="python -m bench.soak.servers")
    parser.add_argument("kind", help="a server target's key (bench.soak.targets)")
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--warmup", type=int, default=0)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args(argv)
    if CLIENT_CPU is not None:
        os.sched_setaffinity(0, {CLIENT_CPU})
    kind = target(args.kind)
    if not kind.server:
        parser.error(f"{args.kind} is not a server target")
    result = run_server(
        kind,
        args.requests,
        warmup=args.warmup,
        connections=args.connections,
        progress=tenths(args.requests),
    )
    print(MARKER + json.dumps(result.to_json()), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
