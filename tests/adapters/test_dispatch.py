"""Several apps mounted under prefixes: WSGI in-process and ASGI under uvicorn."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ctxcore.adapters.dispatch import ASGIDispatcher, DispatcherMiddleware
from werkzeug.test import Client

from tests.adapters.mounted import build, wsgi
from tests.adapters.servers import raw_get, running_command


def expected() -> dict[str, dict[str, str]]:
    return {
        "/where": {"app": "main", "url": "/where", "script_root": "", "path": "/where"},
        "/sec/where": {
            "app": "secondary",
            "url": "/sec/where",
            "script_root": "/sec",
            "path": "/where",
        },
        "/sec/api/where": {
            "app": "api",
            "url": "/sec/api/where",
            "script_root": "/sec/api",
            "path": "/where",
        },
    }


def test_wsgi_mounts_see_their_app_and_prefix() -> None:
    client = Client(wsgi)
    for path, want in expected().items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert json.loads(response.get_data()) == want
    assert client.get("/nowhere/where").status_code == 404  # main app's own 404
    assert client.get("/secret/where").status_code == 404  # "/sec" is not a prefix of "/secret"


def test_wsgi_dispatcher_without_main_app_answers_404() -> None:
    client = Client(DispatcherMiddleware(None, {"/a": build("a")}))
    assert client.get("/a/where").status_code == 200
    response = client.get("/b")
    assert response.status_code == 404
    assert response.get_data() == b"Not Found\n"


@pytest.mark.parametrize("prefix", ["sec", "/", ""])
def test_bad_mount_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="must start with '/'"):
        DispatcherMiddleware(None, {prefix: build("x")})
    with pytest.raises(ValueError, match="must start with '/'"):
        ASGIDispatcher(None, {prefix: build("x")})


def test_asgi_mounts_under_uvicorn() -> None:
    with running_command("uvicorn", "tests.adapters.mounted:asgi") as port:
        for path, want in expected().items():
            status, body = raw_get(port, path)
            assert status == 200, (path, body)
            got: dict[str, Any] = json.loads(body)
            assert got == want
        assert raw_get(port, "/nowhere/where")[0] == 404
