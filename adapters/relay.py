"""Run an ASGI handler in its own context while the server's ``send`` runs outside it.

A server may start the next request on a connection from inside ``send`` (uvicorn does
for pipelined HTTP/1.1 requests); that request's task then copies whatever context
``send`` was awaited in. Running the handler in a separate context and the server's
``send`` in a copy of the caller's keeps one request's values out of the next
request's context.

No task is made for either: :class:`in_context` steps an awaitable with each step run
inside a given context, in the task that awaits it. The futures the awaitable waits
on are handed to that task as they are (what ``await`` itself does), so cancellation,
back-pressure and errors reach the awaitable as if it were awaited directly.
"""

from __future__ import annotations

import types
from collections.abc import Awaitable, Callable, Coroutine, Generator
from contextvars import Context, copy_context
from typing import Any, TypeVar

from .types import Message, Send

__all__ = ["in_context", "run_relayed"]

T = TypeVar("T")


@types.coroutine
def in_context(awaitable: Awaitable[T], context: Context) -> Generator[Any, Any, T]:
    """``await in_context(awaitable, context)``: await ``awaitable`` with each of its
    steps run inside ``context``; returns its result.

    A generator-based coroutine rather than an object with ``__await__``: awaiting it
    is one frame, not two, per request and per message sent.
    """
    iterator = awaitable.__await__()
    run = context.run
    # A coroutine's iterator takes values and errors; a plain awaitable's (a server's
    # own, e.g. granian's send) may be a bare iterator.
    send = getattr(iterator, "send", None)
    throw = getattr(iterator, "throw", None)
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            if error is not None:
                if throw is None:
                    raise error
                signal = run(throw, error)
            elif send is not None:
                signal = run(send, value)
            else:
                signal = run(next, iterator)
        except StopIteration as stop:
            result: T = stop.value
            return result
        try:
            value, error = (yield signal), None
        except BaseException as exc:  # the awaiting task's cancellation, included
            value, error = None, exc


def run_relayed(
    handler: Callable[..., Coroutine[Any, Any, None]],
    send: Send,
    context: Context,
    *args: Any,
) -> Awaitable[None]:
    """Await to run ``handler(*args, relayed_send)`` in ``context``; each message it
    sends goes to ``send`` in a copy of the caller's context (see the module's
    docstring)."""
    outer = copy_context()
    outer_run = outer.run

    def relayed_send(message: Message) -> Awaitable[None]:
        # Called in outer too: a server's send may do its work when called.
        return in_context(outer_run(send, message), outer)

    return in_context(handler(*args, relayed_send), context)
