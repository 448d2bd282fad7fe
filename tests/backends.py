"""Concurrency backends for tests: run generator workers as threads, greenlets or tasks.

A worker is a generator. ``yield`` (or ``yield None``) is a pause that lets the other
workers run; ``yield handle`` waits for a child started with ``backend.start_child``
and evaluates to the child's return value. The generator's return value is the worker's
result. Generators run their code in whatever context is current when they are
resumed, so each worker's code runs in its own thread, greenlet or task.

Children inherit the parent's context: asyncio copies it into a new task itself; for
threads and greenlets the backend carries it with ctxcore's propagation helpers.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable, Generator, Sequence
from typing import Any

import ctxcore

Worker = Generator[Any, Any, Any]

#: Set by tests/local/test_gevent_monkey.py when the suite reruns under gevent.monkey.
MONKEY = os.environ.get("CTXCORE_TEST_GEVENT_MONKEY") == "1"


class Backend:
    """Runs workers concurrently; subclasses say how."""

    name = ""
    #: The ident source that isolates this backend's workers besides "context".
    native_ident = "context"

    def run(self, workers: Sequence[Worker]) -> list[Any]:
        raise NotImplementedError

    def start_child(self, worker: Worker) -> Any:
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.name


def _drive_sync(worker: Worker, pause: Callable[[], None], join: Callable[[Any], Any]) -> Any:
    value = None
    while True:
        try:
            item = worker.send(value)
        except StopIteration as stop:
            return stop.value
        if item is None:
            pause()
            value = None
        else:
            value = join(item)


class ThreadBackend(Backend):
    name = "thread"
    native_ident = "thread"

    def _pause(self) -> None:
        time.sleep(0.0002)

    def _drive(self, worker: Worker) -> Any:
        return _drive_sync(worker, self._pause, lambda handle: handle.result())

    def run(self, workers: Sequence[Worker]) -> list[Any]:
        handles = [self.start_child(worker) for worker in workers]
        return [handle.result() for handle in handles]

    def start_child(self, worker: Worker) -> _ThreadHandle:
        handle = _ThreadHandle()
        handle.thread = ctxcore.start_thread(handle.capture, self._drive, worker)
        return handle


class _ThreadHandle:
    def __init__(self) -> None:
        self.thread: threading.Thread | None = None
        self.value: Any = None
        self.error: BaseException | None = None

    def capture(self, drive: Callable[[Worker], Any], worker: Worker) -> None:
        try:
            self.value = drive(worker)
        except BaseException as exc:
            self.error = exc

    def result(self) -> Any:
        assert self.thread is not None
        self.thread.join(30)
        assert not self.thread.is_alive(), "worker thread did not finish"
        if self.error is not None:
            raise self.error
        return self.value


class GreenletBackend(Backend):
    """Raw greenlets switched round-robin by a small scheduler (no gevent)."""

    name = "greenlet"
    native_ident = "greenlet"

    def __init__(self) -> None:
        self._ready: list[Any] = []
        self._scheduler: Any = None

    def _pause(self) -> None:
        self._scheduler.switch()

    def run(self, workers: Sequence[Worker]) -> list[Any]:
        from greenlet import getcurrent

        self._scheduler = getcurrent()
        handles = [self.start_child(worker) for worker in workers]
        while any(not handle.dead for handle in self._ready):
            for handle in list(self._ready):
                if not handle.dead:
                    handle.switch()
        self._ready.clear()
        return [handle.result() for handle in handles]

    def start_child(self, worker: Worker) -> _GreenletHandle:
        handle = _GreenletHandle(self, worker)
        self._ready.append(handle)
        return handle


class _GreenletHandle:
    def __init__(self, backend: GreenletBackend, worker: Worker) -> None:
        self.backend = backend
        self.done = False
        self.value: Any = None
        self.error: BaseException | None = None
        self.greenlet = ctxcore.spawn_greenlet(self._main, parent=backend._scheduler)
        self.worker = worker

    @property
    def dead(self) -> bool:
        return bool(self.greenlet.dead)

    def switch(self) -> None:
        self.greenlet.switch()

    def _join(self, other: _GreenletHandle) -> Any:
        while not other.done:
            self.backend._pause()
        return other.result()

    def _main(self) -> None:
        try:
            self.value = _drive_sync(self.worker, self.backend._pause, self._join)
        except BaseException as exc:
            self.error = exc
        self.done = True

    def result(self) -> Any:
        assert self.done, "greenlet worker did not finish"
        if self.error is not None:
            raise self.error
        return self.value


class GeventBackend(Backend):
    name = "gevent-monkey" if MONKEY else "gevent"
    native_ident = "greenlet"

    def _drive(self, worker: Worker) -> Any:
        import gevent

        return _drive_sync(worker, lambda: gevent.sleep(0), lambda handle: handle.get(timeout=30))

    def run(self, workers: Sequence[Worker]) -> list[Any]:
        handles = [self.start_child(worker) for worker in workers]
        return [handle.get(timeout=30) for handle in handles]

    def start_child(self, worker: Worker) -> Any:
        return ctxcore.gevent_spawn(self._drive, worker)


class AsyncioBackend(Backend):
    name = "asyncio"

    def _new_loop(self) -> asyncio.AbstractEventLoop:
        return asyncio.new_event_loop()

    async def _drive(self, worker: Worker) -> Any:
        value = None
        while True:
            try:
                item = worker.send(value)
            except StopIteration as stop:
                return stop.value
            if item is None:
                await asyncio.sleep(0)
                value = None
            else:
                value = await item

    def run(self, workers: Sequence[Worker]) -> list[Any]:
        async def main() -> list[Any]:
            tasks = [self.start_child(worker) for worker in workers]
            return list(await asyncio.wait_for(asyncio.gather(*tasks), 30))

        loop = self._new_loop()
        try:
            return loop.run_until_complete(main())
        finally:
            loop.close()

    def start_child(self, worker: Worker) -> asyncio.Task[Any]:
        # A task copies the creator's context by itself: no helper needed.
        return asyncio.ensure_future(self._drive(worker))


class UvloopBackend(AsyncioBackend):
    name = "uvloop"

    def _new_loop(self) -> asyncio.AbstractEventLoop:
        import uvloop

        return uvloop.new_event_loop()


def all_backends() -> list[Backend]:
    """The backends for this run (only gevent-monkey when the suite runs patched)."""
    if MONKEY:
        return [GeventBackend()]
    return [ThreadBackend(), GreenletBackend(), GeventBackend(), AsyncioBackend(), UvloopBackend()]
