"""Serve a WSGI app with gevent's WSGI server, after monkey patching the process.

Call :func:`patch` before the app (and anything using threads or sockets) is imported;
``python -m ctxcore serve module:app --server gevent`` does it in that order. Under the
patch, threads are greenlets: the ``"context"`` and ``"greenlet"`` idents both isolate
requests, and ``"thread"`` means the one OS thread (shared by all requests), so an App
built with it is refused.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

from .limits import Limits, check_fields, limited_wsgi, linger, refusal

__all__ = ["patch", "serve"]


def patch() -> None:
    """Monkey-patch the standard library for gevent (idempotent)."""
    from gevent import monkey

    if not monkey.is_module_patched("socket"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "already imported" notes about ssl and friends
            monkey.patch_all()


def serve(
    app: Any,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    nodelay: bool = True,
    fair: bool = True,
    limits: Limits | None = None,
    **server_options: Any,
) -> None:
    """Serve ``app`` forever with ``gevent.pywsgi.WSGIServer`` (one greenlet per request).

    ``nodelay`` sets ``TCP_NODELAY`` on every accepted connection. gevent's server writes
    a response's headers and body in two sends; with Nagle's algorithm on, the body of
    every response after the first on a keep-alive connection waits for the client's
    delayed ACK (about 40 ms on Linux), which caps one connection at ~25 requests/s.

    ``fair`` makes a connection's greenlet yield to the others after each response. A
    greenlet only switches when it would block, so a keep-alive client whose next
    request has already arrived is served again at once, and under load a few
    connections are served back to back while the rest wait (tail latencies of hundreds
    of milliseconds at 32 connections). Yielding costs about 6% of throughput at that
    load, for a p99 under 20 ms.

    ``limits`` (default: :meth:`Limits.from_env`) are checked on the raw header fields,
    before gevent folds them into an environ: gevent itself serves a request with two
    ``Content-Length`` fields by the first, and drops ``Content-Length`` when
    ``Transfer-Encoding`` is there too. The app is wrapped in :class:`WSGILimits` (for
    chunked bodies) unless it checks limits itself. A ``handler_class`` you pass is used
    as it is, without the raw checks.

    ``server_options`` go to ``WSGIServer`` (``log=None`` turns the access log off).
    Where it listens is printed to stderr once the socket is bound.

    A ctxcore App whose ident source cannot isolate greenlets (``"thread"``) is refused
    here, before serving, with an error naming the fix.
    """
    check = getattr(app, "check_isolation", None)
    if check is not None:
        check("greenlets")
    patch()
    import socket
    import sys

    from gevent.pywsgi import WSGIServer

    limits = limits or Limits.from_env()
    handler = _handler_class(fair, limits)

    class _Server(WSGIServer):  # type: ignore[misc]
        def handle(self, sock: Any, address: Any) -> Any:
            if nodelay and sock.family in (socket.AF_INET, socket.AF_INET6):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return super().handle(sock, address)

    server_options.setdefault("handler_class", handler)
    server = _Server((host, port), limited_wsgi(app, limits), **server_options)
    server.start()  # binds now: a port in use fails here, before the line below
    print(
        f"gevent serving on http://{host}:{server.server_port} (pid {os.getpid()}; Ctrl+C to quit)",
        file=sys.stderr,
        flush=True,
    )
    server.serve_forever()


class _Refused(Exception):
    """A request refused by the limits, with the status to answer."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _handler_class(fair: bool, limits: Limits) -> type[Any]:
    """gevent's handler, checking :mod:`ctxcore.adapters.limits` on the raw header
    fields, and yielding after each keep-alive response when ``fair``."""
    from http.client import HTTPException

    import gevent
    from gevent.pywsgi import WSGIHandler

    class Handler(WSGIHandler):  # type: ignore[misc]
        def MessageClass(self, *args: Any) -> Any:  # gevent's name
            try:
                headers = super().MessageClass(*args)
            except HTTPException:  # the standard library's "more than 100 headers"
                raise _Refused(431) from None
            if headers.status == "Line too long":
                raise _Refused(431)
            status = check_fields(headers.items(), limits)
            if status is not None:
                raise _Refused(status)
            return headers

        def _handle_client_error(self, ex: BaseException) -> Any:
            if isinstance(ex, _Refused):
                line, headers, body = refusal(ex.status)
                head = "".join(f"{name}: {value}\r\n" for name, value in headers)
                return str(ex.status), f"HTTP/1.1 {line}\r\n{head}\r\n".encode() + body
            return super()._handle_client_error(ex)

        def handle_one_request(self) -> Any:
            result = super().handle_one_request()
            if result is True:  # the connection stays open for another request
                if fair:
                    gevent.sleep(0)  # let every other ready connection go first
            elif isinstance(result, tuple):  # refused: answer, then close without a reset
                self.status = result[0]
                self.socket.sendall(result[1])
                linger(self.socket)
                return None
            return result

    return Handler
