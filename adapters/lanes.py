"""Lanes: worker threads lent to one request at a time, for its synchronous code.

Under ASGI the event loop must not block, so sync hooks, sync views, sync streaming
bodies and sync teardown run in threads. A plain thread pool would hand each call to
whichever thread is free: a request's ``before_request`` on one thread, its view on
another, each chunk of its generator somewhere else. Code that holds thread-bound
resources breaks there: an sqlite connection opened in one thread refuses to be used
in another, and ``scoped_session`` (keyed by thread) hands one request's session to
another request's code.

A :class:`Lane` is one thread that a request borrows on its first sync call and gives
back when it is done (after teardown and closing its body), so all of that request's
sync code runs on one thread, in order, and no other request's code runs there
meanwhile: what a threaded WSGI server gives each request. Async code stays on the
loop. The rule is Django's and asgiref's "thread sensitive" mode, per request instead of
one thread for every request: sync work of concurrent requests still runs in parallel.

Each call runs in a copy of the calling task's context, and what it sets in
``contextvars`` (a context-ident ``Local`` written by a sync ``before_request``) is
copied back into the task when the call returns, so the sync and async parts of one
request see one set of values, as if everything ran inline.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from contextvars import Context, copy_context
from functools import partial
from queue import SimpleQueue
from typing import Any

__all__ = ["Lane", "LanePool", "RequestLane"]

_MISSING: Any = object()
_STOP: Any = object()


class Lane:
    """One worker thread that runs the calls it is given, in order."""

    __slots__ = ("_jobs", "thread")

    def __init__(self, name: str) -> None:
        self._jobs: SimpleQueue[Any] = SimpleQueue()
        self.thread = threading.Thread(target=self._work, name=name, daemon=True)
        self.thread.start()

    def submit(
        self, loop: asyncio.AbstractEventLoop, context: Context, func: Callable[..., Any], args: Any
    ) -> asyncio.Future[Any]:
        """Run ``context.run(func, *args)`` on this lane's thread; a future of ``loop``."""
        future: asyncio.Future[Any] = loop.create_future()
        self._jobs.put((loop, future, context, func, args))
        return future

    def stop(self) -> None:
        """Let the thread end once the calls already given have run."""
        self._jobs.put(_STOP)

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is _STOP:
                return
            loop, future, context, func, args = job
            try:
                result = context.run(func, *args)
            except BaseException as exc:
                _settle(loop, future, None, exc)
            else:
                _settle(loop, future, result, None)
            del job, future, context, func, args  # hold nothing while idle


def _settle(
    loop: asyncio.AbstractEventLoop,
    future: asyncio.Future[Any],
    result: Any,
    error: BaseException | None,
) -> None:
    def settle() -> None:
        if future.cancelled():
            return
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)

    # Not contextlib.suppress: three Python calls per sync call of every request. The
    # loop may have closed while the call ran (nobody waits then).
    try:  # noqa: SIM105
        loop.call_soon_threadsafe(settle)
    except RuntimeError:
        pass


class LanePool:
    """Lanes created on demand, up to ``max_lanes``; a request waits when all are lent.

    :param max_lanes: how many requests may run sync code at once (and so how many
        threads may exist); requests beyond it wait for a lane to come back.
    """

    def __init__(self, max_lanes: int = 64, *, name: str = "ctxcore-lane") -> None:
        if max_lanes < 1:
            raise ValueError(f"max_lanes must be at least 1, not {max_lanes}")
        self.max_lanes = max_lanes
        self._name = name
        self._lock = threading.Lock()
        self._idle: list[Lane] = []
        self._all: list[Lane] = []
        self._waiters: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[Lane]]] = deque()

    async def acquire(self) -> Lane:
        """Borrow a lane: an idle one, a new one, or the next one given back."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
            if len(self._all) < self.max_lanes:
                lane = Lane(f"{self._name}-{len(self._all) + 1}")
                self._all.append(lane)
                return lane
            loop = asyncio.get_running_loop()
            waiter: asyncio.Future[Lane] = loop.create_future()
            self._waiters.append((loop, waiter))
        return await waiter

    def release(self, lane: Lane) -> None:
        """Give a lane back: to the first request still waiting, else to the idle list."""
        with self._lock:
            while self._waiters:
                loop, waiter = self._waiters.popleft()
                if not waiter.done():
                    loop.call_soon_threadsafe(_hand_over, waiter, lane, self)
                    return
            self._idle.append(lane)

    def close(self) -> None:
        """Stop every lane's thread (once their current calls are done)."""
        with self._lock:
            lanes, self._all, self._idle = self._all, [], []
        for lane in lanes:
            lane.stop()

    @property
    def size(self) -> int:
        """How many lane threads exist."""
        return len(self._all)


def _hand_over(waiter: asyncio.Future[Lane], lane: Lane, pool: LanePool) -> None:
    if waiter.done():  # cancelled meanwhile: the lane goes to the next one, or idles
        pool.release(lane)
    else:
        waiter.set_result(lane)


class RequestLane:
    """One request's access to a lane: borrowed on first use, given back by :meth:`release`.

    ``await request_lane(func, *args)`` runs ``func`` on the request's lane thread (the
    ``call_sync`` the engine's async dispatch takes).
    """

    __slots__ = ("_lane", "_loop", "_pool")

    def __init__(self, pool: LanePool, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._pool = pool
        self._lane: Lane | None = None
        # The loop the request runs on (default: looked up at each call; a system call
        # on some CPythons).
        self._loop = loop

    async def __call__(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        lane = self._lane
        if lane is None:
            lane = self._lane = await self._pool.acquire()
        if kwargs:
            func = partial(func, **kwargs)
        context = copy_context()
        loop = self._loop or asyncio.get_running_loop()
        result = await lane.submit(loop, context, func, args)
        _adopt(context)
        return result

    @property
    def thread(self) -> threading.Thread | None:
        """The thread this request's sync code runs on, once it has one."""
        return None if self._lane is None else self._lane.thread

    def release(self) -> None:
        """Give the lane back (nothing to do if the request never ran sync code)."""
        lane, self._lane = self._lane, None
        if lane is not None:
            self._pool.release(lane)


def _adopt(context: Context) -> None:
    """Set in the current context every variable ``context`` holds a different value for."""
    for var, value in context.items():
        if var.get(_MISSING) is not value:
            var.set(value)
