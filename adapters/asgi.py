"""Serve a ctxcore App over ASGI 3 (HTTP and lifespan): ``app.asgi``.

Each request runs in a fresh copy of the server's context, so nothing one request sets
is seen by the next on the same connection. The request context is pushed in that copy;
the view and hooks run in a thread pool with the context carried in, and ``async def``
views and hooks are sent back to run on the server's event loop. Bodies are read before
dispatch; streamed responses are produced chunk by chunk, with the context still pushed.
"""

from __future__ import annotations

import asyncio
import inspect
import io
import threading
from collections.abc import Iterable
from contextvars import copy_context
from typing import IO, TYPE_CHECKING, Any

from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.wsgi import FileWrapper

from ctxcore.serving import plain_asgi_response, scope_environ

from .body import RequestBody
from .lanes import LanePool, RequestLane
from .limits import Limits, scan_headers, send_refusal
from .relay import run_relayed
from .types import Environ, Receive, Scope, Send

if TYPE_CHECKING:
    from ctxcore.app import App

__all__ = ["ASGIAdapter", "scope_to_environ"]

#: Requests larger than this are refused with 413 (override per adapter, or
#: ``CTXCORE_MAX_BODY_SIZE``: see :mod:`ctxcore.adapters.limits`).
MAX_BODY = Limits().body_size
#: How many requests may run sync code at once (one worker thread each).
DEFAULT_LANES = 64
#: Bytes per message of a file body (``send_file``, static files): each read is a hop to
#: the request's worker thread, so a few large reads beat werkzeug's 8 KiB ones.
FILE_CHUNK = 64 * 1024


class _FileWrapper(FileWrapper):
    """``wsgi.file_wrapper``: a file body read in :data:`FILE_CHUNK` blocks (or larger)."""

    def __init__(self, file: IO[bytes], buffer_size: int = FILE_CHUNK) -> None:
        super().__init__(file, max(buffer_size, FILE_CHUNK))


def scope_to_environ(scope: Scope, body: bytes) -> Environ:
    """A WSGI environ for an ASGI HTTP scope and its (fully read) body.

    The App itself reads requests from the scope (``Request.from_scope``); this is for
    WSGI code beside it, and what ``request.environ`` holds when read.
    """
    return scope_environ(scope, io.BytesIO(body), _ENVIRON_EXTRA)


#: What an environ made for this adapter's requests adds: its file wrapper.
_ENVIRON_EXTRA = {"wsgi.file_wrapper": _FileWrapper}


class ASGIAdapter:
    """The ASGI 3 callable for an App (HTTP and lifespan)."""

    def __init__(
        self,
        app: App,
        *,
        max_workers: int | None = None,
        max_body: int | None = None,
        limits: Limits | None = None,
    ):
        self.app = app
        #: The request limits, checked before a request is read (:mod:`.limits`).
        self.limits = limits or Limits.from_env(body_size=max_body)
        # One lane (worker thread) per request running sync code: see ctxcore.adapters.lanes.
        self._lanes = LanePool(max_workers or DEFAULT_LANES, name="ctxcore-asgi")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)
        elif kind == "websocket":
            await send({"type": "websocket.close", "code": 1000})
        else:
            raise ValueError(f"ctxcore cannot serve ASGI scope type {kind!r}")

    def _check(self) -> None:
        if not self._isolation_checked:  # the app's ident is fixed: once is enough
            self.app.check_isolation("tasks")
            self._isolation_checked = True

    _isolation_checked = False

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    self._check()
                    await self._run_hooks(self.app.startup_funcs)
                except Exception as exc:
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                try:
                    await self._run_hooks(self.app.shutdown_funcs)
                except Exception as exc:
                    await send({"type": "lifespan.shutdown.failed", "message": str(exc)})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                self._lanes.close()
                return

    async def _run_hooks(self, funcs: list[Any]) -> None:
        """Startup/shutdown hooks in an app context: async ones on the loop, sync on a lane."""
        lane = RequestLane(self._lanes)
        try:
            for func in funcs:
                with self.app.app_context():
                    if inspect.iscoroutinefunction(func):
                        await func()
                    else:
                        result = await lane(func)
                        if inspect.isawaitable(result):
                            await result
        finally:
            lane.release()

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._isolation_checked:
            self._check()
        refused, declared = scan_headers(scope.get("headers", ()), self.limits)
        if refused is not None:
            await send_refusal(send, refused)
            return
        # An HTTP/1 request without Content-Length or Transfer-Encoding has no body;
        # HTTP/2 and 3 may send one without either.
        if not declared and scope.get("http_version", "1.1")[:1] != "1":
            declared = True
        loop = self._running_loop()
        body = RequestBody(receive, self.limits.body_size, loop, expected=declared)
        # The request runs in its own copy of the context, and the server's send runs
        # out here: nothing set while handling it reaches the next request.
        try:
            await run_relayed(self._handle, send, copy_context(), scope, body, loop)
        except (KeyboardInterrupt, SystemExit) as exc:
            # Servers catch what an app raises (uvicorn answers 500 and serves on); these
            # two stop a process wherever they are raised. Raised in a loop callback, they
            # end the loop's run, as from any task.
            loop.call_soon(_reraise, exc)
            raise

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        """The running loop: asyncio's lookup checks the process id, a system call on
        CPython 3.10 and 3.11, so the last loop seen on this thread is kept and reused
        while it runs (a thread runs one loop at a time)."""
        thread = threading.get_ident()
        seen = self._seen_loop
        if seen is not None and seen[0] == thread and seen[1].is_running():
            return seen[1]
        loop = asyncio.get_running_loop()
        self._seen_loop = (thread, loop)
        return loop

    _seen_loop: tuple[int, asyncio.AbstractEventLoop] | None = None

    async def _handle(
        self, scope: Scope, body: RequestBody, loop: asyncio.AbstractEventLoop, send: Send
    ) -> None:
        app = self.app
        try:
            ctx = app.scope_request_context(scope, body, _ENVIRON_EXTRA)
        except Exception:
            status, headers, text = app.malformed_request()
            await _plain(send, int(status.split(" ", 1)[0]), text, headers)
            return
        # Every sync call of this request (hooks, view, body chunks, teardown) runs on
        # this one lane's thread; async code stays on the loop.
        lane = RequestLane(self._lanes, loop)
        ctx.push()
        error: BaseException | None = None
        try:
            if app.body_read_on_loop(ctx):
                # Code on the loop cannot wait for the body: it arrives first.
                try:
                    await body.read_ahead()
                except RequestEntityTooLarge:
                    await send_refusal(send, 413)
                    return
                except ClientDisconnected:
                    return  # the client went away before sending its request
            response = await app.dispatch_async(ctx, lane)
            await self._send_response(response, ctx.request, body, send, lane)
        except BaseException as exc:
            error = exc
            raise
        finally:
            try:
                await app.end_request_async(ctx, lane, error)
            finally:
                lane.release()

    async def _send_response(
        self, response: Any, request: Any, body: RequestBody, send: Send, lane: RequestLane
    ) -> None:
        """Send ``response`` as ASGI messages, straight from its status, headers and body.

        werkzeug's WSGI steps are kept where they decide something (empty bodies for HEAD,
        1xx, 204 and 304; ``Content-Length``; URL-safe ``Location``), given only the
        method unless the response asks for an absolute ``Location`` (the full environ).
        """
        method = request.method
        plain = plain_asgi_response(response, method)
        if plain is not None:
            # Bytes in memory and nothing to run on close: sent from here, no thread hop.
            await send(plain[0])
            await send(plain[1])
            return
        environ = (
            request.environ if response.autocorrect_location_header else {"REQUEST_METHOD": method}
        )
        await send(_start(response.status_code, response.get_wsgi_headers(environ).items()))
        # Anything else may block (generators, files, close callbacks): the lane.
        await self._send_body(response.get_app_iter(environ), body, send, lane)

    async def _send_body(
        self, body: Iterable[bytes], request_body: RequestBody, send: Send, lane: RequestLane
    ) -> None:
        """Send ``body`` (a list or tuple at once, anything else chunk by chunk from the
        lane), then close it on the lane.

        The response has started: an error producing or closing the body is logged, and
        the body ends there, so the connection stays usable.
        """
        close = getattr(body, "close", None)
        try:
            if isinstance(body, list | tuple):
                data = b"".join(body)
                await send({"type": "http.response.body", "body": data, "more_body": False})
            else:
                await self._send_stream(body, request_body, send, lane)
        finally:
            if close is not None:
                try:
                    await lane(close)
                except Exception:
                    self.app.logger.exception("Error closing the response body")

    async def _send_stream(
        self, body: Iterable[bytes], request_body: RequestBody, send: Send, lane: RequestLane
    ) -> None:
        """Send chunk by chunk until the body ends or the client goes away.

        Servers drop what is sent after a disconnect without a word, so the client's
        ``http.disconnect`` is watched for meanwhile: without it, a stream whose client
        left would run on (holding its context and its lane) until it ended, if ever.
        """
        iterator = iter(body)
        gone: asyncio.Future[bool] = asyncio.ensure_future(request_body.disconnected())
        try:
            while True:
                step = asyncio.ensure_future(lane(_next_chunk, iterator))
                await asyncio.wait((step, gone), return_when=asyncio.FIRST_COMPLETED)
                if not step.done():
                    if gone.result():
                        # The client left: let the chunk being made finish on the lane
                        # (a generator cannot be closed while it runs), then stop.
                        await asyncio.wait((step,))
                        _discard(step)
                        return
                    # The server sent something else: it will not say; stop watching.
                    gone = asyncio.get_running_loop().create_future()
                    await asyncio.wait((step,))
                try:
                    chunk = step.result()
                except Exception:
                    self.app.logger.exception("Error producing the response body; ending it here")
                    chunk = None
                if chunk is None:
                    break
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            gone.cancel()


def _discard(task: asyncio.Future[Any]) -> None:
    """Collect a finished task's outcome, which nobody needs any more."""
    if not task.cancelled():
        task.exception()


def _reraise(exc: BaseException) -> None:
    raise exc


def _next_chunk(iterator: Any) -> bytes | None:
    return next(iterator, None)


async def _plain(
    send: Send, status: int, text: bytes, headers: list[tuple[str, str]] | None = None
) -> None:
    if headers is None:
        headers = [("Content-Type", "text/plain; charset=utf-8")]
        headers.append(("Content-Length", str(len(text))))
    await send(_start(status, headers))
    await send({"type": "http.response.body", "body": text, "more_body": False})


def _start(status: int, headers: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The ``http.response.start`` message for ``status`` and str header pairs."""
    return {
        "type": "http.response.start",
        "status": status,
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
    }
