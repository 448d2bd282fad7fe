"""Shared fixtures (concurrency backends, guards on leftover state) and the slow group.

Tests marked ``slow`` (fuzzing, soak, real-server load, the benchmark smoke run, builds,
the linters, full-size property runs) are left out of a plain ``python -m pytest``. They
run with ``-m slow`` (only them) or ``-m "slow or not slow"`` (everything), and when their
file or test is named on the command line (``python -m pytest tests/bench/test_soak.py``).
"""

from __future__ import annotations

import os

if os.environ.get("CTXCORE_TEST_GEVENT_MONKEY") == "1":
    # Patched as early as the suite allows (pytest has already imported threading; gevent
    # handles that, and says so in a warning that is expected here).
    import warnings

    from gevent import monkey

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        monkey.patch_all()

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import ctxcore
from tests.backends import Backend, all_backends
from tests.redis_server import MISSING, RedisServer, redis_server_binary, running_redis


def _named_files(config: pytest.Config) -> set[Path]:
    """Test files named on the command line (a file, or a test in it; not a folder)."""
    if config.args_source is not pytest.Config.ArgsSource.ARGS:
        return set()
    base = config.invocation_params.dir
    paths = (Path(base, arg.split("::")[0]).resolve() for arg in config.args)
    return {path for path in paths if path.is_file()}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect ``slow`` tests unless ``-m`` chooses, or their file was named."""
    if config.option.markexpr:
        return
    named = _named_files(config)
    keep: list[pytest.Item] = []
    slow: list[pytest.Item] = []
    for item in items:
        left_out = item.get_closest_marker("slow") is not None and item.path not in named
        (slow if left_out else keep).append(item)
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = keep


@pytest.fixture(params=all_backends(), ids=repr)
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each concurrency model: threads, raw greenlets, gevent, asyncio and uvloop tasks."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(autouse=True)
def _no_context_left_pushed() -> Iterator[None]:
    """Fail a test that leaves an app or request context pushed in this thread."""
    yield
    stacks_module = sys.modules.get("ctxcore._stacks")
    if stacks_module is None:
        return  # the engine was never loaded: nothing could be pushed
    leftovers = [stacks_module.top_request_context(), stacks_module.top_app_context()]
    for stacks in stacks_module.all_stacks():  # clean up so one failure does not cascade
        while stacks.request.pop() is not None:
            pass
        while stacks.app.pop() is not None:
            pass
    assert leftovers == [None, None], f"contexts left pushed: {leftovers}"


@pytest.fixture(autouse=True)
def _default_ident_restored() -> Iterator[None]:
    """Fail a test that leaves the process-wide default ident changed."""
    before = ctxcore.get_default_ident()
    yield
    after = ctxcore.get_default_ident()
    ctxcore.set_default_ident(before)
    assert after == before, f"test left the default ident set to {after!r}"


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A real redis-server on a free loopback port for the session (Flask extensions'
    Redis backends); skipped, saying so, where the binary is not installed."""
    if redis_server_binary() is None:
        pytest.skip(MISSING)
    with running_redis() as server:
        yield server
