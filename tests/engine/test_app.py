"""App: routing, views (sync and async), responses, URL building."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from ctxcore import App, Response, abort, g, jsonify, request, url_for


@pytest.fixture
def app() -> App:
    app = App(__name__)

    @app.route("/")
    def index() -> str:
        return "index"

    @app.get("/users/<int:user_id>")
    def user(user_id: int) -> dict[str, Any]:
        return {"id": user_id, "q": request.args.get("q")}

    @app.route("/items", methods=["GET", "POST"])
    def items() -> tuple[str, int]:
        return request.method, 201 if request.method == "POST" else 200

    @app.get("/async")
    async def async_view() -> str:
        await asyncio.sleep(0)
        g.seen = request.path
        return f"async {g.seen}"

    return app


def test_routes_dispatch_with_converters_and_args(app: App) -> None:
    client = app.test_client()
    assert client.get("/").get_data(as_text=True) == "index"
    response = client.get("/users/7?q=x")
    assert response.status_code == 200
    assert response.json == {"id": 7, "q": "x"}
    assert response.mimetype == "application/json"


def test_method_routing_and_status_tuple(app: App) -> None:
    client = app.test_client()
    assert client.get("/items").get_data(as_text=True) == "GET"
    post = client.post("/items")
    assert (post.status_code, post.get_data(as_text=True)) == (201, "POST")


def test_unknown_route_is_404(app: App) -> None:
    assert app.test_client().get("/nowhere").status_code == 404


def test_wrong_method_is_405_with_allow(app: App) -> None:
    response = app.test_client().delete("/users/1")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_head_and_automatic_options(app: App) -> None:
    client = app.test_client()
    head = client.head("/")
    assert head.status_code == 200
    assert head.get_data() == b""
    options = client.options("/items")
    assert options.status_code == 200
    assert set(options.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}


def test_async_view_sees_request_and_g(app: App) -> None:
    assert app.test_client().get("/async").get_data(as_text=True) == "async /async"


def test_async_view_called_while_a_loop_runs(app: App) -> None:
    async def main() -> str:
        return str(app.test_client().get("/async").get_data(as_text=True))

    assert asyncio.run(main()) == "async /async"


@pytest.mark.parametrize(
    ("rv", "status", "body", "header"),
    [
        ("text", 200, b"text", None),
        (b"bytes", 200, b"bytes", None),
        (["a", 1], 200, b'["a",1]\n', None),
        (("made", 202), 202, b"made", None),
        (("hdr", {"X-A": "1"}), 200, b"hdr", ("X-A", "1")),
        (("both", 418, [("X-B", "2")]), 418, b"both", ("X-B", "2")),
        ((x for x in ["s", "tream"]), 200, b"stream", None),
        (Response("r", status=203), 203, b"r", None),
    ],
)
def test_return_values_become_responses(
    rv: Any, status: int, body: bytes, header: tuple[str, str] | None
) -> None:
    app = App(__name__)
    app.add_url_rule("/", "view", lambda: rv)
    response = app.test_client().get("/")
    assert response.status_code == status
    assert response.get_data() == body
    if header is not None:
        assert response.headers[header[0]] == header[1]


@pytest.mark.parametrize("rv", [None, 3.5, ("a", 1, 2, 3)])
def test_invalid_return_values_are_500_with_a_clear_error(rv: Any) -> None:
    app = App(__name__)
    app.config["PROPAGATE_EXCEPTIONS"] = True
    app.add_url_rule("/", "view", lambda: rv)
    with pytest.raises(TypeError, match=r"(must return a response|not a response|tuple must be)"):
        app.test_client().get("/")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert app.test_client().get("/").status_code == 500


def test_abort_and_jsonify() -> None:
    app = App(__name__)

    @app.get("/<int:n>")
    def view(n: int) -> Any:
        if n == 0:
            abort(403)
        return jsonify(n=n)

    client = app.test_client()
    assert client.get("/0").status_code == 403
    assert client.get("/2").json == {"n": 2}


def test_url_for_inside_and_outside_requests(app: App) -> None:
    with app.test_request_context("/"):
        assert url_for("user", user_id=3, q="z") == "/users/3?q=z"
        assert url_for("user", user_id=3, _external=True) == "http://localhost/users/3"
        assert url_for("index", _anchor="top") == "/#top"
    with pytest.raises(RuntimeError, match="SERVER_NAME"), app.app_context():
        url_for("index")
    app.config["SERVER_NAME"] = "example.com"
    with app.app_context():
        assert url_for("index") == "http://example.com/"


def test_duplicate_endpoint_is_rejected(app: App) -> None:
    with pytest.raises(ValueError, match="already maps to"):
        app.add_url_rule("/other", "index", lambda: "x")


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda app: app.add_url_rule("no-slash", "e", lambda: ""), ValueError),
        (lambda app: app.add_url_rule("/x"), TypeError),
        (lambda app: app.add_url_rule("/x", "e", lambda: "", methods="GET"), TypeError),
        (lambda app: app.get("/x", methods=["POST"]), TypeError),
        (lambda app: app.errorhandler(999), ValueError),
        (lambda app: app.errorhandler("404"), TypeError),
    ],
)
def test_bad_registrations_fail_clearly(call: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        call(App(__name__))


def test_middleware_can_replace_wsgi_app(app: App) -> None:
    seen: list[str] = []
    inner = app.wsgi_app

    def middleware(environ: dict[str, Any], start_response: Any) -> Any:
        seen.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    app.wsgi_app = middleware  # type: ignore[method-assign]
    assert app.test_client().get("/").status_code == 200
    assert seen == ["/"]


def test_config_helpers() -> None:
    app = App(__name__)

    class Settings:
        SECRET_KEY = "s"
        lower = "ignored"

    app.config.from_object(Settings)
    app.config.from_mapping({"DEBUG": True}, TESTING=True, lower=1)
    assert (app.config["SECRET_KEY"], app.config["DEBUG"], app.config["TESTING"]) == (
        "s",
        True,
        True,
    )
    assert "lower" not in app.config
