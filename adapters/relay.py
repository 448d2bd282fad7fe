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
from contextvars import Context
from typing import Any

from .types import Message, Send

__all__ = ["run_relayed"]


async def run_relayed(
    handler: Callable[[Send], Coroutine[Any, Any, None]], send: Send, context: Context
) -> None:
    """Run ``handler(relayed_send)`` as a task in ``context``; forward what it sends.

    Each relayed ``send`` waits until the server's ``send`` has taken the message, so
    back-pressure and errors reach the handler as they would directly.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[Message, asyncio.Future[None]]] = asyncio.Queue()

    async def relayed_send(message: Message) -> None:
        done: asyncio.Future[None] = loop.create_future()
        await queue.put((message, done))
        await done

    # A task created inside context.run() copies that context (3.10 has no context=).
    task: asyncio.Task[None] = context.run(loop.create_task, handler(relayed_send))
    try:
        while True:
            getter = asyncio.ensure_future(queue.get())
            finished, _ = await asyncio.wait({getter, task}, return_when=asyncio.FIRST_COMPLETED)
            if getter in finished:
                message, done = getter.result()
                try:
                    await send(message)
                except BaseException as exc:
                    done.set_exception(exc)
                else:
                    done.set_result(None)
                continue
            getter.cancel()
            break
        await task
    finally:
        if not task.done():
            task.cancel()
