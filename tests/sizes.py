"""One test at two sizes: a short run in the default suite, the full one in the slow group.

``sizes(short, full)`` parametrizes a test as ``[short]``, which ``python -m pytest`` runs,
and ``[full]``, marked ``slow``, which ``python -m pytest -m slow`` runs (CI: once, on one
Python). The short size still exercises the behaviour (every server started, every rule
of a state machine reached); the full one is the load, soak or search depth. ``env``
names a variable that sets the full size, for a larger run by hand.
"""

from __future__ import annotations

import os
from typing import Any

import pytest


def sized(variable: str, default: int) -> int:
    """``default``, or the positive integer the environment variable ``variable`` holds."""
    value = int(os.environ.get(variable) or default)
    if value < 1:
        raise ValueError(f"{variable} must be a positive integer, not {value}")
    return value


def sizes(short: int, full: int, env: str | None = None) -> list[Any]:
    """Parameters ``[short]`` (default run) and ``[full]`` (``slow``; ``env`` overrides it)."""
    if env is not None:
        full = sized(env, full)
    return [
        pytest.param(short, id="short"),
        pytest.param(full, id="full", marks=pytest.mark.slow),
    ]
