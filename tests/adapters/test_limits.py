"""The request limits answer alike under every server (one test per row of the README's
table, per server), and the worker serves the next request afterwards.

Every server is started once for the module, with ``CTXCORE_MAX_BODY_SIZE`` set small
(which is also how a server started as its own program takes a changed limit), and gets
the malformed and oversized requests over raw sockets on 127.0.0.1.
"""

from __future__ import annotations

import select
import socket
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from ctxcore.adapters.limits import Limits, check_environ, check_headers, refusal

from tests.adapters.servers import HOST, _spawned, free_port, raw_get

BODY_LIMIT = 65_536
ENV = {"CTXCORE_MAX_BODY_SIZE": str(BODY_LIMIT)}
STRESS = "tests.adapters.stress:app"


@dataclass(frozen=True)
class Server:
    """How to start one server: ``python -m ctxcore serve`` or a foreign command."""

    args: tuple[str, ...]
    serve: bool = True  # through python -m ctxcore serve; else a command of its own

    def command(self, port: int) -> list[str]:
        if self.serve:
            return [sys.executable, "-m", "ctxcore", "serve", *self.args, "--port", str(port)]
        return [sys.executable, "-m", *(a.replace("{port}", str(port)) for a in self.args)]


def _serve(target: str, server: str, *extra: str) -> Server:
    return Server((target, "--server", server, *extra))


SERVERS = [
    pytest.param(_serve(STRESS, "werkzeug"), id="werkzeug"),
    pytest.param(_serve(STRESS, "gunicorn", "--worker-class", "sync"), id="gunicorn-sync"),
    pytest.param(_serve(STRESS, "gunicorn", "--threads", "4"), id="gunicorn-gthread"),
    pytest.param(
        _serve(STRESS, "gunicorn", "--worker-class", "gevent"),
        id="gunicorn-gevent",
        marks=pytest.mark.slow,
    ),
    pytest.param(_serve(STRESS, "gevent"), id="gevent"),
    pytest.param(
        _serve(STRESS, "uvicorn", "--loop", "asyncio"), id="uvicorn-asyncio", marks=pytest.mark.slow
    ),
    pytest.param(_serve(STRESS, "uvicorn", "--loop", "uvloop"), id="uvicorn-uvloop"),
    pytest.param(_serve(STRESS, "hypercorn"), id="hypercorn"),
    pytest.param(_serve(STRESS, "granian"), id="granian-asgi"),
    pytest.param(
        _serve("tests.adapters.foreign:reading_wsgi", "granian"),
        id="granian-wsgi",
        marks=pytest.mark.slow,
    ),
    # ctxcore.adapters around a foreign app, under a server started on its own.
    # gunicorn's own field limit (8190 bytes) is raised to the section's, as the README says.
    pytest.param(
        Server(
            (
                "gunicorn",
                "--bind",
                f"{HOST}:{{port}}",
                "--limit-request-field_size",
                "16384",
                "tests.adapters.foreign:reading",
            ),
            serve=False,
        ),
        id="foreign-wsgi-gunicorn",
    ),
    pytest.param(
        Server(("uvicorn", "--port", "{port}", "tests.adapters.foreign:asgi"), False),
        id="foreign-asgi-uvicorn",
    ),
]


@pytest.fixture(scope="module", params=SERVERS)
def port(request: pytest.FixtureRequest) -> Iterator[int]:
    server: Server = request.param
    number = free_port()
    with _spawned("limits", server.command(number), number, ENV):
        yield number


def exchange(port: int, head: bytes, chunks: Sequence[bytes] = (), timeout: float = 5) -> int:
    """Send ``head``, then ``chunks`` until the server answers; return the status.

    As a client that streams an upload would: it stops sending once the answer
    arrives (a server may refuse before the body and close). Returns as soon as one
    whole response is read, without waiting for the server to close a kept connection.
    """
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.sendall(head)
        pending = list(chunks)
        received = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            readable, _, _ = select.select([sock], [], [], 0 if pending else 0.2)
            if readable:
                try:
                    data = sock.recv(65536)
                except ConnectionResetError:
                    data = b""
                received += data
                if not data or _complete(received):
                    break
            elif pending:
                try:
                    sock.sendall(pending.pop(0))
                except (BrokenPipeError, ConnectionResetError):
                    pending.clear()  # refused mid-body: read what it answered
    assert received.startswith(b"HTTP/1.1 "), received[:200]
    return int(received.split(b" ", 2)[1])


def _complete(data: bytes) -> bool:
    head, found, body = data.partition(b"\r\n\r\n")
    if not found:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False  # no length: the server closes when it is done


def healthy(port: int) -> bool:
    """A new connection is served (the worker survived the last request)."""
    return raw_get(port, "/health")[0] == 200


def post(*headers: str, body: bytes = b"") -> bytes:
    fields = "".join(f"{field}\r\n" for field in headers)
    return f"POST /echo HTTP/1.1\r\nHost: x\r\n{fields}\r\n".encode() + body


def get(*headers: str) -> bytes:
    fields = "".join(f"{field}\r\n" for field in headers)
    return f"GET /health HTTP/1.1\r\nHost: x\r\n{fields}Connection: close\r\n\r\n".encode()


def chunked(size: int, piece: int = 16_384) -> list[bytes]:
    pieces = [b"%x\r\n%s\r\n" % (piece, b"a" * piece) for _ in range(size // piece)]
    return [*pieces, b"0\r\n\r\n"]


def test_a_served_request_within_the_limits(port: int) -> None:
    """The baseline: a body at the limit and a 15 KiB header section are served."""
    head = post(f"Content-Length: {BODY_LIMIT}", "X-Fill: " + "a" * 15_000)
    assert exchange(port, head, [b"a" * BODY_LIMIT]) == 200


def test_two_conflicting_content_lengths_are_a_400(port: int) -> None:
    head = post("Content-Length: 7", "Content-Length: 3", body=b'{"a":1}')
    assert exchange(port, head) == 400
    assert healthy(port)


def test_a_content_length_list_is_a_400(port: int) -> None:
    assert exchange(port, post("Content-Length: 7, 3", body=b'{"a":1}')) == 400
    assert healthy(port)


@pytest.mark.parametrize("value", ["+7", "-1", "seven"])
def test_an_invalid_content_length_is_a_400(port: int, value: str) -> None:
    assert exchange(port, post(f"Content-Length: {value}", body=b'{"a":1}')) == 400
    assert healthy(port)


def test_transfer_encoding_with_content_length_is_a_400(
    port: int, request: pytest.FixtureRequest
) -> None:
    """granian takes RFC 9112's other choice (its HTTP library drops Content-Length
    before the app sees the request): the body is read as chunked, and the connection
    is closed after the answer, so nothing left on it can pass for another request."""
    head = post("Content-Length: 5", "Transfer-Encoding: chunked")
    body = b"5\r\nhello\r\n0\r\n\r\n"
    if "granian" in request.node.callspec.id:
        assert answered_then_closed(port, head + body) == 200
    else:
        assert exchange(port, head, [body]) == 400
    assert healthy(port)


def answered_then_closed(port: int, payload: bytes) -> int:
    """Send ``payload`` on a keep-alive connection; the status, once the server closed."""
    with socket.create_connection((HOST, port), timeout=5) as sock:
        sock.sendall(payload)
        received = b""
        while data := sock.recv(65536):  # a kept connection times out here instead
            received += data
    return int(received.split(b" ", 2)[1])


@pytest.mark.parametrize("fields", [["X-Big: " + "a" * 100_000], ["X-A: " + "a" * 9_000] * 2])
def test_a_header_section_over_the_limit_is_a_431(port: int, fields: list[str]) -> None:
    """One 100 KB field, or two of 9 KB (each under gunicorn's per-field limit)."""
    assert exchange(port, get(*fields)) == 431
    assert healthy(port)


def test_more_header_fields_than_the_limit_is_a_431(port: int) -> None:
    assert exchange(port, get(*(f"X-F{i}: v" for i in range(101)))) == 431
    assert healthy(port)


def test_a_declared_body_over_the_limit_is_a_413_before_it_is_sent(port: int) -> None:
    """Only the head is sent: the answer cannot wait for the body."""
    head = post(f"Content-Length: {BODY_LIMIT + 1}")
    assert exchange(port, head) == 413
    assert healthy(port)


def test_a_chunked_body_over_the_limit_is_a_413(port: int) -> None:
    head = post("Transfer-Encoding: chunked")
    assert exchange(port, head, chunked(BODY_LIMIT + 16_384)) == 413
    assert healthy(port)


# The checks themselves, on what servers hand the app.

LIMITS = Limits(header_size=200, header_fields=4, body_size=100)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([(b"host", b"x"), (b"content-length", b"100")], None),
        ([(b"content-length", b"7"), (b"content-length", b"7")], 400),
        ([(b"content-length", b"7, 3")], 400),
        ([(b"content-length", b"\xd9\xa3")], 400),  # a non-ASCII digit
        ([(b"content-length", b"5"), (b"transfer-encoding", b"chunked")], 400),
        ([(b"transfer-encoding", b"chunked")], None),  # its size is checked as it is read
        ([(b"content-length", b"101")], 413),
        ([(b"x-big", b"a" * 200)], 431),
        ([(b"x", b"")] * 5, 431),
        ([(b"x-big", b"a" * 200), (b"content-length", b"x")], 431),  # the size, first
    ],
)
def test_check_headers(headers: list[tuple[bytes, bytes]], expected: int | None) -> None:
    assert check_headers(headers, LIMITS) == expected


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"HTTP_HOST": "x", "CONTENT_LENGTH": "100", "wsgi.input": None}, None),
        ({"CONTENT_LENGTH": "", "CONTENT_TYPE": ""}, None),  # empty: absent
        ({"CONTENT_LENGTH": "7,3"}, 400),  # a server that folds repeated fields
        ({"CONTENT_LENGTH": "-1"}, 400),
        ({"CONTENT_LENGTH": "5", "HTTP_TRANSFER_ENCODING": "chunked"}, 400),
        ({"CONTENT_LENGTH": "101"}, 413),
        ({"HTTP_X_BIG": "a" * 200}, 431),
        ({f"HTTP_X{i}": "" for i in range(5)}, 431),
    ],
)
def test_check_environ(environ: dict[str, object], expected: int | None) -> None:
    assert check_environ(environ, LIMITS) == expected


def test_a_header_section_is_measured_as_sent() -> None:
    """Names and values plus 4 bytes a field: exactly at the limit passes, one over not."""
    at = [(b"x-a", b"a" * (200 - 3 - 4))]
    over = [(b"x-a", b"a" * (200 - 3 - 4 + 1))]
    assert check_headers(at, LIMITS) is None
    assert check_headers(over, LIMITS) == 431
    assert check_environ({"HTTP_X_A": "a" * (200 - 3 - 4)}, LIMITS) is None


def test_limits_come_from_the_environment_then_from_arguments() -> None:
    environ = {"CTXCORE_MAX_BODY_SIZE": "10", "CTXCORE_MAX_HEADER_FIELDS": "7"}
    assert Limits.from_env(environ) == Limits(body_size=10, header_fields=7)
    assert Limits.from_env(environ, body_size=99).body_size == 99
    assert Limits.from_env({}) == Limits()
    assert Limits.from_env(Limits(body_size=5).to_env()) == Limits(body_size=5)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Limits(body_size=0), "body_size must be a positive number"),
        (lambda: Limits.from_env({"CTXCORE_MAX_HEADER_SIZE": "16k"}), "is not a number"),
    ],
)
def test_bad_limits_are_refused(make: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def test_a_refusal_closes_the_connection() -> None:
    line, headers, body = refusal(431)
    assert line == "431 Request Header Fields Too Large"
    assert ("Connection", "close") in headers
    assert ("Content-Length", str(len(body))) in headers
