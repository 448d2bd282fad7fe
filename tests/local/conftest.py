"""Run every core test against each implementation: pure Python and compiled.

The ``implementation`` fixture (autouse, module scope) swaps ``Local``, ``LocalStack``
and ``LocalProxy`` in ``ctxcore``, ``ctxcore.local`` and the test module for one
implementation's classes, and rebuilds the module's own module-level Locals and stacks
with them, so each test module runs once per implementation (``[python]``,
``[compiled]``). ``compiled`` is skipped only where the C extension was not built;
``tests/local/test_implementation.py`` fails CI if that happens where it should build.
``CTXCORE_TEST_IMPLEMENTATION=python`` (or ``compiled``) runs one of them (the gevent
monkey-patched subprocess uses it). A module setting ``PER_IMPLEMENTATION = False``
runs once, against the implementation in use.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

import ctxcore
import ctxcore.local
from ctxcore.local._impl import Classes, implementations
from ctxcore.local._local import LocalMethods
from ctxcore.local._stack import StackMethods

AVAILABLE = implementations()
NAMES = ["python", "compiled"]
ONLY = os.environ.get("CTXCORE_TEST_IMPLEMENTATION")
PARAMS = [name for name in NAMES if ONLY in (None, "", name)]


def _swap_module_objects(module: ModuleType, classes: Classes, patch: pytest.MonkeyPatch) -> None:
    """Rebuild module-level Locals and LocalStacks of a test module with ``classes``."""
    for attr, value in list(vars(module).items()):
        if isinstance(value, LocalMethods):
            ident = type(value)._ctxcore_slot.ident
            patch.setattr(module, attr, classes.Local(ident=ident))
        elif isinstance(value, StackMethods):
            patch.setattr(module, attr, classes.LocalStack(ident=value.ident))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # A module about the choice itself sets PER_IMPLEMENTATION = False and runs once.
    if getattr(metafunc.module, "PER_IMPLEMENTATION", True):
        metafunc.parametrize("implementation", PARAMS, indirect=True, scope="module")


@pytest.fixture(scope="module", autouse=True)
def implementation(request: pytest.FixtureRequest) -> Iterator[str]:
    """Which implementation this module's tests run against (``"python"``/``"compiled"``)."""
    name: str | None = getattr(request, "param", None)
    if name is None:  # not parametrized: whatever this process uses
        yield ctxcore.implementation()
        return
    classes = AVAILABLE.get(name)  # type: ignore[call-overload]
    if classes is None:
        pytest.skip("the C extension (ctxcore.local._speedups) was not built here")
    with pytest.MonkeyPatch.context() as patch:
        module: Any = request.module
        for attr, cls in classes._asdict().items():
            patch.setattr(ctxcore, attr, cls)
            patch.setattr(ctxcore.local, attr, cls)
            if attr in vars(module):
                patch.setattr(module, attr, cls)
        _swap_module_objects(module, classes, patch)
        yield name
