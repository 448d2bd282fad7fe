"""Running ``async def`` views and hooks from the WSGI (synchronous) side.

Under ASGI, coroutines go back to the server's event loop. Otherwise each worker thread
(a greenlet under gevent's monkey patching) keeps one event loop and runs coroutines on
it to completion; the coroutine's task copies the current context,
so ``request``, ``g`` and every context-ident Local are visible in it. When a loop is
already running in the calling thread, the coroutine runs on a helper thread instead,
with the context carried there.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from typing import Any

from .local import submit

__all__ = ["ensure_sync", "run_coroutine"]

_loops = threading.local()

#: The event loop serving the current request (set by the ASGI adapter): coroutines
#: started from its worker threads are sent back to run on it.
HOME_LOOP: ContextVar[asyncio.AbstractEventLoop] = ContextVar("ctxcore.home_loop")


def _thread_loop() -> asyncio.AbstractEventLoop:
    loop: asyncio.AbstractEventLoop | None = getattr(_loops, "loop", None)
    if loop is None or loop.is_closed():
        loop = asyncio.new_event_loop()
        _loops.loop = loop
    return loop


def run_coroutine(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run ``coro`` to completion from synchronous code and return its result."""
    home = HOME_LOOP.get(None)
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if home is not None and running is None and not home.is_closed():
        # A worker thread of an ASGI request: run on the server's loop (the task copies
        # this thread's context, so the request is visible there).
        return asyncio.run_coroutine_threadsafe(coro, home).result()
    if running is None:
        return _thread_loop().run_until_complete(coro)
    with ThreadPoolExecutor(1, thread_name_prefix="ctxcore-async") as pool:
        return submit(pool, asyncio.run, coro).result()


_sync_versions: dict[Callable[..., Any], Callable[..., Any]] = {}


def ensure_sync(func: Callable[..., Any]) -> Callable[..., Any]:
    """Return a synchronous callable for ``func`` (which may be ``async def``).

    Results are remembered per function: views and hooks are asked on every request.
    """
    try:
        return _sync_versions[func]
    except (KeyError, TypeError):  # TypeError: an unhashable callable
        pass
    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            return run_coroutine(func(*args, **kwargs))

        sync: Callable[..., Any] = run
    else:
        sync = func
    if len(_sync_versions) > 4096:  # bound it against functions made per request
        _sync_versions.clear()
    with contextlib.suppress(TypeError):
        _sync_versions[func] = sync
    return sync
