"""Fixtures shared by the example apps' acceptance tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def copied(tmp_path: Path) -> Path:
    """The examples in a temporary folder (their instance folders go there too)."""
    target = tmp_path / "examples"
    shutil.copytree(EXAMPLES, target, ignore=shutil.ignore_patterns("__pycache__", "instance"))
    return target
