"""Locals collected while ContextVars are being set: the program test_dropped.py runs.

``python -m tests.local.collected_in_sets IMPL ROUNDS`` (``IMPL`` is ``py`` or ``c``) drops
Locals that hold a value in this context inside reference cycles, so that only the
collector frees them, while this context's variables are set in a loop: plain
ContextVars, a live Local's attributes and a live LocalStack's frames. A collection runs
on nearly every allocation, so many of them start inside a ``ContextVar.set``, with the
dropped Locals' finalizers in them. It prints ``ok`` when every variable, attribute and
stack holds what was last written; a crash is a nonzero exit status (a signal's, for a
segfault).
"""

from __future__ import annotations

import contextvars
import gc
import sys
from types import ModuleType
from typing import Any

from ctxcore.local import _implementations, _py

#: Plain variables set between the drops: enough that the context's tree has inner nodes.
VARIABLES = 48


def implementation(name: str) -> ModuleType:
    """``_py`` or the loaded ``_c`` (which must have been built)."""
    if name == "py":
        return _py
    c = _implementations.load_c()
    if c is None:
        raise SystemExit("ctxcore.local._c is not built")
    return c


def drop_in_a_cycle(impl: ModuleType, value: int) -> None:
    """Make a Local holding ``value`` here, which only a collection can free."""
    local = impl.Local()
    local.value = value
    cycle: list[Any] = [local]
    cycle.append(cycle)


def run(impl: ModuleType, rounds: int) -> list[str]:
    """Drop and set for ``rounds`` rounds; return what does not hold what was written."""
    variables = [contextvars.ContextVar(f"ctxcore.test.v{i}") for i in range(VARIABLES)]
    live = impl.Local()
    stack = impl.LocalStack()
    thresholds = gc.get_threshold()
    gc.set_threshold(1)
    try:
        for i in range(rounds):
            drop_in_a_cycle(impl, i)
            variables[i % VARIABLES].set(i)
            live.value = i
            stack.push(i)
            if i % 3:
                stack.pop()
    finally:
        gc.set_threshold(*thresholds)
    wrong = [var.name for i, var in enumerate(variables) if var.get(None) != _last(i, rounds)]
    if live.value != rounds - 1:
        wrong.append(f"live.value={live.value}")
    expected = [i for i in range(rounds) if i % 3 == 0]
    if stack.items() != expected:
        wrong.append(f"stack holds {len(stack.items())} items, not {len(expected)}")
    return wrong


def _last(index: int, rounds: int) -> int | None:
    """The last round that set variable ``index``."""
    if index >= rounds:
        return None
    return index + (rounds - 1 - index) // VARIABLES * VARIABLES


def main() -> None:
    impl = implementation(sys.argv[1])
    wrong = run(impl, int(sys.argv[2]))
    print("ok" if not wrong else f"wrong: {wrong[:10]}")


if __name__ == "__main__":
    main()
