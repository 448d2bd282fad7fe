"""LocalStack: per-ident stacks, copy-on-write inheritance, werkzeug-compatible API."""

from __future__ import annotations

import contextvars
from types import ModuleType
from typing import Any

import greenlet
import pytest

from ctxcore import LocalStack, live_idents, release_local
from tests.backends import Backend, Worker


def test_concurrent_stacks_are_isolated(impl: ModuleType, backend: Backend) -> None:
    for ident in sorted({"context", backend.native_ident}):
        stack: LocalStack[Any] = impl.LocalStack(ident=ident)  # type: ignore[arg-type]

        def worker(i: int, stack: LocalStack[Any] = stack) -> Worker:
            for depth in range(4):
                stack.push((i, depth))
                yield
                assert stack.top == (i, depth)
            popped = []
            while (item := stack.pop()) is not None:
                popped.append(item)
                yield
            return popped

        results = backend.run([worker(i) for i in range(24)])
        assert results == [[(i, d) for d in reversed(range(4))] for i in range(24)], ident


def test_push_in_child_never_changes_parent(impl: ModuleType, backend: Backend) -> None:
    stack: LocalStack[str] = impl.LocalStack()

    def child() -> Worker:
        inherited = stack.top
        stack.push("child")
        yield
        popped = [stack.pop(), stack.pop(), stack.pop()]
        return inherited, popped

    def parent() -> Worker:
        stack.push("parent")
        inherited, popped = yield backend.start_child(child())
        return inherited, popped, stack.items()

    [result] = backend.run([parent()])
    assert result == ("parent", ["child", "parent", None], ["parent"])


def test_pop_and_top_on_empty_stack_return_none(impl: ModuleType) -> None:
    stack: LocalStack[int] = impl.LocalStack()
    assert stack.top is None
    assert stack.pop() is None
    assert len(stack) == 0


@pytest.mark.parametrize("ident", ["context", "thread", "greenlet"])
def test_push_pop_top_len_items(impl: ModuleType, ident: str) -> None:
    stack: LocalStack[int] = impl.LocalStack(ident=ident)  # type: ignore[arg-type]
    for i in range(3):
        stack.push(i)
    assert (stack.top, len(stack), stack.items()) == (2, 3, [0, 1, 2])
    assert stack.pop() == 2
    assert stack.items() == [0, 1]
    release_local(stack)
    assert stack.top is None
    assert stack.items() == []


def test_greenlet_stacks_are_their_greenlets_own(impl: ModuleType) -> None:
    """Each greenlet's stack lives on it: pushes after the first replace the frame in
    place, the holder is counted once, and a stack popped empty holds nothing."""
    stack: LocalStack[Any] = impl.LocalStack(ident="greenlet")
    stack.push("main")
    seen: list[Any] = []

    def work(name: str) -> None:
        seen.append(stack.top)
        for depth in range(3):
            stack.push((name, depth))
            greenlet.getcurrent().parent.switch()
        seen.append(stack.items())
        while stack.pop() is not None:
            pass

    glets = [greenlet.greenlet(work) for _ in range(2)]
    for index, glet in enumerate(glets):
        glet.switch(f"g{index}")
    assert live_idents(stack) == 3
    for _ in range(3):
        for glet in glets:
            glet.switch()
    assert seen == [
        None,
        None,
        [("g0", 0), ("g0", 1), ("g0", 2)],
        [("g1", 0), ("g1", 1), ("g1", 2)],
    ]
    assert all(glet.dead for glet in glets)
    assert not any(key.startswith("_ctxcore_slot_") for glet in glets for key in vars(glet))
    assert live_idents(stack) == 1
    assert stack.items() == ["main"]


def test_copied_context_keeps_the_stack_of_the_copy_time(impl: ModuleType) -> None:
    stack: LocalStack[str] = impl.LocalStack()
    stack.push("a")
    snapshot = contextvars.copy_context()
    stack.push("b")
    assert snapshot.run(stack.items) == ["a"]
    snapshot.run(stack.pop)
    assert stack.items() == ["a", "b"]
    assert snapshot.run(stack.items) == []


def test_call_gives_proxies_to_the_top(impl: ModuleType) -> None:
    stack: LocalStack[Any] = impl.LocalStack()
    top = stack()
    real = stack("real", unbound_message="empty stack")
    assert isinstance(top, impl.LocalProxy)
    with pytest.raises(RuntimeError, match="empty stack"):
        real + 1
    stack.push(2 + 3j)
    assert top == 2 + 3j
    assert real == 2.0


def test_context_var_argument_is_used(impl: ModuleType) -> None:
    var: contextvars.ContextVar[Any] = contextvars.ContextVar("ctxcore.test.stack")
    stack: LocalStack[int] = impl.LocalStack(var)
    stack.push(1)
    assert var.get() is not None
    module = type(stack).__module__
    assert module in {"ctxcore.local._py", "ctxcore.local._c"}
    assert repr(stack).startswith(f"<{module}.LocalStack ident='context' depth=1")
