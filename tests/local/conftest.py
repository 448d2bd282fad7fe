"""The implementation under test, as a fixture (aio-libs multidict's way).

``impl`` is the module ``ctxcore.local._py`` (pure Python) or ``ctxcore.local._c`` (hot
paths in C); a test builds its Locals, stacks and proxies from it, so both run the same
tests (``[py]``, ``[c]``) and nothing is swapped behind a test's back. ``c`` fails where
the extension should have been built (CPython) but was not, and is skipped only with
``CTXCORE_NO_EXTENSIONS=1`` or off CPython. ``CTXCORE_TEST_IMPLEMENTATION=py`` (or ``c``)
runs one of them (the gevent monkey-patched subprocess uses it).
"""

from __future__ import annotations

import os
import platform
from types import ModuleType

import pytest

from ctxcore.local import _implementations, _py

ONLY = os.environ.get("CTXCORE_TEST_IMPLEMENTATION")
PARAMS = [name for name in ("py", "c") if ONLY in (None, "", name)]


def c_module() -> ModuleType:
    """``ctxcore.local._c``, loaded; skips or fails the test where it is missing."""
    if os.environ.get(_implementations.ENV_VAR, "").strip() not in ("", "0"):
        pytest.skip(f"{_implementations.ENV_VAR} is set: the pure-Python run")
    if platform.python_implementation() != "CPython":
        pytest.skip("the C extension is for CPython")
    c = _implementations.load_c()
    if c is None:
        pytest.fail("ctxcore.local._c was not built: install a C compiler and reinstall")
    return c


@pytest.fixture(scope="session", params=PARAMS)
def impl(request: pytest.FixtureRequest) -> ModuleType:
    """The implementation module under test: ``_py`` or ``_c``."""
    return _py if request.param == "py" else c_module()
