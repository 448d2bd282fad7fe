"""The per-request shortcuts give what the general path gives.

Each shortcut (cached URL matches, plain responses built directly, plain WSGI bodies
returned as lists with the request already ended) is checked against werkzeug's or the
engine's general path on the same input, and each condition that must send a request
down the general path is exercised.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from werkzeug.routing import BaseConverter
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Response as WerkzeugResponse

from ctxcore import App, Response, g
from ctxcore.wrappers import plain_wsgi_response


@pytest.mark.parametrize(
    ("body", "mimetype"),
    [("hello", None), (b"\x00bytes", None), ('{"a":1}\n', "application/json"), ("", "text/plain")],
)
def test_plain_response_is_werkzeugs(body: Any, mimetype: str | None) -> None:
    ours = Response(body, mimetype=mimetype)
    theirs = WerkzeugResponse(body, mimetype=mimetype or Response.default_mimetype)
    assert ours.__dict__.keys() == theirs.__dict__.keys()
    assert ours.headers.to_wsgi_list() == theirs.headers.to_wsgi_list()
    assert (ours.status, ours.status_code, ours.response) == (
        theirs.status,
        theirs.status_code,
        theirs.response,
    )


def test_a_subclass_changing_a_step_gets_werkzeugs_constructor() -> None:
    class Created(Response):
        default_status = 201

    class Plain(Response):
        default_mimetype = "text/plain"

    assert Created("x").status == "201 CREATED"
    assert Plain("x").headers["Content-Type"] == "text/plain; charset=utf-8"
    assert Plain._plain_init
    assert not Created._plain_init


def _call(app: App, path: str, method: str = "GET") -> tuple[str, list[tuple[str, str]], Any]:
    environ = EnvironBuilder(path, method=method).get_environ()
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen.update(status=status, headers=headers)

    body = app(environ, start_response)
    return seen["status"], seen["headers"], body


def test_plain_wsgi_body_is_werkzeugs_and_a_list() -> None:
    app = App(__name__)

    @app.get("/")
    def index() -> dict[str, int]:
        return {"a": 1}

    status, headers, body = _call(app, "/")
    assert type(body) is list
    response = app.response_class(b'{"a":1}\n', mimetype="application/json")
    environ = EnvironBuilder("/").get_environ()
    assert (status, headers, body) == (
        response.status,
        response.get_wsgi_headers(environ).to_wsgi_list(),
        list(response.get_app_iter(environ)),
    )
    head_status, head_headers, head_body = _call(app, "/", "HEAD")
    assert (head_status, head_headers, head_body) == (status, headers, [])


@pytest.mark.parametrize(
    "make",
    [
        lambda: Response(iter([b"streamed"])),
        lambda: Response("moved", status=302, headers={"Location": "/ü"}),
        lambda: Response("", status=204),
        lambda: Response("x", direct_passthrough=True),
    ],
    ids=["stream", "location", "204", "passthrough"],
)
def test_other_responses_take_werkzeugs_path(make: Any) -> None:
    response = make()
    assert plain_wsgi_response(response, {"REQUEST_METHOD": "GET"}) is None


def test_close_callbacks_take_werkzeugs_path() -> None:
    response = Response("x")
    response.call_on_close(lambda: None)
    assert plain_wsgi_response(response, {"REQUEST_METHOD": "GET"}) is None


def test_a_request_with_teardown_work_ends_after_its_body() -> None:
    """With a teardown callback the request stays pushed until the server closes the
    body (the response goes out first); without, a plain body returns as a list."""
    app = App(__name__)
    events: list[str] = []

    @app.get("/")
    def index() -> str:
        return "body"

    plain = _call(app, "/")[2]
    assert type(plain) is list

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        events.append("teardown")

    body = _call(app, "/")[2]
    assert type(body) is not list
    assert events == []
    assert b"".join(body) == b"body"
    body.close()
    assert events == ["teardown"]


class _Counting(BaseConverter):
    calls = 0

    def to_python(self, value: str) -> str:
        type(self).calls += 1
        return value.upper()


def test_matches_are_cached_only_for_werkzeugs_converters() -> None:
    app = App(__name__)
    app.url_map.converters["counting"] = _Counting

    @app.get("/item/<int:item_id>")
    def item(item_id: int) -> dict[str, Any]:
        g.seen = item_id
        return {"id": item_id}

    @app.get("/custom/<counting:name>")
    def custom(name: str) -> str:
        return name

    @app.get("/uuid/<uuid:key>")
    def by_uuid(key: uuid.UUID) -> str:
        return str(key)

    client = app.test_client()
    for _ in range(3):
        assert client.get("/item/7").get_json() == {"id": 7}
        assert client.get("/custom/ab").text == "AB"
    key = uuid.uuid4()
    assert client.get(f"/uuid/{key}").text == str(key)
    assert client.get(f"/uuid/{key}").text == str(key)
    assert _Counting.calls == 3  # a custom converter runs on every request
    assert any(path == "/item/7" for (_, path, _) in app._matches._entries)
    assert not any(path == "/custom/ab" for (_, path, _) in app._matches._entries)


def test_a_rule_added_later_is_matched() -> None:
    app = App(__name__)

    @app.get("/<path:anything>")
    def catch_all(anything: str) -> str:
        return f"catch-all {anything}"

    client = app.test_client()
    assert client.get("/about").text == "catch-all about"

    @app.get("/about")
    def about() -> str:
        return "about"

    assert client.get("/about").text == "about"
    # Straight on the URL map too (the map's own "changed" flag).
    from werkzeug.routing import Rule

    app.url_map.add(Rule("/team", endpoint="team"))
    app.view_functions["team"] = lambda: "team"
    assert client.get("/team").text == "team"


def test_errors_and_redirects_are_matched_every_time() -> None:
    app = App(__name__)

    @app.get("/folder/")
    def folder() -> str:
        return "folder"

    client = app.test_client()
    for _ in range(2):
        assert client.get("/folder").status_code == 308
        assert client.get("/missing").status_code == 404
        assert client.post("/folder/").status_code == 405
    assert app._matches._entries == {}
