"""Carry the current context across thread, executor, greenlet and task boundaries.

Thread pools, ``run_in_executor``, new threads and new greenlets all start in an empty
context; these helpers run the code in a copy of the context that was current when the
helper was called, so every ``"context"``-ident value (and every pushed app or request
context) is visible there. Each call runs in its own copy: one wrapped function may run
concurrently in many workers, and nothing a worker sets reaches the caller.

Values of ``"thread"`` and ``"greenlet"`` Locals are deliberately not carried: they
belong to the thread or greenlet that set them.

asyncio, threading and concurrent.futures are imported where they are used, so that
``import ctxcore`` imports none of the modules gevent's monkey patching replaces: a
process may import ctxcore and patch afterwards (``python -m ctxcore serve --server
gevent`` does).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import Context, copy_context
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

if TYPE_CHECKING:
    import asyncio
    import threading
    from concurrent.futures import Executor, Future

__all__ = [
    "ContextSnapshot",
    "copy_current_context",
    "create_task",
    "gevent_spawn",
    "run_in_executor",
    "spawn_greenlet",
    "start_thread",
    "submit",
]

P = ParamSpec("P")
T = TypeVar("T")


class ContextSnapshot:
    """The context as it was when the snapshot was taken, to run code in later.

    Every :meth:`run` (and every call of a :meth:`wrap`-ped function) gets its own copy
    of the snapshot, so concurrent runs never share or corrupt one another's values.
    """

    __slots__ = ("_context",)

    def __init__(self, context: Context | None = None) -> None:
        self._context = copy_context() if context is None else context.copy()

    def run(self, func: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Call ``func(*args, **kwargs)`` in a fresh copy of the snapshot."""
        return self._context.copy().run(func, *args, **kwargs)

    def wrap(self, func: Callable[P, T]) -> Callable[P, T]:
        """Return ``func`` made to run in a fresh copy of the snapshot on every call.

        A coroutine function is wrapped so that its body runs in the copy: the
        returned coroutine function awaits a task started in it.
        """
        from inspect import iscoroutinefunction  # lazily: see the module docstring

        if iscoroutinefunction(func):
            return self._wrap_coroutine_function(func)  # type: ignore[return-value]

        @functools.wraps(func)
        def in_snapshot(*args: P.args, **kwargs: P.kwargs) -> T:
            return self._context.copy().run(func, *args, **kwargs)

        return in_snapshot

    def _wrap_coroutine_function(
        self, func: Callable[P, Coroutine[Any, Any, T]]
    ) -> Callable[P, Coroutine[Any, Any, T]]:
        @functools.wraps(func)
        async def in_snapshot(*args: P.args, **kwargs: P.kwargs) -> T:
            return await self.create_task(func(*args, **kwargs))

        return in_snapshot

    def create_task(
        self, coro: Coroutine[Any, Any, T], *, name: str | None = None
    ) -> asyncio.Task[T]:
        """Start ``coro`` as a task of the running loop, in a fresh copy of the snapshot."""
        import asyncio

        context = self._context.copy()
        if sys.version_info >= (3, 11):
            return asyncio.get_running_loop().create_task(coro, name=name, context=context)
        # Before 3.11 a task copies whatever context is current when it is created.
        task: asyncio.Task[T] = context.run(asyncio.get_running_loop().create_task, coro)
        if name is not None:
            task.set_name(name)
        return task


def copy_current_context(func: Callable[P, T]) -> Callable[P, T]:
    """Return ``func`` made to run in a copy of the context current now.

    Usable as a decorator, a thread target, an executor job, a greenlet's ``run`` or
    a callback; each call gets its own copy. Coroutine functions are supported too.
    """
    return ContextSnapshot().wrap(func)


def submit(
    executor: Executor, func: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
) -> Future[T]:
    """``executor.submit(func, ...)`` with the current context carried into the worker."""
    return executor.submit(copy_current_context(func), *args, **kwargs)


def run_in_executor(
    executor: Executor | None, func: Callable[..., T], /, *args: Any
) -> Awaitable[T]:
    """``loop.run_in_executor(...)`` with the current context carried into the worker.

    (``loop.run_in_executor`` itself runs the function in an empty context.)
    """
    import asyncio

    loop = asyncio.get_running_loop()
    return loop.run_in_executor(executor, copy_current_context(func), *args)


def start_thread(
    func: Callable[..., Any],
    /,
    *args: Any,
    name: str | None = None,
    daemon: bool | None = None,
    **kwargs: Any,
) -> threading.Thread:
    """Start a thread running ``func(*args, **kwargs)`` in a copy of the current context."""
    import threading

    thread = threading.Thread(
        target=copy_current_context(func), args=args, kwargs=kwargs, name=name, daemon=daemon
    )
    thread.start()
    return thread


def spawn_greenlet(func: Callable[..., Any], /, *, parent: Any = None) -> Any:
    """Return a new raw greenlet that runs ``func`` in a copy of the current context.

    The greenlet is not started: ``g.switch(*args)`` runs it.
    """
    from ._ident import require_greenlet

    require_greenlet()
    from greenlet import greenlet

    return greenlet(copy_current_context(func), parent)


def gevent_spawn(func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """``gevent.spawn(func, ...)`` with the current context carried into the greenlet."""
    import gevent

    return gevent.spawn(copy_current_context(func), *args, **kwargs)


def create_task(coro: Coroutine[Any, Any, T], *, name: str | None = None) -> asyncio.Task[T]:
    """Start ``coro`` as a task in an explicit copy of the current context."""
    return ContextSnapshot().create_task(coro, name=name)
