"""isolation: the seeds' shared global guarded by a Lock, versus a Local, under I/O waits.

Each operation is a batch of 32 concurrent "requests" (threads, gevent greenlets or
asyncio tasks); each stores its id, waits 1 ms (an I/O stand-in) and reads the id
back. A global with a lock is correct but serializes the batch; a global without one
is fast and wrong; a ctxcore Local is both fast and correct. The wrong answers of the
unlocked global are counted once during setup and recorded in the benchmark metadata
(the report shows them).
"""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.suites._base import Case, Goal, Impl

TITLE = "Shared global + Lock versus Local"
DESCRIPTION = (
    "32 concurrent requests, each storing its id, waiting 1 ms and reading it back; time "
    "per batch (lower is better). 'global, no lock' shows what goes wrong without "
    "isolation: its wrong answers per batch are in the report."
)
WORKERS = 32
WAIT = 0.001


class _State:
    current: Any = None


def _handlers(kind: str) -> dict[str, Any]:
    """Sync (threads, greenlets) or async (tasks) handlers for each strategy."""
    import ctxcore

    state = _State()
    local = ctxcore.Local()
    if kind == "asyncio":
        lock: Any = None  # an asyncio.Lock belongs to a loop: made per batch

        async def locked(i: int, lock_: asyncio.Lock) -> bool:
            async with lock_:
                state.current = i
                await asyncio.sleep(WAIT)
                return bool(state.current == i)

        async def unlocked(i: int, _: Any) -> bool:
            state.current = i
            await asyncio.sleep(WAIT)
            return bool(state.current == i)

        async def with_local(i: int, _: Any) -> bool:
            local.current = i
            await asyncio.sleep(WAIT)
            return bool(local.current == i)

        return {"global + Lock": locked, "global, no lock": unlocked, "ctxcore Local": with_local}

    if kind == "gevent":
        import gevent
        import gevent.lock

        wait = gevent.sleep
        lock = gevent.lock.Semaphore()
    else:
        wait = time.sleep
        lock = threading.Lock()

    def locked_sync(i: int) -> bool:
        with lock:
            state.current = i
            wait(WAIT)
            return bool(state.current == i)

    def unlocked_sync(i: int) -> bool:
        state.current = i
        wait(WAIT)
        return bool(state.current == i)

    def local_sync(i: int) -> bool:
        local.current = i
        wait(WAIT)
        return bool(local.current == i)

    return {
        "global + Lock": locked_sync,
        "global, no lock": unlocked_sync,
        "ctxcore Local": local_sync,
    }


def _batch_runner(kind: str, handler: Any) -> Any:
    if kind == "threads":
        pool = ThreadPoolExecutor(WORKERS)

        def run() -> int:
            return sum(pool.map(handler, range(WORKERS)))

        return run
    if kind == "gevent":
        import gevent

        def run_greenlets() -> int:
            jobs = [gevent.spawn(handler, i) for i in range(WORKERS)]
            gevent.joinall(jobs)
            return sum(job.value for job in jobs)

        return run_greenlets
    loop = asyncio.new_event_loop()

    async def batch() -> int:
        lock = asyncio.Lock()
        return sum(await asyncio.gather(*(handler(i, lock) for i in range(WORKERS))))

    def run_tasks() -> int:
        return loop.run_until_complete(batch())

    return run_tasks


def _timed(loops: int, run: Any) -> float:
    t0 = time.perf_counter()
    for _ in range(loops):
        run()
    return time.perf_counter() - t0


def _impl(kind: str, strategy: str) -> Impl:
    needs = ("gevent",) if kind == "gevent" else ()

    def setup() -> tuple[Any, ...]:
        return (_batch_runner(kind, _handlers(kind)[strategy]),)

    # The unlocked global is no alternative (it answers wrong): a baseline, not a peer.
    reference = strategy == "global, no lock"
    return Impl(strategy, setup, _timed, needs=needs, inner_loops=1, reference=reference)


def wrong_answers(kind: str) -> int:
    """Wrong answers in one batch of the unlocked global (for the report)."""
    run = _batch_runner(kind, _handlers(kind)["global, no lock"])
    return WORKERS - int(run())


def report_notes() -> list[str]:
    """Lines for the report: what the unlocked global got wrong."""
    counts = ", ".join(
        f"{kind} {wrong_answers(kind)}/{WORKERS}" for kind in ("threads", "gevent", "asyncio")
    )
    return [f"Wrong answers per batch from the unlocked global: {counts}. Lock and Local: none."]


CASES = tuple(
    Case(
        kind,
        f"a batch of {WORKERS} concurrent requests ({kind})",
        tuple(
            _impl(kind, strategy)
            for strategy in ("ctxcore Local", "global + Lock", "global, no lock")
        ),
        unit="per batch",
    )
    for kind in ("threads", "gevent", "asyncio")
)

GOALS: tuple[Goal, ...] = ()
