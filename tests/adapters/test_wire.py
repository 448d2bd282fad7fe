"""Over the wire: bodies, streaming, per-connection freshness, bad input, ident checks."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time

import pytest

from tests.adapters.servers import (
    HOST,
    ROOT,
    free_port,
    load,
    raw_exchange,
    raw_get,
    running_server,
)

TARGET = "tests.adapters.stress:app"

# One process per server so /diag sees the same process that served the bad requests.
SINGLE = [
    pytest.param("werkzeug", (), id="werkzeug"),
    pytest.param(
        "gunicorn", ("--threads", "4", "--worker-class", "gthread"), id="gunicorn-gthread"
    ),
    pytest.param("gevent", (), id="gevent"),
    pytest.param("uvicorn", ("--loop", "uvloop"), id="uvicorn-uvloop"),
    pytest.param("hypercorn", (), id="hypercorn"),
]

BAD_INPUT = [
    b"GARBAGE\r\n\r\n",
    b"GET /sync/x HTTP/9.9\r\nHost: x\r\n\r\n",
    b"GET /sync/%zz%e9 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET /sync/x HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n",
    b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"zz\r\nnot-hex\r\n0\r\n\r\n",
    b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc",  # then disconnect
]


def _post(port: int, body: bytes, chunked: bool = False) -> tuple[int, bytes]:
    if chunked:
        payload = (
            b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:5], body[5:]) if part)
            + b"0\r\n\r\n"
        )
        head = b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
    else:
        payload = body
        head = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n" % len(body)
    head += b"Content-Type: application/json\r\nConnection: close\r\n\r\n"
    raw = raw_exchange(port, [head + payload])
    status_line, _, rest = raw.partition(b"\r\n")
    body_part = rest.partition(b"\r\n\r\n")[2]
    if b"chunked" in rest.partition(b"\r\n\r\n")[0].lower():
        from tests.adapters.servers import _dechunk

        body_part = _dechunk(body_part)
    return int(status_line.split(b" ")[1]), body_part


@pytest.mark.parametrize(("server", "extra"), SINGLE)
def test_request_bodies_and_streaming(server: str, extra: tuple[str, ...]) -> None:
    with running_server(TARGET, server, *extra) as (port, _):
        document = {"items": list(range(500)), "text": "é" * 100}
        body = json.dumps(document).encode()
        status, answer = _post(port, body)
        assert status == 200
        assert json.loads(answer) == {"length": len(body), "json": document}
        status, answer = _post(port, body, chunked=True)
        assert status == 200
        assert json.loads(answer)["length"] == len(body)
        status, streamed = raw_get(port, "/stream/5")
        assert status == 200
        assert streamed == b"".join(b"/stream/5:%d;" % i for i in range(5))


@pytest.mark.parametrize(("server", "extra"), SINGLE)
def test_bad_input_is_refused_and_leaves_nothing_behind(
    server: str, extra: tuple[str, ...]
) -> None:
    with running_server(TARGET, server, *extra) as (port, _):
        for payload in BAD_INPUT:
            answer = raw_exchange(port, [payload], timeout=5, half_close=payload.endswith(b"abc"))
            if answer.startswith(b"HTTP/"):
                status = int(answer.split(b" ", 2)[1])
                assert status < 500 or status == 505, (payload[:40], answer[:200])
            elif answer:  # an HTTP/0.9-style error page (no status line) for garbage
                assert b"Error code: 400" in answer or b"Error code: 505" in answer, answer[:300]
        status, body = raw_get(port, "/sync/after")
        assert status == 200, body
        assert json.loads(body)["ok"] is True
        # Servers finish with broken connections in their own time: within a few
        # seconds only /diag's own context may be pushed.
        deadline = time.monotonic() + 10
        while True:
            diag = json.loads(raw_get(port, "/diag")[1])
            if diag == {"request": 1, "app": 1} or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert diag == {"request": 1, "app": 1}


def test_keep_alive_requests_on_one_connection_start_fresh() -> None:
    with running_server(TARGET, "uvicorn", "--loop", "uvloop") as (port, _):
        requests = (
            b"".join(f"GET /async/k{i} HTTP/1.1\r\nHost: x\r\n\r\n".encode() for i in range(5))
            + b"GET /async/last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        answer = raw_exchange(port, [requests], timeout=10)
    bodies = [
        json.loads(part.split(b"\r\n\r\n", 1)[1].split(b"HTTP/1.1")[0])
        for part in answer.split(b"HTTP/1.1 ")[1:]
    ]
    assert [body["rid"] for body in bodies] == [f"k{i}" for i in range(5)] + ["last"]
    assert all(body["ok"] for body in bodies)


@pytest.mark.parametrize(
    ("server", "extra"),
    [
        pytest.param("gevent", (), id="gevent-wsgiserver"),
        pytest.param("gunicorn", ("--worker-class", "gevent"), id="gunicorn-gevent"),
    ],
)
def test_greenlet_ident_isolates_under_gevent(server: str, extra: tuple[str, ...]) -> None:
    with running_server("tests.adapters.stress:greenlet_app", server, *extra) as (port, _):
        result = load(port, "/sync", connections=64, per_connection=8)
    assert result.errors == []
    assert result.mismatches == []
    assert result.ok == 64 * 8


@pytest.mark.parametrize(
    ("target", "server", "ident", "served_by"),
    [
        ("thread_app", "uvicorn", "thread", "asyncio tasks (ASGI)"),
        ("greenlet_app", "uvicorn", "greenlet", "asyncio tasks (ASGI)"),
        ("thread_app", "gevent", "thread", "gevent greenlets"),
    ],
)
def test_an_ident_that_cannot_isolate_is_refused_at_startup(
    target: str, server: str, ident: str, served_by: str
) -> None:
    port = free_port()
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "ctxcore", "serve", f"tests.adapters.stress:{target}"),
            *("--server", server, "--port", str(port)),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert f"ident={ident!r}, which cannot isolate requests served by {served_by}" in output
    assert "ident='context'" in output  # the fix is named
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((HOST, port), timeout=0.5)


def test_thread_ident_under_gunicorns_gevent_worker_refuses_requests() -> None:
    """gunicorn's gevent worker has no startup hook for the app: each request is refused."""
    extra = ("--worker-class", "gevent")
    with running_server("tests.adapters.stress:thread_app", "gunicorn", *extra) as (port, _):
        status, _body = raw_get(port, "/sync/r1")
    assert status == 500


def test_thread_ident_under_threads_is_served() -> None:
    extra = ("--threads", "4")
    with running_server("tests.adapters.stress:thread_app", "gunicorn", *extra) as (port, _):
        status, body = raw_get(port, "/sync/r1")
    assert status == 200, body


def test_serve_rejects_bad_arguments() -> None:
    for args, message in (
        (["serve", "no-colon"], "Error: Could not import 'no-colon': no such module."),
        (["serve", "a:b", "--server", "tornado"], "'tornado' is not one of"),
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "ctxcore", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert proc.returncode == 2
        assert message in proc.stderr


KEEPALIVE_SERVERS = [
    pytest.param("gunicorn", ("--threads", "4"), id="gunicorn-gthread"),
    pytest.param("gevent", (), id="gevent-wsgiserver"),
    pytest.param("uvicorn", ("--loop", "uvloop"), id="uvicorn-uvloop"),
    pytest.param("hypercorn", (), id="hypercorn"),
]


@pytest.mark.parametrize(("server", "extra"), KEEPALIVE_SERVERS)
def test_a_failing_teardown_keeps_the_connection(server: str, extra: tuple[str, ...]) -> None:
    """The response is whole and the next request on the same connection is answered."""
    with running_server("tests.adapters.stress:app", server, *extra) as (port, _):
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        try:
            answers = []
            for path in ("/teardown-fails", "/teardown-fails", "/health"):
                conn.request("GET", path)
                response = conn.getresponse()
                answers.append((response.status, response.read()))
        finally:
            conn.close()
    assert answers == [(200, b"answered"), (200, b"answered"), (200, b"ok")]


@pytest.mark.parametrize(("server", "extra"), KEEPALIVE_SERVERS)
def test_a_body_failing_mid_stream_ends_cleanly(server: str, extra: tuple[str, ...]) -> None:
    """The first chunk arrives, the body ends, and the connection serves the next request."""
    with running_server("tests.adapters.stress:app", server, *extra) as (port, _):
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        try:
            conn.request("GET", "/stream-fails")
            first = conn.getresponse()
            streamed = (first.status, first.read())
            conn.request("GET", "/health")
            second = conn.getresponse()
            after = (second.status, second.read())
        finally:
            conn.close()
    assert streamed == (200, b"first;")
    assert after == (200, b"ok")
