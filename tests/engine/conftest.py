"""Fixtures of the engine tests."""

from __future__ import annotations

import importlib

import pytest

from .parity import FRAMEWORKS, Framework


@pytest.fixture(params=FRAMEWORKS)
def fw(request: pytest.FixtureRequest) -> Framework:
    """Flask, then ctxcore: a test using it asserts Flask's behaviour on both."""
    return Framework(request.param, importlib.import_module(request.param))
