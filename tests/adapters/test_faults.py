"""Fault injection against real servers: clients that leave, stall or break, and
``BaseException``s raised from app code.

After each fault two things must hold:

(a) no context is left pushed: the app's ledger (``/open``: requests entered in their
    first ``before_request`` hook and removed in ``teardown_appcontext``, the last step
    of popping) is empty, and ``/diag`` (live idents of the engine's stacks, a heap
    scan) counts only its own request's context;
(b) the worker serves the next request: a fresh connection gets a 200, from the same
    worker process.

Every server runs one process (gunicorn: one gthread worker), so ``/open`` and
``/diag`` look at the process that took the fault. Servers are started once per module
(per server) and shared by the fault tests; each test checks that the server is clean
before it injects its fault. What each server answers to a ``BaseException`` is
recorded (printed; ``pytest -s`` shows it) rather than pinned: 500 or a closed
connection are both fine.

``test_wire.py`` already sends malformed input, a short body followed by a half-close,
and checks ``/stream-fails`` and ``/teardown-fails`` on one keep-alive connection; this
file adds disconnects mid-body and mid-stream, stalled headers and BaseExceptions, and
checks (a) and (b) after each.
"""

from __future__ import annotations

import http.client
import json
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.adapters.servers import HOST, raw_get, running_server

TARGET = "tests.adapters.stress:fault_app"
#: How long a fault may take to settle (servers notice a gone client in their own time).
SETTLE = 3.0
#: What ``/diag`` reports when nothing but its own request is pushed.
ONLY_DIAG = {"request": 1, "app": 1}

GTHREAD = ("gunicorn", ("--threads", "4", "--worker-class", "gthread"))
SERVERS = [
    pytest.param(GTHREAD, id="gunicorn-gthread"),
    pytest.param(("gevent", ()), id="gevent"),
    pytest.param(("uvicorn", ("--loop", "uvloop")), id="uvicorn-uvloop"),
    pytest.param(("hypercorn", ()), id="hypercorn"),
]
WSGI = {"gunicorn", "gevent"}

# gunicorn's gthread worker runs each connection in a thread pool and calls the
# future's result() from its main loop: anything that is not an Exception escapes
# there and the worker process exits (its master starts another).
GTHREAD_DIES = (
    "gunicorn's gthread worker exits on any BaseException from the app "
    "(Future.result() in its main loop re-raises it); the master starts a new worker"
)


class WorkerDied(AssertionError):
    """The process that took the fault is not the one serving afterwards."""


@dataclass
class Served:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    events: Path  # the app appends "popped:<path> <pid>" each time a request is popped

    @property
    def wsgi(self) -> bool:
        return self.name in WSGI

    def popped(self, path: str) -> list[str]:
        """Pids of the processes that popped a request for ``path`` (from the events log)."""
        lines = self.events.read_text().splitlines() if self.events.exists() else []
        return [line.split()[1] for line in lines if line.split()[0] == f"popped:{path}"]


def _json(port: int, path: str) -> Any:
    status, body = raw_get(port, path)
    assert status == 200, (path, status, body[:300])
    return json.loads(body)


def _settled(port: int) -> tuple[dict[str, Any], dict[str, int]]:
    """Poll ``/open`` and ``/diag`` until nothing but the polling request is pushed
    (or SETTLE runs out); return the last answers."""
    deadline = time.monotonic() + SETTLE
    while True:
        ledger = _json(port, "/open")
        diag = _json(port, "/diag")
        if (ledger["open"] == [] and diag == ONLY_DIAG) or time.monotonic() > deadline:
            return ledger, diag
        time.sleep(0.1)


def _check_recovered(served: Served, pid: int, fault: str) -> None:
    """(a) nothing left pushed, (b) a fresh connection gets a 200, from worker ``pid``."""
    ledger, diag = _settled(served.port)
    assert ledger["open"] == [], f"{served.name}, {fault}: contexts still pushed: {ledger}"
    assert diag == ONLY_DIAG, f"{served.name}, {fault}: live idents after settling: {diag}"
    status, body = raw_get(served.port, "/sync/after-fault")
    assert status == 200, (served.name, fault, body[:300])
    assert json.loads(body)["ok"] is True
    if ledger["pid"] != pid:
        raise WorkerDied(f"{served.name}, {fault}: worker {pid} was replaced by {ledger['pid']}")


@pytest.fixture(scope="module", params=SERVERS)
def served(request: pytest.FixtureRequest) -> Iterator[Served]:
    name, extra = request.param
    with tempfile.TemporaryDirectory(prefix="ctxcore-faults-") as folder:
        events = Path(folder) / "events.log"
        env = {"CTXCORE_STRESS_EVENTS": str(events)}
        with running_server(TARGET, name, *extra, env=env) as (port, proc):
            yield Served(name, port, proc, events)


@pytest.fixture
def pid(served: Served) -> int:
    """The serving worker's pid, once the server is clean (a test starts from clean)."""
    ledger, diag = _settled(served.port)
    assert (ledger["open"], diag) == ([], ONLY_DIAG), "dirty before the fault"
    return int(ledger["pid"])


def _connect(port: int) -> socket.socket:
    return socket.create_connection((HOST, port), timeout=10)


def _leave(sock: socket.socket, how: str) -> None:
    """Close ``sock``: a FIN (``close``) or an RST (``reset``: linger 0)."""
    if how == "reset":
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _in_flight(port: int, path: str, expected: bool) -> list[str]:
    """Wait (bounded) until ``path`` is, or is not, among the pushed requests."""
    deadline = time.monotonic() + 3
    while True:
        pushed: list[str] = _json(port, "/open")["open"]
        if (path in pushed) == expected or time.monotonic() > deadline:
            return pushed
        time.sleep(0.05)


@pytest.mark.parametrize("how", ["close", "reset"])
def test_client_leaves_mid_request_body(served: Served, pid: int, how: str) -> None:
    """Headers say 100000 bytes; 30000 arrive; the client goes."""
    sock = _connect(served.port)
    try:
        sock.sendall(
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
            b"Content-Length: 100000\r\n\r\n" + b"x" * 30_000
        )
        # Every server dispatches on the headers (ASGI too: a sync view's body streams),
        # so the view is blocked reading the body, its context pushed.
        pushed = _in_flight(served.port, "/echo", expected=True)
        assert "/echo" in pushed, pushed
    finally:
        _leave(sock, how)
    _check_recovered(served, pid, f"client left mid-body ({how})")


@pytest.mark.parametrize("how", ["close", "reset"])
def test_client_leaves_mid_response_stream(served: Served, pid: int, how: str) -> None:
    """``/slow-stream`` would stream for a minute; the client reads its first chunk and goes."""
    sock = _connect(served.port)
    try:
        sock.sendall(b"GET /slow-stream HTTP/1.1\r\nHost: x\r\n\r\n")
        received = b""
        while b"first;" not in received:
            chunk = sock.recv(65536)
            assert chunk, received[:300]
            received += chunk
        assert received.startswith(b"HTTP/1.1 200"), received[:200]
        assert "/slow-stream" in _in_flight(served.port, "/slow-stream", expected=True)
    finally:
        _leave(sock, how)
    try:
        _check_recovered(served, pid, f"client left mid-stream ({how})")
    finally:  # a stream that outlived its client must not spoil the next test
        raw_get(served.port, "/stop-streams")


def _pending(sock: socket.socket) -> bool:
    """Whether ``sock`` is still open with nothing received: the server neither answered
    nor closed it."""
    timeout = sock.gettimeout()
    sock.setblocking(False)  # a socket with a timeout would wait for data first
    try:
        return not sock.recv(1, socket.MSG_PEEK)  # b"": closed
    except BlockingIOError:
        return True
    finally:
        sock.settimeout(timeout)


def test_partial_headers_held_open(served: Served, pid: int) -> None:
    """A client sends half a request and waits; others are served meanwhile.

    Each of them is answered while the stalled connection is still open and unanswered:
    a server that made them wait for it would only serve them once it gave up on it.
    """
    stalled = _connect(served.port)
    try:
        stalled.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        for served_meanwhile in range(10):
            status, body = raw_get(served.port, f"/sync/meanwhile-{served_meanwhile}")
            assert status == 200, body[:300]
            assert json.loads(body)["ok"] is True
            assert _pending(stalled), f"served only after the stalled client ({served_meanwhile})"
        # Half a request is never dispatched (the last request's teardown may still be
        # finishing: wait for it as after a fault).
        assert _settled(served.port)[0]["open"] == []
        stalled.settimeout(0.2)
        try:
            early = stalled.recv(65536)
        except TimeoutError:
            early = b""
        assert not early.startswith(b"HTTP/1.1 200"), early[:200]
    finally:
        stalled.close()
    _check_recovered(served, pid, "partial headers held open")


def _exchange(sock: socket.socket, path: str) -> tuple[int, bytes, bool] | None:
    """One request on ``sock``: (status, body, server keeps the connection), or None if
    the connection was closed without an answer."""
    response = http.client.HTTPResponse(sock)
    try:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        response.begin()
        body = response.read()
    except (http.client.RemoteDisconnected, ConnectionError, http.client.IncompleteRead):
        return None
    finally:
        response.close()
    return response.status, body, not response.will_close


def test_generator_raising_after_its_first_chunk(served: Served, pid: int) -> None:
    """``/stream-fails``: the body ends after its first chunk, the same connection goes on
    (and its next request starts fresh), and nothing stays pushed."""
    with _connect(served.port) as sock:
        first = _exchange(sock, "/stream-fails")
        assert first == (200, b"first;", True), first
        after = _exchange(sock, "/sync/same-connection")
        assert after is not None, "the connection was closed after the failed stream"
        assert after[0] == 200, after
        assert json.loads(after[1])["ok"] is True, after  # fresh: nothing of the last one
    _check_recovered(served, pid, "generator raised after its first chunk")


#: What each (server, kind, where) did: status (or "closed") and whether the same
#: connection served the next request. Printed as each test ends.
OBSERVED: dict[str, str] = {}


@pytest.mark.parametrize("where", ["view", "before", "teardown", "async-view"])
@pytest.mark.parametrize("kind", ["abort", "generatorexit"])
def test_base_exception_in_app_code(
    served: Served, pid: int, kind: str, where: str, request: pytest.FixtureRequest
) -> None:
    """``Abort(BaseException)`` or ``GeneratorExit`` from a view, a ``before_request`` hook
    or a ``teardown_request`` hook: the server may answer 500 or close; afterwards
    nothing is pushed and the next request succeeds (from the same worker).

    What the same connection does next is recorded, not checked: servers close it, and
    hypercorn runs a connection's requests in one ``asyncio.TaskGroup``, so an error
    that is not an ``Exception`` escaping one request cancels the next one (which then
    gets hypercorn's own 500)."""
    if served.name == "gunicorn":
        request.applymarker(pytest.mark.xfail(raises=WorkerDied, strict=True, reason=GTHREAD_DIES))
    if where == "async-view" and served.name == "gevent" and sys.version_info < (3, 11):
        # Not run: what it would leave reachable would fail the next tests on this server.
        pytest.xfail(GEVENT_310_KEEPS_ONE)
    path = f"/raise/{kind}/{where}"
    with _connect(served.port) as sock:
        answer = _exchange(sock, path)
        following = _exchange(sock, "/health") if answer is not None and answer[2] else None
    if where == "teardown":  # the response went out before teardown ran
        assert answer is None or answer[:2] == (200, b"answered"), answer
    else:
        assert answer is None or answer[0] == 500, answer
    # Whatever the server did next, ctxcore popped the request (the log outlives a worker).
    deadline = time.monotonic() + SETTLE
    while str(pid) not in served.popped(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert str(pid) in served.popped(path), f"{path} was never popped by worker {pid}"
    ledger = _json(served.port, "/open")
    OBSERVED[f"{served.name} {kind} {where}"] = (
        f"answer={'closed' if answer is None else answer[0]} "
        f"keep-alive={'n/a' if answer is None else answer[2]} "
        f"next-on-same-connection={None if following is None else following[0]} "
        f"worker-survived={ledger['pid'] == pid} "
        f"teardown-callbacks-skipped={path in ledger['skipped_teardown']}"
    )
    print(f"{served.name} {kind} {where}: {OBSERVED[f'{served.name} {kind} {where}']}")
    if where == "teardown" and ledger["pid"] == pid:  # (a new worker knows nothing of it)
        # A BaseException from one teardown callback does not skip the others; a
        # GeneratorExit stops at once (it is how a flow is closed).
        assert (path in ledger["skipped_teardown"]) is (kind == "generatorexit"), ledger
    _check_recovered(served, pid, f"{kind} in {where}")


@pytest.mark.parametrize("server", [p.values[0] for p in SERVERS], ids=[p.id for p in SERVERS])
def test_keyboard_interrupt_in_a_view_stops_the_process(
    server: tuple[str, tuple[str, ...]],
) -> None:
    """``KeyboardInterrupt`` itself, for comparison: every server takes it as the signal
    it normally is and its process ends (gunicorn: the worker; its master starts another).
    ctxcore pops the request before that. Pinned, so a change of behaviour shows."""
    name, extra = server
    with tempfile.TemporaryDirectory(prefix="ctxcore-faults-") as folder:
        events = Path(folder) / "events.log"
        env = {"CTXCORE_STRESS_EVENTS": str(events)}
        with running_server(TARGET, name, *extra, env=env) as (port, proc):
            pid = _json(port, "/open")["pid"]
            path = "/raise/keyboardinterrupt/view"
            with _connect(port) as sock:
                answer = _exchange(sock, path)
            deadline = time.monotonic() + SETTLE
            if name == "gunicorn":
                while time.monotonic() < deadline:
                    try:
                        now = _json(port, "/open")["pid"]
                    except (OSError, AssertionError):
                        now = None
                    if now not in (None, pid):
                        break
                    time.sleep(0.1)
                assert proc.poll() is None, "gunicorn's master exited"
                assert now not in (None, pid), f"worker {pid} still serving: {now}"
                assert raw_get(port, "/health") == (200, b"ok")
            else:
                while proc.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.05)
                assert proc.poll() is not None, f"{name} survived a KeyboardInterrupt"
            popped = [line for line in events.read_text().splitlines() if path in line]
    print(f"{name}: answer={answer and answer[0]} exit={proc.returncode} popped={popped}")
    assert popped == [f"popped:{path} {pid}"]
    assert answer is None or answer[0] == 500, answer


# On CPython 3.10 one finished request per gevent pool thread stays reachable until that
# thread runs its next coroutine (not yet found where; 3.11+ and gthread are clean).
GEVENT_310_KEEPS_ONE = (
    "3.10 under gevent: a finished async request stays reachable from the native thread "
    "that ran its coroutine until the thread runs the next one"
)
_GEVENT_ON_310 = pytest.param(
    ("gevent", ()),
    id="gevent",
    marks=pytest.mark.xfail(sys.version_info < (3, 11), strict=True, reason=GEVENT_310_KEEPS_ONE),
)


@pytest.mark.parametrize("server", [pytest.param(GTHREAD, id="gunicorn-gthread"), _GEVENT_ON_310])
def test_async_view_under_a_wsgi_server_leaves_no_context_behind(
    server: tuple[str, tuple[str, ...]],
) -> None:
    """An ``async def`` view served by a WSGI server runs on an event loop that ctxcore
    keeps per native thread; nothing of the request may stay reachable once it is popped."""
    name, extra = server
    with running_server("tests.adapters.stress:app", name, *extra) as (port, _):
        assert _json(port, "/diag") == ONLY_DIAG
        for n in range(6):
            status, body = raw_get(port, f"/async/a{n}")
            assert status == 200, body[:300]
        deadline = time.monotonic() + SETTLE
        while (diag := _json(port, "/diag")) != ONLY_DIAG and time.monotonic() < deadline:
            time.sleep(0.1)
    assert diag == ONLY_DIAG
