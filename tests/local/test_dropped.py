"""A dropped Local's finalizer sets no ContextVar; its context lets go at a safe point."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import weakref
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from ctxcore.local import _dropped, release_local
from tests.sizes import sizes

ROOT = Path(__file__).resolve().parents[2]


class Value:
    """A weak-referenceable value to watch for release."""


def _dropped_local(impl: ModuleType) -> tuple[Any, weakref.ref[Value]]:
    """Drop a Local that holds a value here; return its ContextVar and a ref to the value."""
    local = impl.Local()
    value = Value()
    local.value = value
    var = type(local)._ctxcore_slot.var
    del local  # its last reference: the finalizer runs now
    return var, weakref.ref(value)


@pytest.mark.parametrize("rounds", sizes(300, 5_000))
def test_locals_collected_inside_context_variable_sets_crash_nothing(
    impl: ModuleType, rounds: int
) -> None:
    """CPython 3.10/3.11 crashed here within 20 rounds when the finalizer set a ContextVar."""
    implementation = impl.__name__.rpartition("._")[2]
    result = subprocess.run(
        [sys.executable, "-m", "tests.local.collected_in_sets", implementation, str(rounds)],
        cwd=ROOT,
        env={**os.environ, "PYTHONFAULTHANDLER": "1"},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, f"exit status {result.returncode}: {result.stderr[-3000:]}"
    assert result.stdout.strip() == "ok", result.stdout


def test_a_dropped_locals_finalizer_frees_its_values_and_sets_no_variable(
    impl: ModuleType,
) -> None:
    _dropped.let_go()
    var, ref = _dropped_local(impl)
    assert ref() is None
    # Still published here (emptied): setting the variable waits for a safe point.
    assert var.get().__self__ == {}
    assert len(_dropped.pending) == 1


def test_the_next_local_built_lets_go_of_a_dropped_ones_storage(impl: ModuleType) -> None:
    var, _ = _dropped_local(impl)
    fresh = impl.Local()
    assert var.get(None) is None
    assert _dropped.pending == []
    assert fresh is not None


def test_the_next_stack_built_lets_go_of_a_dropped_locals_storage(impl: ModuleType) -> None:
    var, _ = _dropped_local(impl)
    impl.LocalStack()
    assert var.get(None) is None


@pytest.mark.parametrize("kind", ["Local", "LocalStack"])
def test_a_release_lets_go_of_a_dropped_locals_storage(impl: ModuleType, kind: str) -> None:
    kept = getattr(impl, kind)()
    var, _ = _dropped_local(impl)
    release_local(kept)
    assert var.get(None) is None


@pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="collections start only between bytecodes from 3.12"
)
def test_a_local_built_during_a_collection_waits_to_let_go(impl: ModuleType) -> None:
    """A Local built in a ``__del__`` run by the collector sets nothing there (CPython < 3.12)."""
    var, _ = _dropped_local(impl)
    seen: list[Any] = []

    class BuildsOnCollection:
        def __del__(self) -> None:
            impl.Local()
            seen.append(var.get(None))

    cycle: list[Any] = [BuildsOnCollection()]
    cycle.append(cycle)
    del cycle
    gc.collect()
    assert len(seen) == 1
    assert seen[0] is not None, "the dropped Local's variable was set inside a collection"
    impl.Local()
    assert var.get(None) is None
