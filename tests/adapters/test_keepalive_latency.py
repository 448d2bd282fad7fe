"""Keep-alive connections are answered without Nagle/delayed-ACK stalls, and served in turn.

A server that writes a response's headers and body in two sends, with Nagle's algorithm
on, holds every body after the first on a connection until the client's delayed ACK:
~40 ms a request on Linux. Each server ``ctxcore serve`` starts avoids it by setting
``TCP_NODELAY`` on its connections (gevent's through ``ctxcore.adapters.gevent``), so
that is what is checked, from inside the server, rather than a wall-clock time a busy
machine could miss. (werkzeug's development server closes every connection after one
response, so it has no keep-alive to test.)

gevent's server answered a connection whose next request had already arrived at once,
again and again, while other connections waited (p99 of 300-900 ms under wrk's load);
the adapter yields after each keep-alive response, so ready connections are served in
turn. The order of service is checked, not a latency percentile.
"""

from __future__ import annotations

import http.client
import itertools
import json
import socket

import pytest

from tests.adapters.servers import HOST, raw_get, running_server

TARGET = "tests.adapters.keepalive_app:app"
REQUESTS = 5
TURNS = 10


@pytest.mark.parametrize(
    ("server", "extra"),
    [
        pytest.param("gevent", (), id="gevent-wsgiserver"),
        pytest.param("gunicorn", ("--threads", "4"), id="gunicorn-gthread"),
        pytest.param("uvicorn", ("--loop", "uvloop"), id="uvicorn-uvloop"),
        pytest.param("hypercorn", ("--loop", "asyncio"), id="hypercorn-asyncio"),
    ],
)
def test_keep_alive_connections_are_sent_without_nagle_delays(
    server: str, extra: tuple[str, ...]
) -> None:
    with running_server(TARGET, server, *extra) as (port, _):
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        conn.connect()
        assert conn.sock is not None
        client_port = conn.sock.getsockname()[1]
        answers = []
        try:
            for _ in range(REQUESTS):  # one connection, kept alive
                conn.request("GET", f"/nodelay/{client_port}")
                response = conn.getresponse()
                assert response.status == 200
                answers.append(json.loads(response.read())["nodelay"])
                assert not response.will_close, "the server closed the keep-alive connection"
        finally:
            conn.close()
    # None would mean the server held no socket connected to this client.
    assert answers == [1] * REQUESTS, f"{server}: TCP_NODELAY is not set on the connection"


def _pipelined(name: str) -> bytes:
    paths = [f"/meet/{name}", *(f"/turn/{name}" for _ in range(TURNS))]
    return b"".join(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode() for path in paths)


def _read_responses(sock: socket.socket, count: int) -> bytes:
    received = b""
    while received.count(b"HTTP/1.1 200") < count:
        chunk = sock.recv(65536)
        assert chunk, f"the connection closed after {received.count(b'HTTP/1.1 ')} responses"
        received += chunk
    return received


def test_gevent_serves_ready_keep_alive_connections_in_turn() -> None:
    """Two connections whose requests have all arrived are served alternately.

    Both send their requests at once (pipelined) and the first of each waits until both
    connections are there. Served back to back, one connection's ten requests would all
    come before the other's (one change of connection); served in turn, nearly every
    request changes connection.
    """
    with running_server(TARGET, "gevent") as (port, _):
        first = socket.create_connection((HOST, port), timeout=10)
        second = socket.create_connection((HOST, port), timeout=10)
        try:
            first.sendall(_pipelined("a"))
            second.sendall(_pipelined("b"))
            for sock in (first, second):
                _read_responses(sock, 1 + TURNS)
        finally:
            first.close()
            second.close()
        status, body = raw_get(port, "/turns")
    assert status == 200, body
    turns = json.loads(body)["turns"]
    assert sorted(turns) == ["a"] * TURNS + ["b"] * TURNS
    changes = sum(1 for before, after in itertools.pairwise(turns) if before != after)
    assert changes >= TURNS, f"connections were not served in turn: {''.join(turns)}"
