"""Flask-Cors on ctxcore: CORS headers on answers, preflight requests, per-path
resources, and error responses. (``cross_origin``'s own OPTIONS answer, through
``make_default_options_response``: test_flask_shapes.py.)"""

from __future__ import annotations

import ctxcore

ORIGIN = {"Origin": "https://shop.example"}
PREFLIGHT = {**ORIGIN, "Access-Control-Request-Method": "POST"}


def make_app() -> ctxcore.App:
    from flask_cors import CORS

    app = ctxcore.App(__name__)
    CORS(app, resources={r"/api/*": {"origins": "https://shop.example"}})

    @app.route("/api/items", methods=["GET", "POST"])
    def items() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/api/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    @app.get("/private")
    def private() -> str:
        return "no cors"

    return app


def test_an_allowed_origin_gets_the_header() -> None:
    response = make_app().test_client().get("/api/items", headers=ORIGIN)
    assert response.headers["Access-Control-Allow-Origin"] == "https://shop.example"


def test_a_preflight_is_answered() -> None:
    response = make_app().test_client().options("/api/items", headers=PREFLIGHT)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_other_origins_and_paths_get_no_header() -> None:
    client = make_app().test_client()
    other = client.get("/api/items", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    assert "Access-Control-Allow-Origin" not in client.get("/private", headers=ORIGIN).headers


def test_an_error_response_gets_the_header() -> None:
    response = make_app().test_client().get("/api/boom", headers=ORIGIN)
    assert response.status_code == 500
    assert response.headers["Access-Control-Allow-Origin"] == "https://shop.example"
