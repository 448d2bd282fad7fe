"""Request limits every server answers the same way: framing, header section, body size.

Servers disagree on malformed and oversized requests. Measured with the same app, two
``Content-Length`` fields (7 and 3) were a 400 under gunicorn and uvicorn but a 200 with
the body parsed under gevent (a request-smuggling hole behind any proxy that trusts the
other field), and a 100 KB header was a 431 under gunicorn, accepted by uvicorn. The
checks here run before the app sees a request, under every server ``serve`` starts, in
``app.asgi`` and in ``ContextMiddleware``:

==========================================================  ======
request                                                     answer
==========================================================  ======
``Content-Length`` repeated, a list, or not a decimal       400
``Transfer-Encoding`` together with ``Content-Length``      400
header section over :attr:`Limits.header_size` bytes        431
more than :attr:`Limits.header_fields` header fields        431
``Content-Length`` over :attr:`Limits.body_size`            413, body unread
a chunked body growing past :attr:`Limits.body_size`        413
==========================================================  ======

A header section's size is what its fields weigh on the wire: each name and value plus
4 bytes (``": "`` and CRLF); the request line is not counted. Refusals are short
plain-text responses with ``Connection: close``: a body the server did not read must not
be taken for the next request.

The checks are pure functions over what the server hands the app (an ASGI scope's
header list, a WSGI environ) returning the status to answer or ``None``; the middlewares
below and the gevent handler (:mod:`ctxcore.adapters.gevent`) call them. Servers that
parse headers themselves are set to the same numbers where they have a setting
(:func:`ctxcore.adapters.serve.serve`), so their own refusals agree. Nothing here
imports werkzeug or a server at module level: the gevent adapter loads this module
before the process is patched.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from .types import ASGIApp, Environ, Message, Receive, Scope, Send, StartResponse, WSGIApp

__all__ = [
    "DEFAULT_BODY_SIZE",
    "DEFAULT_HEADER_FIELDS",
    "DEFAULT_HEADER_SIZE",
    "ENV_VARS",
    "ASGILimits",
    "Limits",
    "WSGILimits",
    "check_environ",
    "check_fields",
    "check_headers",
    "limited_asgi",
    "limited_wsgi",
    "linger",
    "refusal",
    "scan_headers",
    "send_refusal",
]

#: 16 KiB: hypercorn's and h11's buffer for a request head, above gunicorn's 8 KiB field.
DEFAULT_HEADER_SIZE = 16 * 1024
#: The standard library's (werkzeug's and gevent's servers) and gunicorn's default.
DEFAULT_HEADER_FIELDS = 100
#: 16 MiB, as ``app.asgi`` has always buffered at most.
DEFAULT_BODY_SIZE = 16 * 1024 * 1024
#: Environment variables that set the defaults of :meth:`Limits.from_env`, so servers
#: started as their own programs (``uvicorn module:app.asgi``) share them.
ENV_VARS = {
    "header_size": "CTXCORE_MAX_HEADER_SIZE",
    "header_fields": "CTXCORE_MAX_HEADER_FIELDS",
    "body_size": "CTXCORE_MAX_BODY_SIZE",
}


@dataclass(frozen=True)
class Limits:
    """The limits a request must keep (bytes, fields).

    :param header_size: the header section's size (names, values, 4 bytes per field).
    :param header_fields: how many header fields.
    :param body_size: the request body's size.
    """

    header_size: int = DEFAULT_HEADER_SIZE
    header_fields: int = DEFAULT_HEADER_FIELDS
    body_size: int = DEFAULT_BODY_SIZE

    def __post_init__(self) -> None:
        for name in ENV_VARS:
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive number of bytes, not {value!r}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ, **given: int | None) -> Limits:
        """The defaults, each replaced by its ``CTXCORE_MAX_*`` variable when set, and
        by a value ``given`` here (``None``: not given) before that."""
        values: dict[str, int] = {}
        for name, variable in ENV_VARS.items():
            text = environ.get(variable)
            if given.get(name) is not None:
                values[name] = given[name]  # type: ignore[assignment]
            elif text:
                try:
                    values[name] = int(text)
                except ValueError:
                    raise ValueError(f"{variable}={text!r} is not a number") from None
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """The ``CTXCORE_MAX_*`` variables that make :meth:`from_env` return these."""
        return {variable: str(getattr(self, name)) for name, variable in ENV_VARS.items()}


def check_headers(headers: Iterable[tuple[bytes, bytes]], limits: Limits) -> int | None:
    """The status to refuse a request with, judged by its raw header fields (an ASGI
    scope's ``headers``: lower-case names), or ``None`` to serve it."""
    return scan_headers(headers, limits)[0]


def scan_headers(headers: Iterable[tuple[bytes, bytes]], limits: Limits) -> tuple[int | None, bool]:
    """:func:`check_headers`, and whether the fields declare a body (a non-zero
    ``Content-Length`` or a ``Transfer-Encoding``), from one pass over them."""
    size = count = 0
    length: bytes | None = None
    chunked = repeated = False
    for name, value in headers:
        size += len(name) + len(value)
        count += 1
        if name == b"content-length":
            repeated = length is not None
            length = value
        elif name == b"transfer-encoding":
            chunked = True
    size += 4 * count
    declared = chunked or (length is not None and length != b"0")
    if length is None and size <= limits.header_size and count <= limits.header_fields:
        return None, declared  # the usual request: small and without a length to check
    return _judge(size, count, length, repeated, chunked, limits), declared


def check_fields(fields: Iterable[tuple[str, str]], limits: Limits) -> int | None:
    """:func:`check_headers` for header fields parsed by the standard library (the
    ``items()`` of an ``http.client.HTTPMessage``, as werkzeug's and gevent's servers
    hold them before they build the environ)."""
    return check_headers(
        ((name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in fields),
        limits,
    )


def check_environ(environ: Environ, limits: Limits) -> int | None:
    """The status to refuse a request with, judged by its WSGI environ, or ``None``.

    Servers fold repeated fields into one (``"7,3"``, a list: refused) or keep one of
    them; a server that keeps one must be checked on its raw headers instead, as the
    gevent handler does.
    """
    size = count = 0
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            size += len(key) - 5 + len(value)
            count += 1
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        value = environ.get(key)
        if value:  # some servers put an empty string for a missing field
            size += len(key) + len(value)
            count += 1
    length = environ.get("CONTENT_LENGTH") or None
    chunked = "HTTP_TRANSFER_ENCODING" in environ
    return _judge(size + 4 * count, count, length, False, chunked, limits)


def _judge(
    size: int,
    count: int,
    length: str | bytes | None,
    repeated: bool,
    chunked: bool,
    limits: Limits,
) -> int | None:
    if size > limits.header_size or count > limits.header_fields:
        return 431
    if length is None:
        return None
    if repeated or chunked or not length.isdigit() or not length.isascii():
        return 400
    if int(length) > limits.body_size:
        return 413
    return None


def refusal(status: int) -> tuple[str, list[tuple[str, str]], bytes]:
    """The response refusing a request: ``(status line, headers, body)``."""
    phrase = HTTPStatus(status).phrase
    body = f"{phrase}\n".encode()
    headers = [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("Connection", "close"),
    ]
    return f"{status} {phrase}", headers, body


class _CappedInput:
    """A chunked request body that raises ``RequestEntityTooLarge`` (a 413 to the engine)
    instead of reading past the limit."""

    def __init__(self, stream: Any, limit: int) -> None:
        self._stream = stream
        self._left = limit

    def _count(self, data: bytes) -> bytes:
        self._left -= len(data)
        if self._left < 0:
            from werkzeug.exceptions import RequestEntityTooLarge

            raise RequestEntityTooLarge()
        return data

    def read(self, size: int = -1) -> bytes:
        # One byte past the limit tells "exactly at the limit" from "over it".
        cap = self._left + 1
        return self._count(self._stream.read(cap if size is None or size < 0 else min(size, cap)))

    def readline(self, size: int = -1) -> bytes:
        cap = self._left + 1
        return self._count(self._stream.readline(cap if size < 0 else min(size, cap)))

    def readlines(self, hint: int = -1) -> list[bytes]:
        return list(self)

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line


class WSGILimits:
    """WSGI middleware refusing what :func:`check_environ` refuses, and a chunked body
    that grows past ``limits.body_size`` (with a 413 while the response has not started).

    :param app: the WSGI app.
    :param limits: default: :meth:`Limits.from_env`.
    """

    def __init__(self, app: WSGIApp, limits: Limits | None = None) -> None:
        self.app = app
        self.limits = limits or Limits.from_env()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        status = check_environ(environ, self.limits)
        if status is None:
            if "HTTP_TRANSFER_ENCODING" not in environ or "wsgi.input" not in environ:
                return self.app(environ, start_response)
            # Imported here, not at the top: under gevent this module loads before the
            # process is patched, and werkzeug must not.
            from werkzeug.exceptions import RequestEntityTooLarge

            environ["wsgi.input"] = _CappedInput(environ["wsgi.input"], self.limits.body_size)
            try:
                return self.app(environ, start_response)
            except RequestEntityTooLarge:
                status = 413  # a foreign app let it escape before it started a response
        line, headers, body = refusal(status)
        start_response(line, headers)
        return [body]


class ASGILimits:
    """ASGI middleware refusing what :func:`check_headers` refuses, and a body that grows
    past ``limits.body_size``: the app then receives ``http.disconnect``, and the client a
    413 if the response had not started.

    :param app: the ASGI app.
    :param limits: default: :meth:`Limits.from_env`.
    """

    def __init__(self, app: ASGIApp, limits: Limits | None = None) -> None:
        self.app = app
        self.limits = limits or Limits.from_env()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = check_headers(scope.get("headers", ()), self.limits)
        if status is not None:
            await send_refusal(send, status)
            return
        left = self.limits.body_size
        started = refused = False

        async def capped_receive() -> Message:
            nonlocal left, refused
            message = await receive()
            if message["type"] == "http.request" and not refused:
                left -= len(message.get("body", b""))
                if left < 0:
                    refused = True
                    if not started:
                        await send_refusal(send, 413)
            return {"type": "http.disconnect"} if refused else message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused and not started:
                return  # the 413 went out instead
            started = True
            await send(message)

        await self.app(scope, capped_receive, guarded_send)


def linger(sock: Any, limit: int = 1 << 20, timeout: float = 1.0) -> None:
    """Stop sending on ``sock``, then read what the client still sends (up to ``limit``
    bytes, or until ``timeout``) before the caller closes it.

    Closing a socket with unread data sends a reset, and a reset can destroy the answer
    before the client has read it; a refused request's body is usually still coming.
    """
    import socket

    try:
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(timeout)
        while limit > 0:
            data = sock.recv(65536)
            if not data:
                return
            limit -= len(data)
    except OSError:
        return


def limited_wsgi(app: WSGIApp, limits: Limits) -> WSGIApp:
    """``app`` within ``limits``: wrapped in :class:`WSGILimits`, unless it checks limits
    of its own (a ``limits`` attribute: ``ContextMiddleware``, ``WSGILimits``)."""
    if isinstance(getattr(app, "limits", None), Limits):
        return app
    return WSGILimits(app, limits)


def limited_asgi(app: ASGIApp, limits: Limits, *, replace: bool = False) -> ASGIApp:
    """``app`` within ``limits``: wrapped in :class:`ASGILimits`, unless it checks limits
    of its own (``app.asgi``, ``ContextMiddleware``), whose limits ``replace`` sets."""
    if isinstance(getattr(app, "limits", None), Limits):
        if replace:
            app.limits = limits  # type: ignore[attr-defined]
        return app
    return ASGILimits(app, limits)


async def send_refusal(send: Send, status: int) -> None:
    """Send the :func:`refusal` for ``status`` as ASGI messages."""
    _, headers, body = refusal(status)
    raw = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body, "more_body": False})
