"""Lanes: one worker thread per request for its sync code, lent and given back."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from typing import Any

import pytest
import uvloop
from ctxcore.adapters.lanes import LanePool, RequestLane

from ctxcore import Local

LOOPS = [
    pytest.param(asyncio.new_event_loop, id="asyncio"),
    pytest.param(uvloop.new_event_loop, id="uvloop"),
]
marker: contextvars.ContextVar[str] = contextvars.ContextVar("tests.lanes.marker")


def run(loop_factory: Any, coro: Any) -> Any:
    loop = loop_factory()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


@pytest.mark.parametrize("loop_factory", LOOPS)
def test_every_call_of_a_request_runs_on_one_thread_off_the_loop(loop_factory: Any) -> None:
    pool = LanePool(4)

    async def request() -> set[int]:
        lane = RequestLane(pool)
        try:
            return {await lane(threading.get_ident) for _ in range(20)}
        finally:
            lane.release()

    async def main() -> tuple[list[set[int]], int]:
        threads = await asyncio.gather(*(request() for _ in range(8)))
        return threads, threading.get_ident()

    try:
        per_request, loop_thread = run(loop_factory, main())
    finally:
        pool.close()
    assert all(len(threads) == 1 for threads in per_request)
    assert all(loop_thread not in threads for threads in per_request)
    assert pool.size <= 4


def test_concurrent_requests_never_share_a_lane_while_both_hold_one() -> None:
    pool = LanePool(8)
    running: dict[int, int] = {}
    overlaps: list[int] = []
    lock = threading.Lock()

    def work(rid: int) -> None:
        ident = threading.get_ident()
        with lock:
            if running.get(ident, rid) != rid:
                overlaps.append(ident)
            running[ident] = rid
        time.sleep(0.002)

    async def request(rid: int) -> None:
        lane = RequestLane(pool)
        try:
            for _ in range(3):
                await lane(work, rid)
                await asyncio.sleep(0)  # other requests run meanwhile
        finally:
            with lock:
                running.pop(lane.thread.ident if lane.thread else 0, None)
            lane.release()

    async def main() -> None:
        await asyncio.gather(*(request(rid) for rid in range(8)))

    try:
        run(asyncio.new_event_loop, main())
    finally:
        pool.close()
    assert overlaps == []


def test_a_full_pool_makes_the_next_request_wait_for_a_lane() -> None:
    pool = LanePool(1)
    order: list[str] = []

    async def request(name: str) -> int:
        lane = RequestLane(pool)
        try:
            ident = await lane(threading.get_ident)
            order.append(f"{name} start")
            await asyncio.sleep(0.02)
            order.append(f"{name} end")
            return int(ident)
        finally:
            lane.release()

    async def main() -> list[int]:
        return await asyncio.gather(request("a"), request("b"))

    try:
        idents = run(asyncio.new_event_loop, main())
        assert pool.size == 1
    finally:
        pool.close()
    assert order == ["a start", "a end", "b start", "b end"]
    assert idents[0] == idents[1]  # the one lane, handed over


def test_a_waiter_cancelled_before_its_turn_does_not_lose_the_lane() -> None:
    pool = LanePool(1)

    async def main() -> int:
        holder = RequestLane(pool)
        await holder(int)  # takes the only lane
        waiter = asyncio.ensure_future(pool.acquire())
        await asyncio.sleep(0)
        waiter.cancel()
        holder.release()
        await asyncio.sleep(0.01)
        after = RequestLane(pool)
        try:
            return int(await asyncio.wait_for(after(threading.get_ident), 2))
        finally:
            after.release()

    try:
        assert run(asyncio.new_event_loop, main()) > 0
    finally:
        pool.close()


def test_context_set_in_a_sync_call_is_seen_by_the_request_afterwards() -> None:
    pool = LanePool(2)
    local = Local()

    def hook() -> None:
        marker.set("from the lane")
        local.user = "ada"

    async def request() -> tuple[str, str, str]:
        lane = RequestLane(pool)
        try:
            await lane(hook)
            seen_on_lane = await lane(lambda: local.user)
            return marker.get(), local.user, seen_on_lane
        finally:
            lane.release()

    try:
        assert run(asyncio.new_event_loop, request()) == ("from the lane", "ada", "ada")
    finally:
        pool.close()
    assert marker.get(None) is None  # nothing reached the caller of the loop


def test_errors_and_keyword_arguments_cross_the_lane() -> None:
    pool = LanePool(1)

    def fail(*, message: str) -> None:
        raise ValueError(message)

    async def request() -> None:
        lane = RequestLane(pool)
        try:
            await lane(fail, message="raised on the lane")
        finally:
            lane.release()

    try:
        with pytest.raises(ValueError, match="raised on the lane"):
            run(asyncio.new_event_loop, request())
    finally:
        pool.close()


def test_a_request_that_never_runs_sync_code_takes_no_thread() -> None:
    pool = LanePool(2)
    lane = RequestLane(pool)
    lane.release()
    assert pool.size == 0
    assert lane.thread is None


def test_close_ends_the_lane_threads() -> None:
    pool = LanePool(2)

    async def request() -> threading.Thread:
        lane = RequestLane(pool)
        await lane(int)
        thread = lane.thread
        lane.release()
        assert thread is not None
        return thread

    thread = run(asyncio.new_event_loop, request())
    pool.close()
    thread.join(5)
    assert not thread.is_alive()


def test_a_pool_needs_at_least_one_lane() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        LanePool(0)
