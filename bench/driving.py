"""Calling an app in process, the same way for every framework: no server, no sockets.

An ASGI app gets one event loop for the whole benchmark (uvloop when it is installed,
as the frameworks are deployed; asyncio otherwise) and, per request, a fresh copy of
one scope, a ``receive`` that hands over an empty body once (then ``http.disconnect``)
and a ``send`` that drops every message. A WSGI app gets a copy of one environ and a
``start_response`` that drops the status and headers; its body is joined and closed.
What differs between two rows of a case is then the framework alone.

:func:`asgi_answer` and :func:`wsgi_answer` make the same call but keep what the app
sent, so a benchmark checks once that its app answers as it should (a 404 is fast too).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

__all__ = [
    "LOOP_NAME",
    "asgi_answer",
    "asgi_batch",
    "asgi_caller",
    "asgi_scope",
    "check_json",
    "new_loop",
    "wsgi_answer",
    "wsgi_caller",
    "wsgi_environ",
]


def _uvloop() -> Any:
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop


#: The event loop the ASGI rows run on.
LOOP_NAME = "uvloop" if _uvloop() is not None else "asyncio"


def new_loop() -> asyncio.AbstractEventLoop:
    """A new event loop of the kind :data:`LOOP_NAME` names."""
    uvloop = _uvloop()
    loop: asyncio.AbstractEventLoop = (
        uvloop.new_event_loop() if uvloop is not None else asyncio.new_event_loop()
    )
    return loop


def asgi_scope(path: str, query: str = "") -> dict[str, Any]:
    """An HTTP GET scope as uvicorn builds it."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote(path),
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"localhost"), (b"user-agent", b"bench"), (b"accept", b"*/*")],
        "server": ("localhost", 80),
        "client": ("127.0.0.1", 50000),
        "state": {},
    }


def _request(
    app: Any, scope: dict[str, Any], send: Callable[[dict[str, Any]], Any]
) -> Callable[[], Any]:
    """A coroutine function making one request of ``app``."""

    async def one() -> None:
        messages = [{"type": "http.request", "body": b"", "more_body": False}]

        async def receive() -> dict[str, Any]:
            return messages.pop() if messages else {"type": "http.disconnect"}

        await app(dict(scope), receive, send)

    return one


async def _drop(message: dict[str, Any]) -> None:
    return None


def asgi_caller(
    app: Any, scope: dict[str, Any], loop: asyncio.AbstractEventLoop
) -> Callable[[], None]:
    """A function making one request of the ASGI ``app`` on ``loop`` per call."""
    one = _request(app, scope, _drop)
    run = loop.run_until_complete

    def call() -> None:
        run(one())

    return call


def _receiver() -> Callable[[], Any]:
    """A ``receive`` for one request: an empty body, then a disconnect."""
    messages = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> dict[str, Any]:
        return messages.pop() if messages else {"type": "http.disconnect"}

    return receive


def asgi_batch(
    app: Any, scope: dict[str, Any], loop: asyncio.AbstractEventLoop
) -> Callable[[int], None]:
    """A function making ``n`` requests of the ASGI ``app`` one after another, in one
    run of ``loop`` (each as its own ``await app(...)`` with a fresh scope, as a server
    would; not each its own task).

    A run of the loop per request (:func:`asgi_caller`) costs more than a small
    framework's whole request (uvloop sets up its signal handling on every run), which
    would crowd every framework's figure towards the same value.
    """

    async def many(n: int) -> None:
        for _ in range(n):
            await app(dict(scope), _receiver(), _drop)

    def run(n: int) -> None:
        loop.run_until_complete(many(n))

    return run


def asgi_answer(
    app: Any, scope: dict[str, Any], loop: asyncio.AbstractEventLoop
) -> tuple[int, bytes]:
    """One request of the ASGI ``app``: the status and body it sent."""
    sent: list[dict[str, Any]] = []

    async def keep(message: dict[str, Any]) -> None:
        sent.append(message)

    loop.run_until_complete(_request(app, scope, keep)())
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body


def wsgi_environ(path: str, query: str = "") -> dict[str, Any]:
    """A GET environ as werkzeug's test tools build it."""
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder(path, query_string=query)
    try:
        return builder.get_environ()
    finally:
        builder.close()


def _start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
    return None


def wsgi_caller(app: Any, environ: dict[str, Any]) -> Callable[[], None]:
    """A function making one request of the WSGI ``app`` per call."""

    def call() -> None:
        body = app(dict(environ), _start_response)
        try:
            b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    return call


def wsgi_answer(app: Any, environ: dict[str, Any]) -> tuple[int, bytes]:
    """One request of the WSGI ``app``: the status and body it answered."""
    got: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        got.append(status)

    body = app(dict(environ), start_response)
    try:
        data = b"".join(body)
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return int(got[0].split()[0]), data


def check_json(name: str, answer: tuple[int, bytes], expected: Any) -> None:
    """Raise unless ``answer`` is a 200 whose body is ``expected`` as JSON."""
    status, body = answer
    if status != 200 or json.loads(body) != expected:
        raise RuntimeError(f"{name} answered {status} {body[:200]!r}; expected 200 {expected}")
