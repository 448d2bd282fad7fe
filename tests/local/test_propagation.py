"""Propagation helpers carry the current context into threads, pools, greenlets, tasks."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import gevent
import pytest

import ctxcore
from ctxcore import Local, LocalStack

local = Local()
stack: LocalStack[str] = LocalStack()
thread_local = Local(ident="thread")


def read() -> tuple[Any, Any]:
    return getattr(local, "user", None), stack.top


def test_plain_thread_pool_starts_empty_but_submit_carries_context() -> None:
    local.user = "ada"
    stack.push("request-1")
    try:
        with ThreadPoolExecutor(2) as pool:
            assert pool.submit(read).result() == (None, None)
            assert ctxcore.submit(pool, read).result() == ("ada", "request-1")
    finally:
        stack.pop()
        del local.user


def test_same_wrapped_function_runs_concurrently_in_many_workers() -> None:
    """Each call gets its own copy: workers never collide or leak into one another."""
    local.user = "ada"
    barrier = threading.Barrier(8)

    @ctxcore.copy_current_context
    def job(i: int) -> tuple[Any, Any]:
        inherited = local.user
        local.user = f"worker-{i}"
        stack.push(f"job-{i}")
        barrier.wait(10)
        return inherited, (local.user, stack.items())

    try:
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(job, range(8)))
    finally:
        del local.user
    assert results == [("ada", (f"worker-{i}", [f"job-{i}"])) for i in range(8)]
    assert stack.top is None
    assert not hasattr(local, "user")


def test_run_in_executor_carries_context() -> None:
    async def main() -> tuple[Any, Any, Any]:
        local.user = "grace"
        loop = asyncio.get_running_loop()
        plain = await loop.run_in_executor(None, read)
        carried = await ctxcore.run_in_executor(None, read)
        to_thread = await asyncio.to_thread(read)
        return plain, carried, to_thread

    plain, carried, to_thread = asyncio.run(main())
    assert plain == (None, None)
    assert carried == ("grace", None)
    assert to_thread == ("grace", None)


def test_start_thread_carries_context_but_not_thread_values() -> None:
    local.user = "linus"
    thread_local.value = "main thread"
    seen: list[Any] = []
    try:
        thread = ctxcore.start_thread(
            lambda: seen.append((local.user, getattr(thread_local, "value", None)))
        )
        thread.join(10)
    finally:
        del local.user
        del thread_local.value
    assert seen == [("linus", None)]


def test_spawn_greenlet_and_gevent_spawn_carry_context() -> None:
    local.user = "barbara"
    try:
        raw = ctxcore.spawn_greenlet(read)
        assert raw.switch() == ("barbara", None)
        assert gevent.spawn(read).get(timeout=5) == (None, None)
        assert ctxcore.gevent_spawn(read).get(timeout=5) == ("barbara", None)
    finally:
        del local.user


def test_create_task_uses_a_copy_taken_now() -> None:
    async def main() -> tuple[Any, Any]:
        local.user = "before"
        snapshot = ctxcore.ContextSnapshot()
        local.user = "after"

        async def show() -> Any:
            await asyncio.sleep(0)
            return local.user

        from_snapshot = await snapshot.create_task(show(), name="snap")
        current = await ctxcore.create_task(show())
        return from_snapshot, current

    assert asyncio.run(main()) == ("before", "after")


def test_wrapped_coroutine_function_runs_in_the_copy() -> None:
    async def main() -> tuple[Any, Any]:
        local.user = "captured"

        @ctxcore.copy_current_context
        async def handler() -> Any:
            seen = local.user
            local.user = "changed in handler"
            return seen

        local.user = "later"
        return await handler(), local.user

    assert asyncio.run(main()) == ("captured", "later")


def test_snapshot_run_gives_each_call_its_own_copy() -> None:
    local.user = "root"
    try:
        snapshot = ctxcore.ContextSnapshot()
        first = snapshot.run(lambda: (setattr(local, "user", "one"), local.user)[1])
        second = snapshot.run(lambda: local.user)
    finally:
        del local.user
    assert (first, second) == ("one", "root")


def test_spawn_greenlet_without_greenlet_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "greenlet", None)
    with pytest.raises(ValueError, match="needs the greenlet package"):
        ctxcore.spawn_greenlet(read)
