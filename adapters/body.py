"""An ASGI request's body as the file the engine reads, streamed as the app reads it.

``request.stream``, ``get_data()`` and werkzeug's form and file parsers read the body
through :class:`RequestBody`, a blocking file object. Sync code of an ASGI request runs
on its worker thread (:mod:`.lanes`), so a read there waits for the server's next
``http.request`` message on the loop: an upload is parsed as it arrives, never held
whole in memory, and a request refused before its body is read (``MAX_CONTENT_LENGTH``
against its ``Content-Length``: a 413) never reads it.

Code on the event loop cannot wait that way: when an ``async def`` view or hook may
read the body, the adapter reads it ahead (:meth:`RequestBody.read_ahead`) before the
request runs. Either way the body stops at ``Limits.body_size`` with a 413 and a client
that leaves mid-body is a 400 (werkzeug's ``ClientDisconnected``) to the code reading it.
"""

from __future__ import annotations

import asyncio
import io
import threading

from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge

from .types import Receive

__all__ = ["RequestBody"]


class RequestBody(io.RawIOBase):
    """The body of one ASGI request, read from ``receive`` as it is asked for.

    :param receive: the server's ``receive``.
    :param limit: the most bytes accepted (more: ``RequestEntityTooLarge``, a 413).
    :param loop: the loop ``receive`` belongs to (default: the running one).
    :param expected: ``False`` when the request declares no body (HTTP/1 without
        ``Content-Length`` or ``Transfer-Encoding``): it reads as empty at once, and the
        server's one empty ``http.request`` message is left unasked.
    """

    def __init__(
        self,
        receive: Receive,
        limit: int,
        loop: asyncio.AbstractEventLoop | None = None,
        *,
        expected: bool = True,
    ) -> None:
        super().__init__()
        self._receive = receive
        self._limit = limit
        self._loop = loop or asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._buffer = bytearray()
        self._received = 0
        self._more = expected
        self._unasked = not expected  # the server's empty message for it is still there

    def readable(self) -> bool:
        return True

    @property
    def complete(self) -> bool:
        """Whether the whole body has arrived (it may not have been read yet)."""
        return not self._more

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        """Fill ``buffer`` from the body, waiting for the next message if none is
        buffered; 0 at the end of the body."""
        while not self._buffer and self._more:
            self._take(self._next_from_thread())
        size = min(len(buffer), len(self._buffer))
        buffer[:size] = self._buffer[:size]
        del self._buffer[:size]
        return size

    async def read_ahead(self) -> None:
        """Receive the rest of the body now, on the loop (see the module docstring).

        Raises ``RequestEntityTooLarge`` past the limit and ``ClientDisconnected`` if the
        client leaves first.
        """
        while self._more:
            self._take(await self._next())

    async def _next(self) -> bytes:
        message = await self._receive()
        kind = message["type"]
        if kind == "http.disconnect":
            self._more = False
            raise ClientDisconnected("The client left before sending the whole body.")
        if kind != "http.request":
            raise RuntimeError(f"unexpected ASGI message while reading a body: {kind!r}")
        chunk: bytes = message.get("body", b"")
        self._received += len(chunk)
        if self._received > self._limit:
            self._more = False
            raise RequestEntityTooLarge()
        self._more = bool(message.get("more_body", False))
        return chunk

    async def disconnected(self) -> bool:
        """``True`` once the client has gone; ``False`` if the server says something else
        (it then cannot tell). The rest of the body is received first, kept for any code
        still reading it."""
        try:
            await self.read_ahead()
        except ClientDisconnected:
            return True
        except RequestEntityTooLarge:
            return False
        message = await self._receive()
        if self._unasked and message["type"] == "http.request":
            self._unasked = False
            message = await self._receive()  # that was the one a bodiless request left
        return bool(message["type"] == "http.disconnect")

    def _next_from_thread(self) -> bytes:
        if threading.get_ident() == self._loop_thread:
            # The loop cannot wait for itself: such a request's body is read ahead.
            raise RuntimeError(
                "the request body was read on the event loop before it arrived; the "
                "ASGI adapter reads it ahead for async views and hooks"
            )
        return asyncio.run_coroutine_threadsafe(self._next(), self._loop).result()

    def _take(self, chunk: bytes) -> None:
        self._buffer += chunk
