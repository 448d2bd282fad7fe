"""stack: pushing, popping and reading the top of a LocalStack."""

from __future__ import annotations

import contextvars
import functools
from typing import Any

from bench import loops
from bench.peers import pure_python
from bench.suites._base import Case, Goal, Impl, Reference

TITLE = "LocalStack"
DESCRIPTION = (
    "A push followed by a pop (one pair per operation), and a read of .top. "
    "'(python)' rows: the pure-Python fallback, in the same run. 'two ContextVar.set' "
    "is the floor of a pair under a ContextVar: a push publishes the new top and a pop "
    "the one below, each a set that copies contexts must not see (werkzeug's pair makes "
    "the same two sets, plus its list copies)."
)


def _ctxcore(ident: str, implementation: str = "in use") -> Any:
    import ctxcore

    cls = pure_python("LocalStack") if implementation == "python" else ctxcore.LocalStack
    return cls(ident=ident)


def _werkzeug() -> Any:
    from werkzeug.local import LocalStack

    return LocalStack()


def _push_pop(make: Any) -> Any:
    def setup() -> tuple[Any, ...]:
        stack = make()
        stack.push("base")
        return (stack.push, stack.pop)

    return setup


_VAR: contextvars.ContextVar[Any] = contextvars.ContextVar("bench.stack")


def _two_sets() -> tuple[Any, ...]:
    # push(item) sets the new top; pop() sets the one below again: both are C calls.
    _VAR.set("base")
    return (_VAR.set, functools.partial(_VAR.set, "base"))


def _top(make: Any) -> Any:
    def setup() -> tuple[Any, ...]:
        stack = make()
        stack.push("base")
        return (stack,)

    return setup


CASES = (
    Case(
        "push+pop",
        "stack.push(x); stack.pop()",
        (
            Impl(
                "ctxcore context",
                _push_pop(lambda: _ctxcore("context")),
                loops.push_pop,
                inner_loops=5,
            ),
            Impl(
                "ctxcore thread",
                _push_pop(lambda: _ctxcore("thread")),
                loops.push_pop,
                inner_loops=5,
            ),
            Impl(
                "ctxcore greenlet",
                _push_pop(lambda: _ctxcore("greenlet")),
                loops.push_pop,
                needs=("greenlet",),
                inner_loops=5,
            ),
            Impl(
                "ctxcore context (python)",
                _push_pop(lambda: _ctxcore("context", "python")),
                loops.push_pop,
                inner_loops=5,
            ),
            Impl(
                "werkzeug", _push_pop(_werkzeug), loops.push_pop, needs=("werkzeug",), inner_loops=5
            ),
            Impl("two ContextVar.set", _two_sets, loops.push_pop, inner_loops=5, reference=True),
        ),
        unit="per push+pop pair",
    ),
    Case(
        "top",
        "stack.top",
        (
            Impl("ctxcore context", _top(lambda: _ctxcore("context")), loops.read_top),
            Impl(
                "ctxcore context (python)",
                _top(lambda: _ctxcore("context", "python")),
                loops.read_top,
            ),
            Impl("werkzeug", _top(_werkzeug), loops.read_top, needs=("werkzeug",)),
        ),
    ),
)

GOALS = (
    Goal(
        "push+pop",
        "ctxcore context",
        "werkzeug",
        "faster",
        3.0,
        "push+pop >= 3x faster than werkzeug",
    ),
    Goal(
        "push+pop",
        "ctxcore context",
        "two ContextVar.set",
        "at_most",
        1.3,
        "push+pop <= 1.3x its two bare ContextVar.set()",
    ),
)

# What bounds the first goal: a pair is two ContextVar.set that copied contexts must not
# see (werkzeug's makes the same two, plus its list copies), so no pair gains more on
# werkzeug than werkzeug's pair takes over two bare sets.
REFERENCES = (
    Reference(
        "push+pop",
        "werkzeug",
        "two ContextVar.set",
        "ceiling: werkzeug's push+pop ÷ two bare ContextVar.set()",
    ),
)
