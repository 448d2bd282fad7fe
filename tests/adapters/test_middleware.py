"""ContextMiddleware around foreign apps: a per-request context and request id."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest
from werkzeug.test import Client

from tests.adapters.foreign import wsgi
from tests.adapters.servers import HOST, _dechunk, raw_get, running_command, running_server


def test_wsgi_foreign_app_gets_a_context_and_an_id() -> None:
    client = Client(wsgi)
    given = client.get("/tag/a", headers={"X-Request-ID": "abc-123"})
    data = json.loads(given.get_data())
    assert data == {"tag": "a", "fresh": True, "rid": "abc-123", "still": True}
    assert given.headers["X-Request-ID"] == "abc-123"
    generated = client.get("/tag/b")
    rid = generated.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", rid)
    assert json.loads(generated.get_data())["rid"] == rid
    # Each request started fresh: the Local set by /tag/a did not reach /tag/b.
    assert json.loads(generated.get_data())["fresh"] is True


def test_unusable_incoming_ids_are_replaced() -> None:
    client = Client(wsgi)
    for bad in ("", "x" * 200, "spaces are bad", "semi;colon"):
        response = client.get("/tag/c", headers={"X-Request-ID": bad})
        assert response.headers["X-Request-ID"] != bad
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


async def _fetch(port: int, tag: str, rid: str) -> dict[str, Any]:
    reader, writer = await asyncio.open_connection(HOST, port)
    head = f"GET /tag/{tag} HTTP/1.1\r\nHost: x\r\nX-Request-ID: {rid}\r\n"
    writer.write((head + "Connection: close\r\n\r\n").encode())
    await writer.drain()
    raw = await asyncio.wait_for(reader.read(), 20)
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    if b"transfer-encoding: chunked" in head.lower():
        body = _dechunk(body)
    assert f"x-request-id: {rid}".encode() in head.lower()
    result: dict[str, Any] = json.loads(body)
    return result


@pytest.mark.parametrize(
    "target",
    ["tests.adapters.foreign:asgi", "tests.adapters.django_app:asgi"],
    ids=["starlette", "django"],
)
def test_foreign_asgi_app_under_uvicorn_keeps_requests_apart(target: str) -> None:
    with running_command("uvicorn", target, "--loop", "uvloop") as port:

        async def main() -> list[dict[str, Any]]:
            return await asyncio.gather(*(_fetch(port, f"t{i}", f"rid-{i}") for i in range(256)))

        results = asyncio.run(main())
        assert raw_get(port, "/tag/solo")[0] == 200
    assert results == [
        {"tag": f"t{i}", "fresh": True, "rid": f"rid-{i}", "still": True} for i in range(256)
    ]


def test_django_wsgi_app_gets_a_context_and_an_id() -> None:
    from tests.adapters.django_app import wsgi as django_wsgi

    client = Client(django_wsgi)
    response = client.get("/tag/d", headers={"X-Request-ID": "django-1"})
    assert response.status_code == 200
    assert json.loads(response.get_data()) == {
        "tag": "d",
        "fresh": True,
        "rid": "django-1",
        "still": True,
    }
    assert response.headers["X-Request-ID"] == "django-1"


@pytest.mark.parametrize(
    ("target", "leaks"),
    [
        pytest.param("plain_wsgi", True, id="bare"),
        pytest.param("managed", False, id="local-manager"),
        pytest.param("wsgi", False, id="context-middleware"),
    ],
)
def test_a_bare_wsgi_app_under_pooled_threads_needs_a_manager(target: str, leaks: bool) -> None:
    """Pooled threads reuse their context: a bare app's Local survives into the next request."""
    extra = ("--threads", "4")
    with running_server(f"tests.adapters.foreign:{target}", "gunicorn", *extra) as (port, _):
        stale = 0
        for n in range(100):
            status, body = raw_get(port, f"/tag/r{n}")
            assert status == 200, body
            stale += not json.loads(body)["fresh"]
    assert (stale > 0) is leaks, f"{stale} of 100 requests saw an earlier request's value"
