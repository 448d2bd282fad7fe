"""How app.asgi sends bodies: buffered ones on the loop in one message, others from its pool.

A buffered body with no close callbacks holds nothing that can block, so it is sent as
one ``http.response.body`` message without a thread hop; generators and responses with
``call_on_close`` callbacks are iterated and closed in the adapter's thread pool.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

from ctxcore import App, Response


def _app() -> App:
    app = App(__name__)
    closed: list[str] = []
    app.config["closed"] = closed

    @app.route("/buffered")
    async def buffered() -> str:
        return "hello " * 3

    @app.route("/callback")
    async def callback() -> Response:
        response = Response("with callback")
        response.call_on_close(lambda: closed.append(threading.current_thread().name))
        return response

    @app.route("/stream")
    async def stream() -> Response:
        def chunks() -> Iterator[str]:
            yield "a"
            yield "b"

        return Response(chunks())

    return app


def _call(app: App, path: str) -> tuple[list[dict[str, Any]], str]:
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "headers": [(b"host", b"test")],
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
    }  # fmt: skip
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def main() -> str:
        await app.asgi(scope, receive, send)
        return threading.current_thread().name

    loop_thread = asyncio.run(main())
    return sent, loop_thread


def test_buffered_body_is_one_message() -> None:
    sent, _ = _call(_app(), "/buffered")
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[0]["status"] == 200
    assert sent[1] == {"type": "http.response.body", "body": b"hello " * 3, "more_body": False}


def test_close_callbacks_run_in_the_pool_after_the_body() -> None:
    app = _app()
    sent, loop_thread = _call(app, "/callback")
    body = b"".join(m.get("body", b"") for m in sent[1:])
    assert body == b"with callback"
    assert sent[-1]["more_body"] is False
    closed = app.config["closed"]
    assert len(closed) == 1
    assert closed[0] != loop_thread
    assert closed[0].startswith("ctxcore-asgi")


def test_streamed_body_is_sent_chunk_by_chunk() -> None:
    sent, _ = _call(_app(), "/stream")
    bodies = [m for m in sent if m["type"] == "http.response.body"]
    assert [m["body"] for m in bodies] == [b"a", b"b", b""]
    assert [m["more_body"] for m in bodies] == [True, True, False]


def test_scope_to_environ_keeps_a_path_with_lone_surrogates() -> None:
    """Found by fuzzing: a lone surrogate in a scope's path raised UnicodeEncodeError."""
    from ctxcore.adapters.asgi import scope_to_environ

    scope = {"type": "http", "method": "GET", "path": "/a\udcff\ud800", "headers": []}
    environ = scope_to_environ(scope, b"")
    assert environ["PATH_INFO"] == "/a\udcff\ud800".encode("utf-8", "surrogatepass").decode(
        "latin-1"
    )
