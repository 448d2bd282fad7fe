"""One App under real servers on 127.0.0.1: every request sees only its own id.

Each server is started by the test (``python -m ctxcore serve``) and stopped by it.
64 concurrent connections make 128 requests (``[short]``, the default run) or 2,048
(``[full]``, the slow group; set ``CTXCORE_STRESS_REQUESTS`` for a larger run); each
request stores its id in ``g``, a Local and the session, waits, and reports what it
sees: zero mismatches, zero errors.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adapters.servers import load, running_server
from tests.sizes import sized, sizes

TARGET = "tests.adapters.stress:app"
PER_CONNECTION = max(1, sized("CTXCORE_STRESS_REQUESTS", 2048) // 64)

SERVERS = [
    pytest.param("werkzeug", (), "/sync", id="werkzeug-threaded"),
    pytest.param(
        "gunicorn", ("--workers", "2", "--worker-class", "sync"), "/sync", id="gunicorn-sync"
    ),
    pytest.param(
        "gunicorn",
        ("--workers", "2", "--threads", "8", "--worker-class", "gthread"),
        "/sync",
        id="gunicorn-gthread",
    ),
    pytest.param(
        "gunicorn", ("--workers", "2", "--worker-class", "gevent"), "/sync", id="gunicorn-gevent"
    ),
    pytest.param("gevent", (), "/sync", id="gevent-wsgiserver"),
    # Async views under gevent: overlapping requests each run their coroutine on a loop
    # of a native thread (asyncio allows one running loop per OS thread).
    pytest.param("gevent", (), "/async", id="gevent-wsgiserver-async-view"),
    pytest.param(
        "gunicorn",
        ("--workers", "2", "--worker-class", "gevent"),
        "/async",
        id="gunicorn-gevent-async-view",
    ),
    pytest.param("uvicorn", ("--loop", "asyncio"), "/sync", id="uvicorn-asyncio-sync-view"),
    pytest.param("uvicorn", ("--loop", "asyncio"), "/async", id="uvicorn-asyncio-async-view"),
    pytest.param("uvicorn", ("--loop", "uvloop"), "/async", id="uvicorn-uvloop-async-view"),
    pytest.param("uvicorn", ("--loop", "uvloop"), "/sync", id="uvicorn-uvloop-sync-view"),
    pytest.param("hypercorn", ("--loop", "asyncio"), "/async", id="hypercorn-asyncio"),
    pytest.param("hypercorn", ("--loop", "uvloop"), "/sync", id="hypercorn-uvloop"),
    pytest.param(
        "gunicorn",
        ("--workers", "2", "--threads", "8", "--worker-class", "gthread"),
        "/async",
        id="gunicorn-gthread-async-view",  # an async view under WSGI: a loop per thread
    ),
]


@pytest.mark.parametrize("per_connection", sizes(2, PER_CONNECTION))
@pytest.mark.parametrize(("server", "extra", "prefix"), SERVERS)
def test_concurrent_requests_never_mix(
    server: str, extra: tuple[str, ...], prefix: str, per_connection: int
) -> None:
    with running_server(TARGET, server, *extra) as (port, _):
        result = load(port, prefix, connections=64, per_connection=per_connection)
    assert result.errors == []
    assert result.mismatches == []
    assert result.ok == 64 * per_connection


def test_lifespan_and_first_request_hooks_run_once(tmp_path: Path) -> None:
    events = tmp_path / "events.log"
    with running_server(TARGET, "uvicorn", env={"CTXCORE_STRESS_EVENTS": str(events)}) as (port, _):
        result = load(port, "/async", connections=64, per_connection=1)
        assert result.ok == 64
    names = [line.split()[0] for line in events.read_text().splitlines()]
    assert names == ["startup", "first-request", "shutdown"]
