"""Request bodies under ASGI are read as the app reads them.

A sync view reads its body from the server while it arrives (the view starts before the
upload ends, nothing holds it whole); ``MAX_CONTENT_LENGTH`` refuses a request by its
``Content-Length`` with a 413 before any of the body is read; an ``async def`` view gets
its body read ahead; a chunked body past the adapter's limit is a 413; a client leaving
mid-body costs the server nothing. ``test_uploads_served.py`` does the same under real
servers, with uploads up to 100 MiB.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import threading
from typing import Any

from ctxcore.adapters.asgi import ASGIAdapter
from ctxcore.adapters.limits import Limits

from ctxcore import App, request

CHUNK = 64 * 1024


def _scope(path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "headers": [(b"host", b"test"), *headers],
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
    }  # fmt: skip


class _Client:
    """An ASGI client sending ``chunks`` as the body, recording what was received."""

    def __init__(self, chunks: list[bytes], *, leave_after: int | None = None) -> None:
        self.chunks = chunks
        self.leave_after = leave_after
        self.received = 0  # body messages the app took
        self.sent: list[dict[str, Any]] = []

    async def receive(self) -> dict[str, Any]:
        if self.leave_after is not None and self.received >= self.leave_after:
            return {"type": "http.disconnect"}
        if self.received < len(self.chunks):
            chunk = self.chunks[self.received]
            self.received += 1
            await asyncio.sleep(0)  # an upload arrives over time
            return {
                "type": "http.request",
                "body": chunk,
                "more_body": self.received < len(self.chunks),
            }
        await asyncio.sleep(3600)  # nothing more: the client waits for its answer
        return {"type": "http.disconnect"}

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    def status(self) -> int:
        return int(self.sent[0]["status"])

    def json(self) -> Any:
        return json.loads(b"".join(m.get("body", b"") for m in self.sent[1:]))


def _serve(app: Any, client: _Client, path: str, headers: list[tuple[bytes, bytes]]) -> _Client:
    asyncio.run(app(_scope(path, headers), client.receive, client.send))
    return client


def _app() -> App:
    app = App(__name__)
    progress: list[int] = []
    app.config["progress"] = progress

    @app.post("/stream")
    def stream() -> dict[str, Any]:
        digest = hashlib.sha256()
        while piece := request.stream.read(CHUNK):
            digest.update(piece)
            progress.append(len(piece))
        return {"sha256": digest.hexdigest(), "thread": threading.get_ident()}

    @app.post("/form")
    def form() -> dict[str, Any]:
        return {"fields": request.form.to_dict()}

    @app.post("/async")
    async def async_view() -> dict[str, Any]:
        return {"size": len(request.get_data())}

    return app


def test_a_sync_view_reads_its_body_as_it_arrives() -> None:
    app = _app()
    data = [os.urandom(CHUNK) for _ in range(8)]
    client = _Client(data)
    seen_at_first_read: list[int] = []
    original = client.receive

    async def receive() -> dict[str, Any]:
        if app.config["progress"] and not seen_at_first_read:
            seen_at_first_read.append(client.received)
        return await original()

    client.receive = receive  # type: ignore[method-assign]
    length = str(sum(map(len, data))).encode()
    _serve(app.asgi, client, "/stream", [(b"content-length", length)])
    assert client.status() == 200
    assert client.json()["sha256"] == hashlib.sha256(b"".join(data)).hexdigest()
    # The view had read a piece when the upload was only partly received.
    assert seen_at_first_read
    assert seen_at_first_read[0] < len(data)


def test_max_content_length_refuses_before_reading() -> None:
    app = _app()
    app.config["MAX_CONTENT_LENGTH"] = 1000
    client = _Client([b"x" * 5000])
    headers = [
        (b"content-length", b"5000"),
        (b"content-type", b"application/x-www-form-urlencoded"),
    ]
    _serve(app.asgi, client, "/form", headers)
    assert client.status() == 413
    assert client.received == 0  # not one byte of the body was asked for


def test_an_async_view_gets_its_body_read_ahead() -> None:
    data = [b"a" * 1000, b"b" * 1000, b"c" * 24]
    client = _serve(_app().asgi, _Client(data), "/async", [(b"content-length", b"2024")])
    assert client.status() == 200
    assert client.json() == {"size": 2024}


def test_a_chunked_body_past_the_limit_is_a_413() -> None:
    adapter = ASGIAdapter(_app(), limits=Limits(body_size=10_000))
    for path in ("/stream", "/async"):
        chunked = [(b"transfer-encoding", b"chunked")]
        client = _serve(adapter, _Client([b"x" * 4000] * 5), path, chunked)
        assert client.status() == 413, path
        assert client.received <= 3  # stopped at the limit, not at the end


def test_a_request_declaring_no_body_reads_empty_without_receiving() -> None:
    """HTTP/1 without Content-Length or Transfer-Encoding has no body: nothing is
    received for it, on the loop or off it."""
    for path in ("/stream", "/async"):
        client = _serve(_app().asgi, _Client([b""]), path, [])
        assert client.status() == 200, path
        assert client.received == 0, path


def test_a_client_leaving_mid_body() -> None:
    for path, expected in (("/stream", 400), ("/async", None)):
        client = _serve(
            _app().asgi, _Client([b"x" * 1000] * 5, leave_after=2), path,
            [(b"content-length", b"5000")],
        )  # fmt: skip
        if expected is None:
            assert client.sent == []  # gone before its request arrived: nothing to answer
        else:
            assert client.status() == expected
