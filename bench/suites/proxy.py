"""proxy: attribute access and operators through a LocalProxy."""

from __future__ import annotations

import contextvars
from typing import Any

from bench import loops
from bench.peers import pure_python
from bench.suites._base import Case, Goal, Impl

TITLE = "LocalProxy"
DESCRIPTION = (
    "An attribute read and an operator through a proxy to a context-local object. "
    "'direct' reads the object without a proxy: the floor any proxy adds to."
)


class Target:
    """A plain object with an attribute."""

    value = 1

    def __add__(self, other: int) -> int:
        return other


_VAR: contextvars.ContextVar[Target] = contextvars.ContextVar("bench.proxy")


def _var_proxy(module: str) -> tuple[Any, ...]:
    if module == "ctxcore":
        from ctxcore import LocalProxy
    elif module == "python":
        LocalProxy = pure_python("LocalProxy")
    else:
        from werkzeug.local import LocalProxy
    _VAR.set(Target())
    return (LocalProxy(_VAR),)


def _stack_proxy(module: str) -> tuple[Any, ...]:
    if module == "ctxcore":
        from ctxcore import LocalStack
    elif module == "python":
        LocalStack = pure_python("LocalStack")
    else:
        from werkzeug.local import LocalStack
    stack = LocalStack()
    stack.push(Target())
    return (stack(),)


def _local_proxy(module: str) -> tuple[Any, ...]:
    if module == "ctxcore":
        from ctxcore import Local
    elif module == "python":
        Local = pure_python("Local")
    else:
        from werkzeug.local import Local
    local = Local()
    local.target = Target()
    return (local("target"),)


class _Direct:
    """``direct.value`` costs a ContextVar.get() and an attribute read, like a proxy does."""

    __slots__ = ()

    @property
    def value(self) -> int:
        return _VAR.get().value

    def __add__(self, other: int) -> int:
        return _VAR.get() + other


def _direct() -> tuple[Any, ...]:
    _VAR.set(Target())
    return (_Direct(),)


def _var_get() -> tuple[Any, ...]:
    _VAR.set(Target())
    return (_VAR.get,)


def _impls(make: Any) -> tuple[Impl, ...]:
    return (
        Impl("ctxcore", lambda: make("ctxcore"), loops.read_attr),
        Impl("ctxcore (python)", lambda: make("python"), loops.read_attr),
        Impl("werkzeug", lambda: make("werkzeug"), loops.read_attr, needs=("werkzeug",)),
    )


CASES = (
    Case(
        "attr via ContextVar",
        "LocalProxy(ContextVar).value",
        (
            *_impls(_var_proxy),
            Impl("direct (property over ContextVar.get)", _direct, loops.read_attr, reference=True),
            Impl("var.get().value", _var_get, loops.get_attr, reference=True),
        ),
    ),
    Case("attr via LocalStack", "LocalStack().value (top)", _impls(_stack_proxy)),
    Case("attr via Local", "local('target').value", _impls(_local_proxy)),
    Case(
        "add via ContextVar",
        "LocalProxy(ContextVar) + 1",
        (
            Impl("ctxcore", lambda: _var_proxy("ctxcore"), loops.add_one),
            Impl("werkzeug", lambda: _var_proxy("werkzeug"), loops.add_one, needs=("werkzeug",)),
            Impl("direct (property over ContextVar.get)", _direct, loops.add_one, reference=True),
        ),
    ),
)

GOALS = (
    Goal(
        "attr via ContextVar",
        "ctxcore",
        "werkzeug",
        "faster",
        5.0,
        "LocalProxy(ContextVar).attr >= 5x faster than werkzeug",
    ),
    Goal(
        "attr via ContextVar",
        "ctxcore",
        "var.get().value",
        "at_most",
        1.5,
        "LocalProxy(ContextVar).attr <= 1.5x var.get().attr",
    ),
)
