"""Flask's steps overridden on an App subclass and on the instance change how every
server answers: the same app under WSGI threads, gevent and ASGI (uvicorn on both loops,
hypercorn, granian).

64 concurrent clients make two requests each through the overridden steps; each answer
says which steps ran and whether the overriding code ran where sync code must run
(never on an event loop's thread).
"""

from __future__ import annotations

import json

import pytest

from tests.adapters.overrides import app
from tests.adapters.servers import load, raw_exchange, running_server

TARGET = "tests.adapters.overrides:app"

SERVERS = [
    pytest.param("werkzeug", (), "/sync", id="werkzeug"),
    pytest.param(
        "gunicorn",
        ("--workers", "2", "--threads", "4", "--worker-class", "gthread"),
        "/sync",
        id="gunicorn-gthread",
    ),
    pytest.param("gunicorn", ("--worker-class", "gevent"), "/sync", id="gunicorn-gevent"),
    pytest.param("gevent", (), "/async", id="gevent-async-view"),
    pytest.param("uvicorn", ("--loop", "uvloop"), "/sync", id="uvicorn-uvloop-sync-view"),
    pytest.param("uvicorn", ("--loop", "uvloop"), "/async", id="uvicorn-uvloop-async-view"),
    pytest.param("uvicorn", ("--loop", "asyncio"), "/async", id="uvicorn-asyncio-async-view"),
    pytest.param("hypercorn", (), "/sync", id="hypercorn-sync-view"),
    pytest.param("granian", (), "/async", id="granian-async-view"),
]


def _get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    head, _, body = raw_exchange(port, [request.encode()]).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split(" ", 2)[1]), {k.lower(): v for k, v in headers.items()}, body


@pytest.mark.parametrize(("server", "extra", "prefix"), SERVERS)
def test_overridden_steps_serve_every_request(
    server: str, extra: tuple[str, ...], prefix: str
) -> None:
    with running_server(TARGET, server, *extra) as (port, _):
        result = load(port, prefix, connections=64, per_connection=2)
        status, headers, body = _get(port, f"{prefix}/one")
        crash_status, _, crash_body = _get(port, "/crash")
    assert result.errors == []
    assert result.mismatches == []
    assert result.ok == 128
    assert status == 200
    assert json.loads(body)["steps"] == ["full_dispatch_request", "handle_user_exception"]
    assert headers["x-steps"] == "full_dispatch_request,handle_user_exception,process_response"
    assert crash_status == 503
    assert json.loads(crash_body) == {"message": "missing widget", "on_loop": False}


def test_the_same_steps_in_process() -> None:
    client = app.test_client()
    response = client.get("/sync/7")
    assert response.get_json() == {
        "ok": True,
        "rid": "7",
        "steps": ["full_dispatch_request", "handle_user_exception"],
        "on_loop": False,
    }
    assert response.headers["X-Steps"].endswith(",process_response")
    assert client.get("/crash").status_code == 503


def test_removing_an_instance_override_restores_the_class_step() -> None:
    from tests.adapters.overrides import OverrideApp

    other = OverrideApp(__name__)

    @other.get("/")
    def index() -> str:
        raise KeyError("x")

    other.handle_exception = lambda e: ("replaced", 502)  # type: ignore[method-assign,assignment,return-value]
    assert other.test_client().get("/").status_code == 502
    del other.handle_exception
    assert other.test_client().get("/").status_code == 500
