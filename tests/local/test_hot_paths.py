"""The hot paths keep their design: no Python frame where none belongs, no needless copy.

What used to be timed here is measured by the bench's goal tables instead (``python -m
bench --only lookup,proxy,stack``), per Python version. These tests check the
mechanism that makes the paths fast, which no loaded machine or other interpreter can
make fail: a read that starts running Python code, or a write that copies a storage
no other context can see, is caught whatever the timings.
"""

from __future__ import annotations

import contextvars
import sys
import weakref
from collections.abc import Callable
from typing import Any

import pytest

from ctxcore import Local, LocalProxy, LocalStack
from ctxcore.local._local import _storage


def python_calls_inside(action: Callable[[], object]) -> list[str]:
    """Name the Python functions that ``action()`` calls (``action`` itself not counted)."""
    action()  # warm up: a first call may fill caches
    called: list[str] = []

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            called.append(frame.f_code.co_name)

    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
    assert called[:1] == [action.__name__]
    return called[1:]


def read_value(local: Any) -> Callable[[], object]:
    def read() -> object:
        return local.value

    return read


@pytest.mark.parametrize("ident", ["context", "thread", "greenlet"])
def test_read_of_a_set_name_runs_no_python_code(ident: str) -> None:
    local = Local(ident=ident)  # type: ignore[arg-type]
    local.value = 1
    assert python_calls_inside(read_value(local)) == []


def test_write_in_a_context_nobody_copied_keeps_the_storage() -> None:
    """The second write changes the storage in place: no copy per write."""
    local = Local()
    local.value = 1
    before = weakref.ref(_storage(local))
    local.value = 2
    assert _storage(local) is before()
    assert local.value == 2


def test_write_after_a_copy_leaves_the_copy_alone() -> None:
    local = Local()
    local.value = 1
    copy = contextvars.copy_context()
    local.value = 2
    assert copy.run(lambda: local.value) == 1
    assert local.value == 2


def test_compiled_write_push_pop_and_proxy_attribute_run_no_python_code(
    implementation: str,
) -> None:
    """Compiled: no Python frame. Pure Python: these paths are Python code by design
    (so the check above would catch a compiled path that fell back to them)."""
    local = Local()
    local.value = 1
    stack: LocalStack[int] = LocalStack()
    stack.push(0)  # a frame already on this context's stack
    greenlet_stack: LocalStack[int] = LocalStack(ident="greenlet")
    greenlet_stack.push(0)  # this greenlet already holds a frame: later pushes are in place
    var: contextvars.ContextVar[complex] = contextvars.ContextVar("ctxcore.test.hot")
    var.set(complex(1, 2))
    proxy: LocalProxy[complex] = LocalProxy(var)

    def write() -> None:
        local.value = 2

    def push_pop() -> None:
        stack.push(1)
        stack.pop()

    def greenlet_push_pop() -> None:
        greenlet_stack.push(1)
        greenlet_stack.pop()

    def proxy_attribute() -> object:
        return proxy.real

    paths = (write, push_pop, greenlet_push_pop, proxy_attribute)
    called = {path.__name__: python_calls_inside(path) for path in paths}
    if implementation == "compiled":
        assert called == {path.__name__: [] for path in paths}
    else:
        assert all(called.values()), called
