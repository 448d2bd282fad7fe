"""ContextMiddleware around foreign apps: a per-request context and request id."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest
from werkzeug.test import Client

from tests.adapters.foreign import wsgi
from tests.adapters.servers import HOST, _dechunk, raw_get, running_command


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
