"""The Flask shapes extensions rely on: each test is what a real extension (or an
extension's own test app) does, asserted as Flask answers it."""

from __future__ import annotations

import asyncio
from typing import Any

import flask
import pytest

import ctxcore


def test_restx_formats_api_errors() -> None:
    from flask_restx import Api, Resource

    app = ctxcore.App(__name__)
    api = Api(app)

    @api.route("/books/<int:book_id>")
    class Book(Resource):  # type: ignore[misc]
        def get(self, book_id: int) -> Any:
            api.abort(404, f"no book {book_id}")

    response = app.test_client().get("/books/7")
    assert response.status_code == 404
    assert response.get_json()["message"].startswith("no book 7")


def test_restx_reports_validation_errors() -> None:
    from flask_restx import Api, Resource, fields

    app = ctxcore.App(__name__)
    api = Api(app)
    model = api.model("Book", {"title": fields.String(required=True)})

    @api.route("/books")
    class Books(Resource):  # type: ignore[misc]
        @api.expect(model, validate=True)
        def post(self) -> Any:
            return {"ok": True}

    response = app.test_client().post("/books", json={})
    assert response.status_code == 400
    assert "title" in response.get_json()["errors"]


def test_cors_cross_origin_answers_options() -> None:
    from flask_cors import cross_origin

    app = ctxcore.App(__name__)

    @app.route("/items", methods=["GET", "OPTIONS"])
    @cross_origin(origins="https://shop.example")
    def items() -> str:
        return "items"

    response = app.test_client().options(
        "/items",
        headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://shop.example"


def test_caching_tells_a_cache_hit() -> None:
    from flask_caching import Cache

    app = ctxcore.App(__name__)
    cache = Cache(app, config={"CACHE_TYPE": "SimpleCache"})

    @app.get("/")
    @cache.cached(timeout=60, response_hit_indication=True)
    def index() -> str:
        return "page"

    client = app.test_client()
    client.get("/")
    assert client.get("/").headers["hit_cache"] == "True"


@pytest.mark.parametrize("framework", ["flask", "ctxcore"])
def test_class_attributes_configure_the_app(framework: str) -> None:
    """As in Flask, the attributes win where they are read: sessions are signed with
    the class's key, and errors reach the test client."""
    base = flask.Flask if framework == "flask" else ctxcore.App
    from_session = flask.session if framework == "flask" else ctxcore.session

    class ShopApp(base):  # type: ignore[misc,valid-type]
        testing = True
        secret_key = "from-the-class"

    app = ShopApp(__name__)

    @app.get("/login")
    def login() -> str:
        from_session["user"] = "ann"
        return "in"

    @app.get("/me")
    def me() -> str:
        return str(from_session.get("user"))

    @app.get("/boom")
    def boom() -> str:
        raise LookupError("reaches the test client")

    client = app.test_client()
    client.get("/login")
    assert client.get("/me").text == "ann"
    with pytest.raises(LookupError, match="reaches the test client"):
        client.get("/boom")


def test_abort_goes_through_the_apps_aborter() -> None:
    from werkzeug.exceptions import Aborter, HTTPException

    class ClientClosed(HTTPException):
        code = 499
        description = "the client closed the connection"

    class ShopAborter(Aborter):
        def __init__(self) -> None:
            super().__init__(extra={499: ClientClosed})

    class ShopApp(ctxcore.App):
        aborter_class = ShopAborter

    app = ShopApp(__name__)

    @app.get("/")
    def index() -> str:
        ctxcore.abort(499)

    assert app.test_client().get("/").status_code == 499


def test_a_subclass_override_serves_requests() -> None:
    class ShopApp(ctxcore.App):
        def handle_user_exception(self, e: Exception) -> Any:
            return {"handled": type(e).__name__}, 409

    app = ShopApp(__name__)

    @app.get("/")
    def index() -> str:
        raise ValueError("nope")

    response = app.test_client().get("/")
    assert (response.status_code, response.get_json()) == (409, {"handled": "ValueError"})


def test_an_instance_override_serves_requests() -> None:
    app = ctxcore.App(__name__)

    @app.get("/")
    def index() -> str:
        return "view"

    original = app.full_dispatch_request

    def wrapped() -> Any:
        response = original()
        response.headers["X-Wrapped"] = "yes"
        return response

    app.full_dispatch_request = wrapped  # type: ignore[method-assign]
    assert app.test_client().get("/").headers.get("X-Wrapped") == "yes"


def test_a_subclass_override_serves_asgi_requests() -> None:
    class ShopApp(ctxcore.App):
        def handle_user_exception(self, e: Exception) -> Any:
            return "handled", 409

    app = ShopApp(__name__)

    @app.get("/")
    async def index() -> str:
        raise ValueError("nope")

    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"shop.example")],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 80),
    }
    asyncio.run(app.asgi(scope, receive, send))
    assert sent[0]["status"] == 409


def test_restx_api_on_a_blueprint() -> None:
    """Flask-RESTX on a blueprint adds rules whose URL is a callable, through a setup
    state it patches in a record() callback: registration runs in Flask's order."""
    from flask_restx import Api, Resource

    blueprint = ctxcore.Blueprint("api", __name__, url_prefix="/api")
    api = Api(blueprint, doc="/doc/")

    @api.route("/items/<int:item_id>")
    class Item(Resource):  # type: ignore[misc]
        def get(self, item_id: int) -> Any:
            if item_id > 5:
                api.abort(404, f"no item {item_id}")
            return {"id": item_id}

    app = ctxcore.App(__name__)
    app.register_blueprint(blueprint)
    client = app.test_client()
    assert client.get("/api/items/3").get_json() == {"id": 3}
    missing = client.get("/api/items/9")
    assert missing.status_code == 404
    assert missing.get_json()["message"].startswith("no item 9")
    assert client.get("/api/swagger.json").get_json()["paths"].keys() == {"/items/{item_id}"}
