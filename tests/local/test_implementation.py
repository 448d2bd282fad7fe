"""Choosing the implementation: _c where the extension built, else _py."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

import ctxcore
from ctxcore.local import _implementations as _impl

ROOT = Path(__file__).resolve().parents[2]


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


def test_implementation_names_the_module_in_use() -> None:
    module = {"c": "ctxcore.local._c", "py": "ctxcore.local._py"}[_impl.implementation()]
    assert (ctxcore.Local.__module__, ctxcore.LocalProxy.__module__) == (module, module)
    assert ctxcore.local.implementation is ctxcore.implementation


def test_c_is_used_by_default_where_it_was_built() -> None:
    expected = "c" if _impl.load_c() is not None else "py"
    assert _in_fresh_process() == f"{expected} ctxcore.local._{expected}"


@pytest.mark.parametrize("value", ["1", "yes"])
def test_no_extensions_variable_forces_the_pure_python_implementation(value: str) -> None:
    assert _in_fresh_process(CTXCORE_NO_EXTENSIONS=value) == "py ctxcore.local._py"


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
    assert _impl.load_c() is not None, "ctxcore.local._c did not build"
