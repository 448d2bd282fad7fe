"""What extensions do that needs the engine in Flask's shape (its rebuild is under way).

Each test is what a real extension (or an extension's own test app) does, asserted as
Flask answers it; each is a strict xfail naming the shape it needs, so it turns into a
pass — and fails as an XPASS, for its mark to be removed — when that shape lands.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import ctxcore


def needs(shape: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, reason=f"needs the engine's Flask shapes: {shape}")


@needs("app.handle_exception / handle_user_exception replaced on the instance are the flow's")
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


@needs("app.handle_user_exception replaced on the instance (Flask-RESTX validation errors)")
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


@needs("App.make_default_options_response() (Flask-Cors's cross_origin answers OPTIONS)")
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


@needs("app.after_request_funcs as Flask's dict keyed by blueprint name, None for the app")
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


@needs("configuration through class attributes (testing = True, secret_key = ...)")
def test_class_attributes_configure_the_app() -> None:
    class ShopApp(ctxcore.App):
        testing = True
        secret_key = "from-the-class"

    app = ShopApp(__name__)
    assert app.config["TESTING"] is True
    assert app.config["SECRET_KEY"] == "from-the-class"


@needs("app.aborter / aborter_class, abort() going through the current app's aborter")
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


@needs("handle_user_exception overridden on a subclass is the flow's step (WSGI)")
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


@needs("full_dispatch_request replaced on the instance is the flow's step (WSGI)")
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


@needs("handle_user_exception overridden on a subclass is the flow's step (ASGI)")
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
