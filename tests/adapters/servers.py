"""Start real servers on 127.0.0.1 for tests, load them, and stop them."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Port picking and process-group shutdown come from the serve adapter, which the
# benchmark's e2e runner uses too.
from ctxcore.adapters.serve import HOST, free_port
from ctxcore.adapters.serve import stop_process_group as stop

ROOT = Path(__file__).resolve().parents[2]


def wait_for_port(
    port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float = 30.0
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = log.read_text(errors="replace")
            raise RuntimeError(f"server exited early ({proc.returncode}):\n{out[-3000:]}")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"server on port {port} did not start within {timeout}s")


@contextmanager
def _spawned(
    label: str,
    cmd: list[str],
    port: int,
    env: dict[str, str] | None = None,
    *,
    log_to: Path | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``cmd`` (a server on ``port``) until the block ends, then stop its process group.

    Its output goes to ``log_to`` (kept, for the caller to read) or to a temporary file.
    """
    # Output goes to a file: an unread pipe fills up and blocks a server that logs.
    with (
        open(log_to, "wb")
        if log_to is not None
        else tempfile.NamedTemporaryFile(prefix=f"ctxcore-{label}-", suffix=".log", delete=False)
    ) as out:
        log = Path(out.name)
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: workers are stopped with it
        )
    try:
        wait_for_port(port, proc, log)
        yield proc
    finally:
        stop(proc)
        if log_to is None:
            log.unlink(missing_ok=True)


@contextmanager
def running_server(
    target: str, server: str, *extra: str, env: dict[str, str] | None = None
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """``python -m ctxcore serve target --server server ...`` on a free port; stopped after."""
    port = free_port()
    serve = [sys.executable, "-m", "ctxcore", "serve", target, "--server", server]
    with _spawned(server, [*serve, "--port", str(port), *extra], port, env) as proc:
        yield port, proc


@contextmanager
def running_command(server: str, target: str, *extra: str) -> Iterator[int]:
    """An ASGI ``target`` (any callable, not only an App) under uvicorn/hypercorn directly."""
    port = free_port()
    if server == "uvicorn":
        cmd = [sys.executable, "-m", "uvicorn", target, "--port", str(port), "--no-access-log"]
    else:
        cmd = [sys.executable, "-m", "hypercorn", target, "--bind", f"{HOST}:{port}"]
    with _spawned(server, [*cmd, *extra], port):
        yield port


def raw_get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """One GET on a fresh connection; returns (status, body)."""
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    request = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n{extra}Connection: close\r\n\r\n"
    raw = raw_exchange(port, [request.encode()])
    head, _, body = raw.partition(b"\r\n\r\n")
    if b"transfer-encoding: chunked" in head.lower():
        body = _dechunk(body)
    return int(head.split(b" ", 2)[1]), body


@dataclass
class LoadResult:
    ok: int = 0
    mismatches: list[Any] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


async def _one(port: int, path: str, timeout: float) -> tuple[int, bytes]:
    reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), timeout)
    try:
        request = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n\r\n"
        writer.write(request.encode())
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    if b"transfer-encoding: chunked" in head.lower():
        body = _dechunk(body)
    return status, body


def _dechunk(data: bytes) -> bytes:
    out = bytearray()
    while data:
        size_line, _, rest = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        data = rest[size + 2 :]
    return bytes(out)


def load(
    port: int, prefix: str, connections: int = 64, per_connection: int = 32, timeout: float = 30
) -> LoadResult:
    """``connections`` concurrent clients, each making ``per_connection`` requests."""
    result = LoadResult()

    async def client(index: int) -> None:
        for n in range(per_connection):
            rid = f"c{index}-r{n}"
            try:
                status, body = await _one(port, f"{prefix}/{rid}", timeout)
            except (OSError, asyncio.TimeoutError, ValueError, IndexError) as exc:
                result.errors.append(f"{rid}: {exc!r}")
                continue
            if status != 200:
                result.errors.append(f"{rid}: HTTP {status}: {body[:200]!r}")
                continue
            data = json.loads(body)
            if data.get("ok") and data.get("rid") == rid:
                result.ok += 1
            else:
                result.mismatches.append(data)

    async def main() -> None:
        await asyncio.gather(*(client(i) for i in range(connections)))

    asyncio.run(main())
    return result


def raw_exchange(
    port: int, payloads: Sequence[bytes], timeout: float = 10, *, half_close: bool = False
) -> bytes:
    """Send raw bytes on one connection and return everything the server answers.

    With ``half_close`` the client shuts its sending side afterwards (some servers take
    that as a disconnect); otherwise it waits for the server to close.
    """
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        for payload in payloads:
            sock.sendall(payload)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


@dataclass
class WrkResult:
    """What one wrk run reported: requests served, errors, 99th percentile latency."""

    requests: int
    errors: int
    p99_ms: float
    summary: str


_WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk_load(url: str, *, connections: int, seconds: int) -> WrkResult:
    """Run ``wrk`` against ``url`` (loopback) on keep-alive connections; parse its summary."""
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    ).stdout
    requests = re.search(r"(\d+) requests in", out)
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    if requests is None or p99 is None:
        raise AssertionError(f"unexpected wrk output:\n{out}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(non_2xx.group(1)) if non_2xx else 0
    p99_ms = float(p99.group(1)) * _WRK_UNITS[p99.group(2)]
    return WrkResult(int(requests.group(1)), errors, p99_ms, out)


def ensure_open_files(needed: int) -> int:
    """Raise this process's soft ``RLIMIT_NOFILE`` to at least ``needed`` (capped by the
    hard limit); servers spawned afterwards inherit it. Returns the soft limit now."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


def process_open_files(pid: int) -> tuple[int, int]:
    """(open sockets, soft open-file limit) of process ``pid``, from ``/proc`` (Linux)."""
    fds = Path(f"/proc/{pid}/fd")
    sockets = 0
    for entry in fds.iterdir():
        try:
            if os.readlink(entry).startswith("socket:"):
                sockets += 1
        except OSError:  # closed meanwhile
            continue
    limit = 0
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            soft = line.split()[3]
            limit = sys.maxsize if soft == "unlimited" else int(soft)
    return sockets, limit
