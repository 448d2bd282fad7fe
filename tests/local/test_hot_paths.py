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
from types import ModuleType
from typing import Any

import pytest

from ctxcore import LocalProxy, LocalStack
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
def test_read_of_a_set_name_runs_no_python_code(impl: ModuleType, ident: str) -> None:
    local = impl.Local(ident=ident)  # type: ignore[arg-type]
    local.value = 1
    assert python_calls_inside(read_value(local)) == []


def test_write_in_a_context_nobody_copied_keeps_the_storage(impl: ModuleType) -> None:
    """The second write changes the storage in place: no copy per write."""
    local = impl.Local()
    local.value = 1
    before = weakref.ref(_storage(local))
    local.value = 2
    assert _storage(local) is before()
    assert local.value == 2


def test_write_after_a_copy_leaves_the_copy_alone(impl: ModuleType) -> None:
    local = impl.Local()
    local.value = 1
    copy = contextvars.copy_context()
    local.value = 2
    assert copy.run(lambda: local.value) == 1
    assert local.value == 2


def test_c_write_push_pop_and_proxy_attribute_run_no_python_code(impl: ModuleType) -> None:
    """C: no Python frame, copy-on-write and delete included. Pure Python: these paths are
    Python code by design (so the check would catch a C path that fell back to them)."""
    local = impl.Local()
    local.value = 1
    stack: LocalStack[int] = impl.LocalStack()
    stack.push(0)  # a frame already on this context's stack
    greenlet_stack: LocalStack[int] = impl.LocalStack(ident="greenlet")
    greenlet_stack.push(0)  # this greenlet already holds a frame: later pushes are in place
    var: contextvars.ContextVar[complex] = contextvars.ContextVar("ctxcore.test.hot")
    var.set(complex(1, 2))
    proxy: LocalProxy[complex] = impl.LocalProxy(var)

    def write() -> None:
        local.value = 2

    def copied_write() -> None:
        contextvars.copy_context().run(setattr, local, "value", 3)

    def delete() -> None:
        local.other = 1
        del local.other

    def push_pop() -> None:
        stack.push(1)
        stack.pop()

    def greenlet_push_pop() -> None:
        greenlet_stack.push(1)
        greenlet_stack.pop()

    def proxy_attribute() -> object:
        return proxy.real

    paths = (write, copied_write, delete, push_pop, greenlet_push_pop, proxy_attribute)
    called = {path.__name__: python_calls_inside(path) for path in paths}
    if impl.__name__ == "ctxcore.local._c":
        assert called == {path.__name__: [] for path in paths}
    else:
        assert all(called.values()), called
