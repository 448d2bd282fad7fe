"""Real Flask extensions on ctxcore: every test module here runs with ``flask`` patched.

Extensions are imported inside the tests (after the patch), never at module level: an
extension imported before the patch would hold the real Flask's objects.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import ctxcore

from .redis_server import MISSING, RedisServer, redis_server_binary, running_redis


@pytest.fixture(autouse=True, scope="module")
def _flask_is_ctxcore() -> Iterator[None]:
    with ctxcore.patched_flask():
        yield


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One redis-server for the session's extension tests (each test uses its own keys)."""
    if redis_server_binary() is None:
        pytest.skip(MISSING)
    with running_redis() as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    redis_server.command("FLUSHALL")
    return redis_server.url
