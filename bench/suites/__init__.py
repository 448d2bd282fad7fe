"""The benchmark suites, each comparing ctxcore with what a user would pick instead.

A suite module defines ``TITLE``, ``DESCRIPTION``, ``CASES`` (the measured cases, with
the implementation used as the 100% reference) and ``register(runner, case_filter)``,
which adds its pyperf benchmarks. Benchmark names are ``"<case> | <implementation>"``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

SUITES: tuple[str, ...] = ("lookup", "proxy", "stack", "context", "json", "isolation")


def load(name: str) -> ModuleType:
    """Import the suite module ``name``."""
    if name not in SUITES:
        raise KeyError(name)
    return importlib.import_module(f"bench.suites.{name}")
