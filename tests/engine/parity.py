"""Run one test against Flask and against ctxcore: the ``fw`` fixture
(``tests/engine/conftest.py``) gives either.

A test written with ``fw.App``, ``fw.request``, ``fw.views.MethodView`` ... asserts what
Flask does; running it on ctxcore too shows the port keeps it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Any


@dataclass(frozen=True)
class Framework:
    """A framework's names under one spelling."""

    name: str
    top: ModuleType

    @property
    def App(self) -> Any:
        return self.top.Flask if self.name == "flask" else self.top.App

    def module(self, name: str) -> ModuleType:
        """``flask.<name>`` or ``ctxcore.<name>``."""
        return importlib.import_module(f"{self.top.__name__}.{name}")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.top, name)


FRAMEWORKS = ["flask", "ctxcore"]
