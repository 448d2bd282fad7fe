"""Flask-Limiter on ctxcore, counting in a real redis-server: limits per route and per
client, shared by every app instance on the same Redis (as two workers are)."""

from __future__ import annotations

import ctxcore


def make_app(redis_url: str) -> ctxcore.App:
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address

    app = ctxcore.App(__name__)
    limiter = Limiter(
        get_remote_address, app=app, storage_uri=redis_url, default_limits=["100/minute"]
    )

    @app.get("/scarce")
    @limiter.limit("3/minute")
    def scarce() -> str:
        return "ok"

    @app.get("/free")
    @limiter.exempt
    def free() -> str:
        return "ok"

    return app


def statuses(client: object, path: str, count: int, addr: str = "10.0.0.1") -> list[int]:
    env = {"REMOTE_ADDR": addr}
    return [
        client.get(path, environ_base=env).status_code  # type: ignore[attr-defined]
        for _ in range(count)
    ]


def test_the_limit_answers_429_once_spent(redis_url: str) -> None:
    assert statuses(make_app(redis_url).test_client(), "/scarce", 4) == [200, 200, 200, 429]


def test_limits_count_per_client_address(redis_url: str) -> None:
    client = make_app(redis_url).test_client()
    statuses(client, "/scarce", 3)
    assert statuses(client, "/scarce", 1, addr="10.0.0.2") == [200]


def test_two_apps_on_one_redis_share_the_count(redis_url: str) -> None:
    first, second = make_app(redis_url).test_client(), make_app(redis_url).test_client()
    assert statuses(first, "/scarce", 2) == [200, 200]
    assert statuses(second, "/scarce", 2) == [200, 429]


def test_rate_limit_headers_are_sent(redis_url: str) -> None:
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address

    app = ctxcore.App(__name__)
    limiter = Limiter(get_remote_address, app=app, storage_uri=redis_url, headers_enabled=True)

    @app.get("/")
    @limiter.limit("5/minute")
    def index() -> str:
        return "ok"

    response = app.test_client().get("/")
    assert response.headers["X-RateLimit-Limit"] == "5"
    assert response.headers["X-RateLimit-Remaining"] == "4"


def test_exempt_views_are_not_counted(redis_url: str) -> None:
    assert statuses(make_app(redis_url).test_client(), "/free", 5) == [200] * 5
