"""lookup: reading and writing a context-local attribute, per ident source and library."""

from __future__ import annotations

import contextvars
import threading
from typing import Any

from bench import loops
from bench.peers import pure_python
from bench.suites._base import Case, Goal, Impl, Reference

TITLE = "Local read and write"
DESCRIPTION = (
    "One attribute read (or write) on a context-local object, with a value already set "
    "in the current thread/context. threading.local is the C floor most code uses today; "
    "a bare ContextVar.get()/set() is the primitive under ctxcore's default ident "
    "(each set stores another value than the last, as a write does: the floor of a "
    "write that other contexts must not see). "
    "'ctxcore ...' rows use the implementation in use (see the header); '(python)' rows "
    "the pure-Python fallback, measured in the same run."
)


def _ctxcore(ident: str, implementation: str = "in use") -> tuple[Any, ...]:
    import ctxcore

    cls = pure_python("Local") if implementation == "python" else ctxcore.Local
    local = cls(ident=ident)
    local.value = 0
    return (local,)


def _threading() -> tuple[Any, ...]:
    local = threading.local()
    local.value = 0
    return (local,)


def _werkzeug() -> tuple[Any, ...]:
    from werkzeug.local import Local

    local = Local()
    local.value = 0
    return (local,)


def _asgiref() -> tuple[Any, ...]:
    from asgiref.local import Local

    local = Local()
    local.value = 0
    return (local,)


def _gevent() -> tuple[Any, ...]:
    from gevent.local import local as gevent_local

    local = gevent_local()
    local.value = 0
    return (local,)


_VAR: contextvars.ContextVar[int] = contextvars.ContextVar("bench.lookup")


def _var_get() -> tuple[Any, ...]:
    _VAR.set(0)
    return (_VAR.get,)


def _var_set() -> tuple[Any, ...]:
    return (_VAR.set,)


def _impls(loop: Any, var: Impl) -> tuple[Impl, ...]:
    return (
        Impl("ctxcore context", lambda: _ctxcore("context"), loop),
        Impl("ctxcore thread", lambda: _ctxcore("thread"), loop),
        Impl("ctxcore greenlet", lambda: _ctxcore("greenlet"), loop, needs=("greenlet",)),
        Impl("ctxcore context (python)", lambda: _ctxcore("context", "python"), loop),
        Impl(
            "ctxcore greenlet (python)",
            lambda: _ctxcore("greenlet", "python"),
            loop,
            needs=("greenlet",),
        ),
        Impl("threading.local", _threading, loop),
        Impl("gevent.local", _gevent, loop, needs=("gevent",)),
        Impl("werkzeug Local", _werkzeug, loop, needs=("werkzeug",)),
        Impl("asgiref Local", _asgiref, loop, needs=("asgiref",)),
        var,
    )


CASES = (
    Case(
        "read",
        "local.value",
        _impls(loops.read_attr, Impl("ContextVar.get", _var_get, loops.call0, reference=True)),
    ),
    Case(
        "write",
        "local.value = v",
        _impls(
            loops.write_attr, Impl("ContextVar.set", _var_set, loops.call_values, reference=True)
        ),
    ),
)

GOALS = (
    Goal(
        "read", "ctxcore context", "threading.local", "at_most", 0.8, "read <= 0.8x threading.local"
    ),
    Goal(
        "read",
        "ctxcore context",
        "ContextVar.get",
        "at_most",
        1.5,
        "read <= 1.5x a bare ContextVar.get()",
    ),
    Goal(
        "read",
        "ctxcore context",
        "werkzeug Local",
        "faster",
        4.0,
        "read >= 4x faster than werkzeug",
    ),
    Goal(
        "read",
        "ctxcore context",
        "asgiref Local",
        "faster",
        15.0,
        "read >= 15x faster than asgiref",
    ),
    Goal(
        "read",
        "ctxcore greenlet",
        "gevent.local",
        "at_most",
        0.7,
        "greenlet read <= 0.7x gevent.local",
    ),
    Goal(
        "write",
        "ctxcore context",
        "threading.local",
        "at_most",
        1.5,
        "write <= 1.5x threading.local",
    ),
    Goal(
        "write",
        "ctxcore context",
        "ContextVar.set",
        "at_most",
        1.5,
        "write <= 1.5x a bare ContextVar.set()",
    ),
)

# What bounds the write goal: a write under "context" is one ContextVar.set that copied
# contexts must not see; when that set alone is over 1.5x threading.local's write, no
# implementation keeping its values in a ContextVar reaches the goal.
REFERENCES = (
    Reference(
        "write",
        "ContextVar.set",
        "threading.local",
        "floor: a bare ContextVar.set() ÷ a threading.local write",
    ),
)
