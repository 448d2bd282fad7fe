"""WSGI response bodies that do something when produced or closed."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextvars import Context

__all__ = ["ClosingBody", "ContextBody"]


class ClosingBody:
    """Iterate a WSGI body, and call ``on_close`` after closing it (even if that fails)."""

    __slots__ = ("_body", "_iterator", "_on_close")

    def __init__(self, body: Iterable[bytes], on_close: Callable[[], None]) -> None:
        self._body = body
        self._iterator: Iterator[bytes] = iter(body)
        self._on_close = on_close

    def __iter__(self) -> ClosingBody:
        return self

    def __next__(self) -> bytes:
        return next(self._iterator)

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._on_close()


class ContextBody:
    """A WSGI body produced and closed inside the ``Context`` its request ran in.

    A :class:`ClosingBody` given as ``body`` is unwrapped: its close callback runs in the
    context too, and the server iterates through one wrapper instead of two.
    """

    __slots__ = ("_body", "_context", "_iterator", "_on_close")

    def __init__(self, body: Iterable[bytes], context: Context) -> None:
        self._on_close: Callable[[], None] | None = None
        if type(body) is ClosingBody:
            self._on_close = body._on_close
            body = body._body
        self._body = body
        self._context = context
        self._iterator: Iterator[bytes] = iter(body)

    def __iter__(self) -> ContextBody:
        return self

    def __next__(self) -> bytes:
        chunk: bytes = self._context.run(next, self._iterator)
        return chunk

    def close(self) -> None:
        self._context.run(self._close)

    def _close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            if self._on_close is not None:
                self._on_close()
