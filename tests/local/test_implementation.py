"""Choosing the implementation: compiled where the extension built, else pure Python."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

import ctxcore
from ctxcore.local import _impl

ROOT = Path(__file__).resolve().parents[2]
#: These tests are about choosing, not about one implementation: run them once.
PER_IMPLEMENTATION = False


def _in_fresh_process(**env: str) -> str:
    """What ``ctxcore.implementation()`` and ``ctxcore.Local``'s module are in a new process."""
    environ = {k: v for k, v in os.environ.items() if k != _impl.ENV_VAR} | env
    code = "import ctxcore; print(ctxcore.implementation(), ctxcore.Local.__module__)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_implementation_names_the_classes_in_use() -> None:
    classes = _impl.implementations()[_impl.implementation()]
    assert (_impl.Local, _impl.LocalStack, _impl.LocalProxy) == tuple(classes)
    assert ctxcore.local.implementation is ctxcore.implementation


def test_compiled_is_used_by_default_where_it_was_built() -> None:
    expected = "compiled" if _impl.compiled_module() is not None else "python"
    module = {"compiled": "ctxcore.local._compiled", "python": "ctxcore.local._local"}[expected]
    assert _in_fresh_process() == f"{expected} {module}"


@pytest.mark.parametrize("value", ["1", "yes"])
def test_no_extensions_variable_forces_the_pure_python_implementation(value: str) -> None:
    assert _in_fresh_process(CTXCORE_NO_EXTENSIONS=value) == "python ctxcore.local._local"


def test_no_extensions_set_to_zero_keeps_the_default() -> None:
    assert _in_fresh_process(CTXCORE_NO_EXTENSIONS="0") == _in_fresh_process()


def test_extension_was_built_in_ci() -> None:
    """CI has a compiler: a silently failed build must not pass as the fallback."""
    if not os.environ.get("CI"):
        pytest.skip("only CI guarantees a C compiler (CI is not set)")
    if os.environ.get(_impl.ENV_VAR, "") not in ("", "0"):
        pytest.skip(f"{_impl.ENV_VAR} is set: this is the pure-Python run")
    if platform.python_implementation() != "CPython":
        pytest.skip("the extension is for CPython")
    assert _impl.compiled_module() is not None, "ctxcore.local._speedups did not build"
