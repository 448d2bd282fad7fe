"""app.asgi reads requests from the scope and sends responses as ASGI messages.

No WSGI environ is built unless the app reads ``request.environ``; headers split into
several fields (HTTP/2 sends each cookie as its own) are joined as HTTP joins them; no
task is created per request or per ``send``; werkzeug's rules for empty bodies and
``Content-Length`` hold; a server's ``send`` runs outside the request's context.
"""

from __future__ import annotations

import asyncio
import contextvars
from typing import Any

import pytest
from ctxcore.adapters.asgi import scope_to_environ
from werkzeug.datastructures import Headers

from ctxcore import App, Response, request, session
from ctxcore.wrappers import ScopeHeaders

MARK: contextvars.ContextVar[str] = contextvars.ContextVar("mark", default="unset")


def _scope(path: str, method: str = "GET", headers: list[tuple[bytes, bytes]] | None = None,
           query: bytes = b"") -> dict[str, Any]:  # fmt: skip
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "2", "method": method,
        "scheme": "https", "path": path, "raw_path": path.encode(), "query_string": query,
        "root_path": "", "headers": [(b"host", b"shop.example"), *(headers or [])],
        "client": ("10.0.0.7", 5123), "server": ("127.0.0.1", 8443),
    }  # fmt: skip


async def _call(
    app: App, scope: dict[str, Any], body: bytes = b"", send_hook: Any = None
) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if send_hook is not None:
            send_hook(message)
        sent.append(message)

    await app.asgi(scope, receive, send)
    return sent


def _run(app: App, scope: dict[str, Any], body: bytes = b"") -> list[dict[str, Any]]:
    return asyncio.run(_call(app, scope, body))


def _app() -> App:
    app = App(__name__)
    app.secret_key = "native"

    @app.get("/plain")
    async def plain() -> dict[str, Any]:
        return {"built_environ": "environ" in request.__dict__, "args": request.args.to_dict()}

    @app.get("/environ")
    def environ() -> dict[str, Any]:
        env = request.environ
        return {
            "cookie": env["HTTP_COOKIE"],
            "accept": env["HTTP_ACCEPT"],
            "addr": env["REMOTE_ADDR"],
        }

    @app.get("/cookies")
    async def cookies() -> dict[str, Any]:
        return {"cookies": request.cookies.to_dict(), "user": session.get("user")}

    @app.get("/login")
    def login() -> str:
        session["user"] = "ann"
        return "in"

    @app.post("/echo")
    def echo() -> dict[str, Any]:
        return {"form": request.form.to_dict(), "url": request.url, "remote": request.remote_addr}

    @app.route("/empty/<int:code>", methods=["GET", "HEAD"])
    def empty(code: int) -> Response:
        return Response("body that must not be sent", status=code)

    return app


def _json(sent: list[dict[str, Any]]) -> Any:
    import json

    return json.loads(b"".join(m.get("body", b"") for m in sent[1:]))


def _headers(sent: list[dict[str, Any]]) -> dict[bytes, bytes]:
    return dict(sent[0]["headers"])


def test_a_request_that_does_not_read_the_environ_builds_none() -> None:
    app = _app()
    _run(app, _scope("/plain"))  # the first request of a host binds the URL adapter, once
    sent = _run(app, _scope("/plain", query=b"q=1&r=%C3%A9"))
    assert sent[0]["status"] == 200
    assert _json(sent) == {"built_environ": False, "args": {"q": "1", "r": "é"}}


def test_headers_are_decoded_only_when_read() -> None:
    app = _app()

    @app.get("/untouched")
    async def untouched() -> dict[str, Any]:
        return {"decoded": "_list" in request.headers.__dict__}

    @app.get("/read")
    async def read() -> dict[str, Any]:
        value = request.headers.get("X-Name")
        return {"value": value, "decoded": "_list" in request.headers.__dict__}

    _run(app, _scope("/untouched"))  # the first request of a host binds the URL adapter
    assert _json(_run(app, _scope("/untouched"))) == {"decoded": False}
    sent = _run(app, _scope("/read", headers=[(b"x-name", "Zoë".encode("latin-1"))]))
    assert _json(sent) == {"value": "Zoë", "decoded": True}


def test_scope_headers_copy_slice_and_change_like_werkzeugs() -> None:
    raw = [(b"host", b"a.example"), (b"cookie", b"x=1"), (b"cookie", b"y=2")]
    headers = ScopeHeaders(raw)
    plain = Headers([("host", "a.example"), ("cookie", "x=1"), ("cookie", "y=2")])
    assert list(headers) == list(plain)
    assert headers.getlist("Cookie") == ["x=1", "y=2"]
    copied = headers.copy()
    assert list(copied) == list(plain)
    assert copied == headers
    assert list(headers[1:]) == list(plain[1:])
    copied["Host"] = "b.example"
    assert headers["Host"] == "a.example"  # the copy is its own
    headers.add("X-Added", "1")
    assert headers.get("x-added") == "1"
    assert len(headers) == 4
    # What the URL adapter cache is keyed by: the first Host field, as the scope gave it.
    assert ScopeHeaders([*raw, (b"host", b"other")]).first_raw(b"host") == "a.example"
    assert headers.first_raw(b"missing") is None


def test_requests_to_other_hosts_are_routed_by_their_own_host() -> None:
    app = App(__name__)
    app.config["SERVER_NAME"] = "shop.example:8443"
    app.subdomain_matching = True

    @app.get("/", subdomain="api")
    async def api() -> str:
        return "api"

    @app.get("/")
    async def home() -> str:
        return "home"

    for host, expected in [(b"api.shop.example:8443", b"api"), (b"shop.example:8443", b"home")] * 2:
        scope = _scope("/")
        scope["headers"] = [(b"host", host)]
        sent = _run(app, scope)
        assert sent[0]["status"] == 200, host
        assert sent[1]["body"] == expected, host


def test_the_environ_is_built_when_read_and_is_the_adapters() -> None:
    headers = [(b"cookie", b"a=1"), (b"cookie", b"b=2"), (b"accept", b"text/html"),
               (b"accept", b"application/json")]  # fmt: skip
    sent = _run(_app(), _scope("/environ", headers=headers))
    assert _json(sent) == {
        "cookie": "a=1; b=2",
        "accept": "text/html, application/json",
        "addr": "10.0.0.7",
    }
    environ = scope_to_environ(_scope("/environ", headers=headers), b"")
    assert environ["HTTP_COOKIE"] == "a=1; b=2"


def test_cookies_split_over_fields_keep_the_session() -> None:
    """HTTP/2 may send each cookie as its own field: the session cookie is still read."""
    app = _app()
    login = _run(app, _scope("/login"))
    set_cookie = _headers(login)[b"set-cookie"].split(b";", 1)[0]
    headers = [(b"cookie", b"a=1"), (b"cookie", set_cookie), (b"cookie", b"theme=dark")]
    sent = _run(app, _scope("/cookies", headers=headers))
    data = _json(sent)
    assert data["user"] == "ann"
    assert data["cookies"]["a"] == "1"
    assert data["cookies"]["theme"] == "dark"


def test_form_body_url_and_client_come_from_the_scope() -> None:
    headers = [(b"content-type", b"application/x-www-form-urlencoded"), (b"content-length", b"11")]
    sent = _run(_app(), _scope("/echo", "POST", headers), b"name=ann&x=")
    assert _json(sent) == {
        "form": {"name": "ann", "x": ""},
        "url": "https://shop.example/echo",
        "remote": "10.0.0.7",
    }


@pytest.mark.parametrize(
    ("method", "code"), [("HEAD", 200), ("GET", 204), ("GET", 304), ("HEAD", 404)]
)
def test_bodies_that_must_be_empty_are(method: str, code: int) -> None:
    sent = _run(_app(), _scope(f"/empty/{code}", method))
    assert sent[0]["status"] == code
    assert b"".join(m.get("body", b"") for m in sent[1:]) == b""
    if code not in (204, 304):
        # HEAD keeps the length the GET would have.
        assert _headers(sent)[b"content-length"] == b"26"
    else:
        assert b"content-length" not in _headers(sent)


def test_no_task_is_created_per_request_or_send() -> None:
    app = _app()
    created: list[Any] = []

    async def main() -> list[dict[str, Any]]:
        loop = asyncio.get_running_loop()
        default = loop.get_task_factory()

        def counting(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> Any:
            created.append(coro)
            if default is None:
                return asyncio.Task(coro, loop=loop, **kwargs)
            return default(loop, coro, **kwargs)

        loop.set_task_factory(counting)
        try:
            return await _call(app, _scope("/plain"))
        finally:
            loop.set_task_factory(default)

    sent = asyncio.run(main())
    assert sent[0]["status"] == 200
    assert created == []


def test_the_servers_send_runs_outside_the_requests_context() -> None:
    app = _app()

    @app.before_request
    async def mark() -> None:
        MARK.set("request")

    seen: list[str] = []
    sent = asyncio.run(_call(app, _scope("/plain"), send_hook=lambda m: seen.append(MARK.get())))
    assert sent[0]["status"] == 200
    assert seen == ["unset", "unset"]


def test_a_malformed_method_is_a_400() -> None:
    sent = _run(_app(), _scope("/plain", method="GE T"))
    assert sent[0]["status"] == 400
