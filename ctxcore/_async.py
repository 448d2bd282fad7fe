"""Running ``async def`` views and hooks from synchronous code.

Where a coroutine runs depends on who is calling:

* a worker thread of an ASGI request (``HOME_LOOP`` is set): on the server's loop;
* a greenlet of a gevent monkey-patched process: on an event loop of a native thread
  from a pool of ctxcore's, the greenlet waiting cooperatively. asyncio allows one
  running loop per OS thread, and every greenlet of a hub shares that thread, so a loop
  per greenlet fails as soon as two requests overlap ("cannot be called from a running
  event loop"); native threads each have their own;
* any other thread: on that thread's own loop, kept between calls;
* code already inside a running loop: on a helper thread, with its own loop.

In every case the coroutine runs in a copy of the caller's context, so ``request``,
``g`` and every context-ident Local are visible in it.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
import sys
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from .local import copy_current_context

if TYPE_CHECKING:
    import asyncio

__all__ = ["GEVENT_THREADS", "HOME_LOOP", "ensure_sync", "is_async", "run_coroutine"]

#: The event loop serving the current request (set by the App's async dispatch):
#: coroutines started from its worker threads are sent back to run on it.
HOME_LOOP: ContextVar[asyncio.AbstractEventLoop] = ContextVar("ctxcore.home_loop")

#: How many coroutines greenlets may run at once under gevent (one native thread each).
GEVENT_THREADS = 32


class _ThreadLoops:
    """One event loop per native thread, kept between calls (never shared)."""

    def __init__(self) -> None:
        import threading

        if gevent_patched():
            from gevent import monkey

            # A native thread-local even after patching: loops belong to OS threads.
            local_type: Any = monkey.get_original("_thread", "_local")
            self._local: Any = local_type()
        else:
            self._local = threading.local()

    def run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        import asyncio

        loop: asyncio.AbstractEventLoop | None = getattr(self._local, "loop", None)
        if loop is None or loop.is_closed():
            # Made in an empty context: a loop keeps its own callbacks' contexts (the
            # self-pipe reader's), and this one outlives the request that creates it.
            loop = contextvars.Context().run(asyncio.new_event_loop)
            self._local.loop = loop
        try:
            return loop.run_until_complete(coro)
        finally:
            # Callbacks the run left ready (a finished task's, on 3.10) hold the
            # request's context until the loop runs again: run them out now.
            contextvars.Context().run(loop.run_until_complete, _flush())

    def run_pooled(self, coro: Coroutine[Any, Any, Any]) -> Any:
        """:meth:`run`, on a thread of the gevent pool (which marks itself as such)."""
        self._local.pooled = True
        return self.run(coro)

    def pooled(self) -> bool:
        """Whether this thread is one of the gevent pool's (it may run its loop directly)."""
        return bool(getattr(self._local, "pooled", False))


async def _flush() -> None:
    """One turn of the loop, for the callbacks already scheduled."""


_loops: _ThreadLoops | None = None
_gevent_pool: Any = None


def _thread_loops() -> _ThreadLoops:
    global _loops
    if _loops is None:
        _loops = _ThreadLoops()
    return _loops


def gevent_patched() -> bool:
    """Whether gevent's monkey patching has replaced ``threading`` in this process."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and bool(monkey.is_module_patched("threading"))


def _run_from_greenlet(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run ``coro`` on a native thread's loop; this greenlet waits without blocking others."""
    global _gevent_pool
    if _gevent_pool is None:
        from gevent.threadpool import ThreadPool

        _gevent_pool = ThreadPool(GEVENT_THREADS)
    return _gevent_pool.apply(copy_current_context(_thread_loops().run_pooled), (coro,))


def run_coroutine(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run ``coro`` to completion from synchronous code and return its result."""
    import asyncio

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
        loops = _thread_loops()
        if gevent_patched() and not loops.pooled():
            return _run_from_greenlet(coro)
        return loops.run(coro)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="ctxcore-async") as pool:
        return pool.submit(copy_current_context(asyncio.run), coro).result()


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


_async_functions: dict[Callable[..., Any], bool] = {}


def is_async(func: Callable[..., Any]) -> bool:
    """``inspect.iscoroutinefunction(func)``, remembered per function (asked for every
    hook and view of every request)."""
    try:
        return _async_functions[func]
    except (KeyError, TypeError):
        pass
    answer = inspect.iscoroutinefunction(func)
    if len(_async_functions) > 4096:  # bound it against functions made per request
        _async_functions.clear()
    with contextlib.suppress(TypeError):
        _async_functions[func] = answer
    return answer
