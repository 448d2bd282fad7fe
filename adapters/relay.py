"""Run an ASGI handler in its own context while the server's ``send`` runs outside it.

A server may start the next request on a connection from inside ``send`` (uvicorn does
for pipelined HTTP/1.1 requests); that request's task then copies whatever context
``send`` was awaited in. Running the handler in a separate context and relaying its
messages to ``send`` from the caller's context keeps one request's values out of the
next request's context.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from contextvars import Context, copy_context
from typing import Any

from .types import Message, Send

__all__ = ["run_relayed"]


async def run_relayed(
    handler: Callable[[Send], Coroutine[Any, Any, None]], send: Send, context: Context
) -> None:
    """Run ``handler(relayed_send)`` as a task in ``context``; each message it sends is
    sent by a task in a copy of the caller's context, and awaited by the handler (so
    back-pressure and errors reach it as they would directly)."""
    loop = asyncio.get_running_loop()
    outer = copy_context()

    async def relayed_send(message: Message) -> None:
        # A task created inside outer.run() copies outer: that is the context the
        # server's send (and anything it starts) sees.
        # ensure_future, not create_task: granian's send returns an awaitable that is
        # not a coroutine.
        await outer.run(asyncio.ensure_future, send(message), loop=loop)

    # (3.10 has no create_task(context=): a task made inside context.run copies it.)
    await context.run(loop.create_task, handler(relayed_send))
