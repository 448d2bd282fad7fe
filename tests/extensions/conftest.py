"""Real Flask extensions on ctxcore: every test module here runs with ``flask`` patched.

Extensions are imported inside the tests (after the patch), never at module level: an
extension imported before the patch would hold the real Flask's objects.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import ctxcore
from tests.redis_server import RedisServer


@pytest.fixture(autouse=True, scope="module")
def _flask_is_ctxcore() -> Iterator[None]:
    with ctxcore.patched_flask():
        yield


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session's redis-server, emptied for this test."""
    redis_server.command("FLUSHALL")
    return redis_server.url
