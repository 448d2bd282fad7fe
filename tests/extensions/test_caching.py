"""Flask-Caching on ctxcore: cached views (keyed by path and query), memoized functions,
in memory and in a real redis-server."""

from __future__ import annotations

from typing import Any

import ctxcore


def make_app(config: dict[str, Any]) -> ctxcore.App:
    from flask_caching import Cache

    app = ctxcore.App(__name__)
    cache = Cache(app, config=config)
    calls = {"view": 0, "square": 0}

    @app.get("/slow")
    @cache.cached(timeout=60, query_string=True)
    def slow() -> dict[str, Any]:
        calls["view"] += 1
        return {"calls": calls["view"], "q": ctxcore.request.args.get("q")}

    @cache.memoize(60)
    def square(n: int) -> int:
        calls["square"] += 1
        return n * n

    @app.get("/square/<int:n>")
    def squared(n: int) -> dict[str, Any]:
        return {"value": square(n), "computed": calls["square"]}

    return app


SIMPLE = {"CACHE_TYPE": "SimpleCache"}


def test_a_cached_view_runs_once() -> None:
    client = make_app(SIMPLE).test_client()
    assert client.get("/slow").get_json()["calls"] == 1
    assert client.get("/slow").get_json()["calls"] == 1


def test_the_query_string_is_part_of_the_key() -> None:
    client = make_app(SIMPLE).test_client()
    assert client.get("/slow?q=a").get_json() == {"calls": 1, "q": "a"}
    assert client.get("/slow?q=b").get_json() == {"calls": 2, "q": "b"}
    assert client.get("/slow?q=a").get_json() == {"calls": 1, "q": "a"}


def test_memoize_caches_per_argument() -> None:
    client = make_app(SIMPLE).test_client()
    client.get("/square/3")
    assert client.get("/square/3").get_json() == {"value": 9, "computed": 1}
    assert client.get("/square/4").get_json() == {"value": 16, "computed": 2}


def test_the_redis_cache_is_shared_by_two_apps(redis_url: str) -> None:
    config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url}
    assert make_app(config).test_client().get("/slow").get_json()["calls"] == 1
    assert make_app(config).test_client().get("/slow").get_json()["calls"] == 1
