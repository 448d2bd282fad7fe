"""1,000 concurrent keep-alive connections through uvicorn+uvloop and gevent's server.

Every connection is opened first (in waves of 100), and held until the server holds
all of them at once (counted in ``/proc``); then each sends a few requests, one after
the other, over its own connection. Each request stores its id in ``g``, a ``Local``
and the session and reports what it sees (``tests/adapters/stress.py``): zero errors,
zero mismatches, and every response keeps the connection open. Bounded: 60 s per
server. A load test: in the slow group (``python -m pytest -m slow``), run once by CI.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

import pytest

from tests.adapters.servers import (
    HOST,
    ensure_open_files,
    process_open_files,
    running_server,
)

TARGET = "tests.adapters.stress:app"
CONNECTIONS = 1000
PER_CONNECTION = 3
WAVE = 100  # connections opened at once
BUDGET = 60.0  # seconds per server (about 2.5 s on a quiet machine): a bound, not a speed goal
#: Open files a side needs: its connections, plus room for the rest of the process.
FILES_NEEDED = CONNECTIONS + 512


@dataclass
class Figures:
    connections: int = 0  # connections opened
    held_by_server: int = 0  # connections the server process held at once (peak)
    ok: int = 0
    errors: list[str] = field(default_factory=list)
    mismatches: list[object] = field(default_factory=list)
    connect_s: float = 0.0
    requests_s: float = 0.0

    @property
    def requests(self) -> int:
        return self.ok + len(self.errors) + len(self.mismatches)


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    status_line, *lines = head[:-4].split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            parts.append((await reader.readexactly(size + 2))[:-2])
        await reader.readuntil(b"\r\n")
        body = b"".join(parts)
    else:
        raise ValueError(f"a response without a length on a keep-alive connection: {head!r}")
    return int(status_line.split(" ", 2)[1]), headers, body


async def _load(port: int, server_pid: int, baseline: int) -> Figures:
    figures = Figures()
    attempted = 0
    go = asyncio.Event()

    async def client(index: int) -> None:
        nonlocal attempted
        writer = None
        try:
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), 15)
                figures.connections += 1
            finally:
                attempted += 1
            await go.wait()
            for n in range(PER_CONNECTION):
                rid = f"c{index}-r{n}"
                prefix = "/sync" if (index + n) % 2 == 0 else "/async"
                writer.write(f"GET {prefix}/{rid} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                await writer.drain()
                status, headers, body = await _read_response(reader)
                if status != 200:
                    figures.errors.append(f"{rid}: HTTP {status}: {body[:200]!r}")
                    return
                if headers.get("connection", "").lower() == "close":
                    figures.errors.append(f"{rid}: the server closed a keep-alive connection")
                    return
                data = json.loads(body)
                if data.get("ok") is True and data.get("rid") == rid:
                    figures.ok += 1
                else:
                    figures.mismatches.append(data)
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
            figures.errors.append(f"c{index}: {exc!r}")
        finally:
            if writer is not None:
                writer.close()

    started = time.monotonic()
    tasks: list[asyncio.Task[None]] = []
    # Opened in waves, each accepted before the next: a burst of 1,000 connects at once
    # overflows a short listen backlog (gevent's is 128) and the kernel then completes
    # the overflowing handshakes only as its SYN-ACK retransmits come (1 s, 3 s, 7 s...).
    for first in range(0, CONNECTIONS, WAVE):
        wave = range(first, min(first + WAVE, CONNECTIONS))
        tasks += [asyncio.create_task(client(i)) for i in wave]
        while attempted < wave[-1] + 1:
            await asyncio.sleep(0.005)
        deadline = time.monotonic() + 1
        while True:
            held = process_open_files(server_pid)[0] - baseline
            figures.held_by_server = max(figures.held_by_server, held)
            if held >= figures.connections or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.02)
    figures.connect_s = time.monotonic() - started
    go.set()
    await asyncio.gather(*tasks)
    figures.requests_s = time.monotonic() - started - figures.connect_s
    return figures


@pytest.mark.slow
@pytest.mark.parametrize(
    ("server", "extra"),
    [
        pytest.param("uvicorn", ("--loop", "uvloop"), id="uvicorn-uvloop"),
        pytest.param("gevent", (), id="gevent"),
    ],
)
def test_a_thousand_keep_alive_connections(server: str, extra: tuple[str, ...]) -> None:
    assert ensure_open_files(FILES_NEEDED) >= FILES_NEEDED  # the server inherits it
    with running_server(TARGET, server, *extra) as (port, proc):
        baseline, server_limit = process_open_files(proc.pid)  # its listening socket...
        assert server_limit >= FILES_NEEDED, f"{server} may open only {server_limit} files"
        started = time.monotonic()
        figures = asyncio.run(asyncio.wait_for(_load(port, proc.pid, baseline), BUDGET))
        wall = time.monotonic() - started
    print(
        f"{server}: {figures.connections} connections (server held {figures.held_by_server} "
        f"at once), {figures.requests} requests, {figures.ok} ok, "
        f"{len(figures.errors)} errors, {len(figures.mismatches)} mismatches; "
        f"connect {figures.connect_s:.2f}s + requests {figures.requests_s:.2f}s = {wall:.2f}s"
    )
    assert figures.errors == []
    assert figures.mismatches == []
    assert figures.connections == CONNECTIONS
    # All open on the server at once, counted from its open files: a few of its own
    # files may come and go meanwhile (the count's baseline), so allow for those.
    assert figures.held_by_server >= CONNECTIONS - 5
    assert figures.ok == CONNECTIONS * PER_CONNECTION
    assert wall < BUDGET
