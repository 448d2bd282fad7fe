"""Uploads through real servers (uvicorn with uvloop, hypercorn) to the app in ``uploads.py``.

A sync view reads its body from ``request.stream`` (or werkzeug's multipart parser does,
spooling the file) while it arrives, so the server process holds a few pieces of it, never
the whole: a 100 MiB upload (slow group) raises the process's peak RSS by far less than
its size, also when the view waits a second before it reads (the servers stop reading
the socket while the app's queue is full). The peak is read from ``/proc/<pid>/status``
(``VmHWM``) after resetting it through ``/proc/<pid>/clear_refs``, so each upload is
measured alone; a control upload to an ``async def`` view, whose body is read ahead whole
by design, shows the probe sees a body that is held. The client streams too: the body is
generated a piece at a time and hashed as it is sent, with a ``Content-Length`` or chunked.

A client that leaves mid-upload leaves nothing behind: its request is torn down, the
spooled file closed, and the next upload is served.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import socket
import struct
import subprocess
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ctxcore.adapters.serve import HOST

from tests.adapters.servers import raw_exchange, running_server

MiB = 1024 * 1024
SMALL = 8 * MiB
BIG = 100 * MiB
#: Peak RSS growth a streamed 100 MiB upload must stay under.
FLAT = 25 * MiB
PIECE = MiB  # what the client generates and sends at a time
BOUNDARY = "ctxcore-boundary"
SETTLE = 5.0  # how long a server may take to notice a client that left

SERVERS = [
    pytest.param(("uvicorn", ("--loop", "uvloop")), id="uvicorn-uvloop"),
    pytest.param(("hypercorn", ()), id="hypercorn"),
]
KINDS = ["raw-length", "raw-chunked", "multipart"]
#: How long the view waits before it reads a ``raw-late`` upload: the client sends as much
#: as the server takes meanwhile, which a server without flow control would keep.
LATE = 1.0


@dataclass
class Served:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    pid: int  # the process serving: hypercorn's worker, a child of ``proc``


@pytest.fixture(scope="module", params=SERVERS)
def served(request: pytest.FixtureRequest) -> Iterator[Served]:
    name, extra = request.param
    env = {"CTXCORE_MAX_BODY_SIZE": str(1024**3)}  # the app's MAX_CONTENT_LENGTH decides
    with running_server("tests.adapters.uploads:app", name, *extra, env=env) as (port, proc):
        yield Served(" ".join((name, *extra)), port, proc, _state(port)["pid"])


# The client.


def _random(size: int, digest: Any) -> Iterator[bytes]:
    """``size`` random bytes, a piece at a time, each fed to ``digest`` as it goes out."""
    left = size
    while left:
        piece = os.urandom(min(PIECE, left))
        digest.update(piece)
        left -= len(piece)
        yield piece


def _multipart(size: int, digest: Any) -> tuple[Iterator[bytes], int]:
    """A form with a ``name`` field and a ``size``-byte file; its parts and its length."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="name"\r\n\r\nreport\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="r.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()

    def parts() -> Iterator[bytes]:
        yield head
        yield from _random(size, digest)
        yield tail

    return parts(), len(head) + size + len(tail)


def _post(
    port: int, path: str, body: Iterable[bytes], length: int | None, headers: dict[str, str]
) -> tuple[int, Any]:
    """POST ``body`` as it is generated: with ``Content-Length: length``, or chunked."""
    if length is not None:
        headers = {**headers, "Content-Length": str(length)}
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        # Without a Content-Length http.client sends an iterable chunked.
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
    finally:
        conn.close()
    return response.status, json.loads(payload)


def _upload(port: int, kind: str, size: int) -> tuple[int, Any, dict[str, Any]]:
    """Send a ``size``-byte upload of ``kind``; (status, answer, the answer expected)."""
    digest = hashlib.sha256()
    if kind == "multipart":
        parts, length = _multipart(size, digest)
        headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
        status, answer = _post(port, "/file", parts, length, headers)
        expected = {"sha256": digest.hexdigest(), "size": size, "name": "report"}
        return status, answer, expected
    path = {"async": "/async-data", "raw-late": f"/hash?wait={LATE}"}.get(kind, "/hash")
    declared = None if kind == "raw-chunked" else size
    status, answer = _post(port, path, _random(size, digest), declared, {})
    answer.pop("thread", None)
    return status, answer, {"sha256": digest.hexdigest(), "size": size}


# The server process's memory and state.


def _status(pid: int) -> dict[str, int]:
    """``VmRSS`` and ``VmHWM`` (peak RSS) of process ``pid``, in bytes."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) * 1024
    return found


@dataclass
class Peak:
    """How far a process's RSS rose above where it was at the start of a block."""

    growth: int = 0


@contextmanager
def _peak_growth(pid: int) -> Iterator[Peak]:
    # Writing 5 to clear_refs resets the peak to the current RSS (Linux >= 4.0).
    Path(f"/proc/{pid}/clear_refs").write_text("5")
    before = _status(pid)["VmRSS"]
    peak = Peak()
    yield peak
    peak.growth = _status(pid)["VmHWM"] - before


def _state(port: int, *, collect: bool = False) -> dict[str, Any]:
    """What the server holds (see ``uploads.state``); after a full collection with
    ``collect``."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        path = "/state?collect=1" if collect else "/state"
        conn.request("GET", path, headers={"Connection": "close"})
        response = conn.getresponse()
        assert response.status == 200
        state: dict[str, Any] = json.loads(response.read())
    finally:
        conn.close()
    return state


def _in_flight(port: int) -> list[str]:
    """The requests in flight once there is one (or SETTLE runs out)."""
    deadline = time.monotonic() + SETTLE
    while True:
        paths: list[str] = _state(port)["in_flight"]
        if paths or time.monotonic() > deadline:
            return paths
        time.sleep(0.05)


def _settled(port: int, fds: int = 1 << 30) -> dict[str, Any]:
    """Poll ``/state`` (collecting garbage) until no other request is in flight or alive
    and at most ``fds`` files are open, or SETTLE runs out; return the last answer."""
    deadline = time.monotonic() + SETTLE
    while True:
        state = _state(port, collect=True)
        clean = not state["in_flight"] and not state["alive"] and state["fds"] <= fds
        if clean or time.monotonic() > deadline:
            return state
        time.sleep(0.05)


# Uploads in the default run.


@pytest.mark.parametrize("kind", KINDS)
def test_an_upload_streams_to_a_sync_view(served: Served, kind: str) -> None:
    status, answer, expected = _upload(served.port, kind, SMALL)
    assert status == 200, answer
    assert answer == expected


def test_an_async_view_gets_an_upload_whole(served: Served) -> None:
    status, answer, expected = _upload(served.port, "async", SMALL)
    assert status == 200, answer
    assert answer == expected


def test_max_content_length_answers_without_the_body(served: Served) -> None:
    """A 512 MiB Content-Length with no body sent: the 413 comes at once."""
    head = (
        "POST /hash HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"Content-Length: {512 * MiB}\r\n\r\n"
    )
    raw = raw_exchange(served.port, [head.encode()], timeout=10)
    assert raw.startswith(b"HTTP/1.1 413"), raw[:200]


@pytest.mark.parametrize("how", ["close", "reset"])
@pytest.mark.parametrize("kind", ["raw-length", "multipart"])
def test_a_client_leaving_mid_upload_leaves_nothing_behind(
    served: Served, kind: str, how: str
) -> None:
    """64 MiB declared, 4 MiB sent while the view reads, then the client goes: the request
    is torn down and freed, no file stays open, and the next upload is served.

    Freed once garbage is collected: the view's error (a 400, werkzeug's
    ``ClientDisconnected``) is kept as the flow's response, so the flow's frame and the
    error's traceback hold each other, and with them the parser's frame and its spooled
    file, until the collector runs (as in Flask, whose ``full_dispatch_request`` keeps
    it the same way).
    """
    before = _settled(served.port)
    assert (before["in_flight"], before["alive"]) == ([], 0), before
    if kind == "multipart":
        parts, length = _multipart(64 * MiB, hashlib.sha256())
        path, content_type = "/file", f"multipart/form-data; boundary={BOUNDARY}"
    else:
        parts, length = _random(64 * MiB, hashlib.sha256()), 64 * MiB
        path, content_type = "/hash", "application/octet-stream"
    sock = socket.create_connection((HOST, served.port), timeout=10)
    try:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {length}\r\n\r\n".encode()
        )
        sent = 0
        while sent < 4 * MiB:
            piece = next(parts)
            sock.sendall(piece)
            sent += len(piece)
        # The view is reading (it starts on the headers): in flight until the client goes.
        assert _in_flight(served.port) == [path]
    finally:
        if how == "reset":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    after = _settled(served.port, fds=before["fds"])
    assert (after["in_flight"], after["alive"]) == ([], 0), after
    assert after["fds"] <= before["fds"], (before, after)
    assert after["pid"] == before["pid"] == served.pid
    status, answer, expected = _upload(served.port, kind, SMALL)
    assert status == 200, answer
    assert answer == expected


# 100 MiB uploads, and what they cost the server's memory.


@pytest.mark.slow
@pytest.mark.timeout(240)
@pytest.mark.parametrize("kind", [*KINDS, "raw-late"])
def test_a_100_mib_upload_streams_with_flat_memory(served: Served, kind: str) -> None:
    with _peak_growth(served.pid) as peak:
        status, answer, expected = _upload(served.port, kind, BIG)
    assert status == 200, answer
    assert answer == expected
    print(f"{served.name} {kind}: peak RSS +{peak.growth / MiB:.1f} MiB")  # pytest -s shows it
    assert peak.growth < FLAT, f"peak RSS rose {peak.growth / MiB:.1f} MiB"


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_the_memory_probe_sees_a_body_held_whole(served: Served) -> None:
    """The control: an ``async def`` view's 40 MiB body, read ahead into memory, raises
    the peak by at least its size."""
    size = 40 * MiB
    with _peak_growth(served.pid) as peak:
        status, answer, expected = _upload(served.port, "async", size)
    assert status == 200, answer
    assert answer == expected
    print(f"{served.name} async 40 MiB: peak RSS +{peak.growth / MiB:.1f} MiB")
    assert peak.growth >= size, f"peak RSS rose {peak.growth / MiB:.1f} MiB"
