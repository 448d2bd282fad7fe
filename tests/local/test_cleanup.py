"""Values end with their ident, and with the Local that holds them."""

from __future__ import annotations

import asyncio
import contextvars
import gc
import threading
import time
import weakref
from types import ModuleType
from typing import Any

import greenlet
import pytest

from ctxcore import LocalStack, live_idents
from ctxcore.local import _dropped
from tests.sizes import sizes


class Value:
    """A weak-referenceable value to watch for release."""


def wait_until(condition: Any, timeout: float = 5.0) -> bool:
    """Poll ``condition`` (collecting garbage between tries) until true or timed out."""
    deadline = time.monotonic() + timeout
    while True:
        gc.collect()
        if condition():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)


def test_thread_values_freed_when_thread_ends(impl: ModuleType) -> None:
    local = impl.Local(ident="thread")
    refs: list[weakref.ref[Value]] = []

    def work() -> None:
        value = Value()
        refs.append(weakref.ref(value))
        local.value = value

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    del thread
    assert wait_until(lambda: refs[0]() is None and live_idents(local) == 0)


def test_reused_thread_ident_never_sees_dead_threads_value(impl: ModuleType) -> None:
    local = impl.Local(ident="thread")
    seen: list[tuple[int, bool]] = []

    def work(i: int) -> None:
        seen.append((threading.get_ident(), hasattr(local, "value")))
        local.value = i

    for i in range(40):
        thread = threading.Thread(target=work, args=(i,))
        thread.start()
        thread.join()
    idents = [ident for ident, _ in seen]
    assert len(set(idents)) < len(idents), "the OS reused no thread ident; nothing was tested"
    assert not any(had for _, had in seen)


def test_greenlet_values_freed_when_greenlet_dies(impl: ModuleType) -> None:
    local = impl.Local(ident="greenlet")
    stack: LocalStack[Any] = impl.LocalStack(ident="greenlet")
    refs: list[weakref.ref[Value]] = []

    def work() -> None:
        value = Value()
        refs.append(weakref.ref(value))
        local.value = value
        stack.push(value)
        greenlet.getcurrent().parent.switch()

    glet = greenlet.greenlet(work)
    glet.switch()
    assert live_idents(local) == 1
    assert live_idents(stack) == 1
    glet.switch()
    assert glet.dead
    del glet
    gc.collect()
    assert refs[0]() is None
    assert live_idents(local) == 0
    assert live_idents(stack) == 0


def test_reused_greenlet_ids_never_see_dead_greenlets_value(impl: ModuleType) -> None:
    local = impl.Local(ident="greenlet")
    had = []
    for i in range(200):
        glet = greenlet.greenlet(
            lambda i=i: (had.append(hasattr(local, "value")), setattr(local, "value", i))
        )
        glet.switch()
        del glet
    assert not any(had)
    assert live_idents(local) == 0


def test_context_values_freed_when_task_ends(impl: ModuleType) -> None:
    local = impl.Local()
    refs: list[weakref.ref[Value]] = []

    async def request() -> None:
        value = Value()
        refs.append(weakref.ref(value))
        local.value = value
        await asyncio.sleep(0)

    async def main() -> None:
        await asyncio.gather(*(request() for _ in range(10)))

    asyncio.run(main())
    gc.collect()
    assert len(refs) == 10
    assert all(ref() is None for ref in refs)
    assert live_idents(local) == 0


def test_dropped_local_releases_values_in_current_context(impl: ModuleType) -> None:
    local = impl.Local()
    value = Value()
    ref = weakref.ref(value)
    local.value = value
    del value, local
    gc.collect()
    assert ref() is None


def test_dropped_local_releases_values_held_by_other_contexts(impl: ModuleType) -> None:
    """Values set in a context that lives on (a worker thread, a saved copy) are freed too."""
    holder = [impl.Local()]
    refs: list[weakref.ref[Value]] = []
    ready = threading.Event()
    finish = threading.Event()

    def long_lived_worker() -> None:
        value = Value()
        refs.append(weakref.ref(value))
        holder[0].value = value
        del value
        ready.set()
        finish.wait(10)

    thread = threading.Thread(target=long_lived_worker)
    thread.start()
    ready.wait(10)
    saved = contextvars.copy_context()
    saved_value = Value()
    refs.append(weakref.ref(saved_value))
    saved.run(setattr, holder[0], "value", saved_value)
    del saved_value
    holder.clear()
    gc.collect()
    try:
        assert [ref() for ref in refs] == [None, None]
    finally:
        finish.set()
        thread.join()
    assert saved is not None  # the copy outlived the Local


def test_tracking_stays_bounded_under_many_writes(impl: ModuleType) -> None:
    local = impl.Local()
    for i in range(10_000):
        local.value = i
    tracker = type(local)._ctxcore_tracker
    assert tracker is not None
    assert len(tracker.refs) <= 2 * max(64, len(tracker.live())) + 1
    assert live_idents(local) == 1


@pytest.mark.parametrize("ident", ["context", "thread", "greenlet"])
def test_live_idents_counts_each_ident_holding_values(impl: ModuleType, ident: str) -> None:
    local = impl.Local(ident=ident)  # type: ignore[arg-type]
    stack: LocalStack[int] = impl.LocalStack(ident=ident)  # type: ignore[arg-type]
    assert live_idents(local) == 0
    assert live_idents(stack) == 0
    local.value = 1
    stack.push(1)
    started = threading.Barrier(4)
    done = threading.Event()

    def hold() -> None:
        local.value = 2
        stack.push(2)
        started.wait(10)
        done.wait(10)

    threads = [threading.Thread(target=hold) for _ in range(3)]
    for thread in threads:
        thread.start()
    started.wait(10)
    try:
        assert live_idents(local) == 4
        assert live_idents(stack) == 4
    finally:
        done.set()
        for thread in threads:
            thread.join()
    del thread, threads
    # A thread's state (its context, its main greenlet) is torn down just after join()
    # returns; give the interpreter a moment.
    assert wait_until(lambda: live_idents(local) == 1 and live_idents(stack) == 1)
    stack.pop()
    release_all = [local.__release_local__, stack.__release_local__]
    for release in release_all:
        release()
    assert live_idents(local) == 0
    assert live_idents(stack) == 0


@pytest.mark.parametrize("ident", ["context", "thread", "greenlet"])
def test_overwritten_value_is_freed_at_once(impl: ModuleType, ident: str) -> None:
    local = impl.Local(ident=ident)  # type: ignore[arg-type]
    value = Value()
    ref = weakref.ref(value)
    local.value = value
    del value
    local.value = None
    assert ref() is None  # no collection needed: nothing kept the old value


def test_overwritten_value_stays_visible_in_a_copy_that_holds_it(impl: ModuleType) -> None:
    local = impl.Local()
    value = Value()
    ref = weakref.ref(value)
    local.value = value
    snapshot = contextvars.copy_context()
    del value
    local.value = None
    assert snapshot.run(lambda: local.value) is ref()
    assert ref() is not None
    del snapshot
    gc.collect()
    assert ref() is None


@pytest.mark.parametrize("cycles", sizes(2_000, 20_000))
@pytest.mark.parametrize("freed_by", ["refcount", "collector"])
def test_a_dropped_local_retains_at_most_200_bytes_in_its_context(
    impl: ModuleType, cycles: int, freed_by: str
) -> None:
    """The values go, and so does the Local's storage class (measured over ``cycles`` drops).

    ``collector``: each Local sits in a reference cycle, so automatic collections free
    them, some inside the loop's own ContextVar sets; the slots their finalizers queue
    are let go of by the next Local built.
    """
    import tracemalloc

    def create_set_drop() -> float:
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for i in range(cycles):
                local = impl.Local()
                local.value = i
                if freed_by == "collector":
                    held: list[Any] = [local]
                    held.append(held)
                    del held
                del local
            gc.collect()
            # A second pass frees the storage classes the first one's finalizers let go.
            gc.collect()
            impl.Local()  # a safe point: the last collection's Locals are let go of here
            return (tracemalloc.get_traced_memory()[0] - before) / cycles
        finally:
            tracemalloc.stop()

    per_local = contextvars.copy_context().run(create_set_drop)
    assert per_local <= 200, f"{per_local:.0f} bytes retained per dropped Local"
    last = impl.Local()
    assert _dropped.pending == [], "building a Local lets go of every dropped one"
    assert last is not None


def test_a_dropped_local_leaves_an_empty_plain_storage_in_other_contexts(impl: ModuleType) -> None:
    class Value:
        pass

    local = impl.Local()
    local.value = Value()
    ref = weakref.ref(local.value)
    other = contextvars.copy_context()
    local.extra = 1  # this context now has its own storage; the copy keeps the old one
    var = type(local)._ctxcore_slot.var
    storage_class = type(local)._ctxcore_storage
    del local
    gc.collect()
    assert ref() is None
    kept = other.run(var.get).__self__
    assert kept == {}
    assert type(kept) is not storage_class  # the per-Local class can be collected
