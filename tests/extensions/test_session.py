"""Flask-Session on ctxcore, on a real redis-server: sessions live in Redis, the cookie
holds an id, and two app instances on the same Redis share them (as two workers do)."""

from __future__ import annotations

from typing import Any

import ctxcore


def make_app(redis_url: str) -> ctxcore.App:
    import redis
    from flask_session import Session

    app = ctxcore.App(__name__)
    app.secret_key = "session-tests"
    app.config["SESSION_TYPE"] = "redis"
    app.config["SESSION_REDIS"] = redis.Redis.from_url(redis_url)
    Session(app)

    @app.post("/put/<key>/<value>")
    def put(key: str, value: str) -> dict[str, Any]:
        ctxcore.session[key] = value
        return {"ok": True}

    @app.get("/get/<key>")
    def get(key: str) -> dict[str, Any]:
        return {key: ctxcore.session.get(key)}

    @app.post("/clear")
    def clear() -> dict[str, Any]:
        ctxcore.session.clear()
        return {"ok": True}

    return app


def test_a_session_value_is_kept_across_requests(redis_url: str) -> None:
    client = make_app(redis_url).test_client()
    client.post("/put/cart/3-apples")
    assert client.get("/get/cart").get_json() == {"cart": "3-apples"}


def test_the_session_is_stored_in_redis_under_the_cookies_id(redis_url: str) -> None:
    import redis

    client = make_app(redis_url).test_client()
    client.post("/put/cart/3-apples")
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert "3-apples" not in cookie.value
    keys = redis.Redis.from_url(redis_url).keys("session:*")
    assert len(keys) == 1


def test_another_app_on_the_same_redis_reads_the_session(redis_url: str) -> None:
    first, second = make_app(redis_url).test_client(), make_app(redis_url).test_client()
    first.post("/put/user/ann")
    cookie = first.get_cookie("session")
    assert cookie is not None
    second.set_cookie("session", cookie.value)
    assert second.get("/get/user").get_json() == {"user": "ann"}


def test_clients_have_separate_sessions(redis_url: str) -> None:
    app = make_app(redis_url)
    ann, bob = app.test_client(), app.test_client()
    ann.post("/put/user/ann")
    bob.post("/put/user/bob")
    assert ann.get("/get/user").get_json() == {"user": "ann"}
    assert bob.get("/get/user").get_json() == {"user": "bob"}
