"""The e2e app, written once per framework: the same route doing the same work.

``GET /hello/<name>?n=N`` keeps ``name`` in request-scoped state (``g``, or
``request.state`` in Starlette, which has no globals), reads it back in a helper that
also reads the query string through the request global, writes a signed-cookie session
and answers ``{"hello": name, "n": N, "visits": 1}`` as JSON.

The ``*_json`` attributes are the plain JSON endpoint of ``bench/apps.py`` instead (the
``context`` suite's), for the "..., json" servers.

Apps are built on first access (``bench.e2e.apps:flask_app`` and so on), so a server
process imports only the framework it serves.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

SECRET = "bench-e2e-secret"
PATH = "/hello/ada?n=3"
EXPECTED = {"hello": "ada", "n": 3, "visits": 1}


def _flask_like(module_name: str, class_name: str, *, use_async: bool) -> Any:
    """ctxcore, Flask and Quart share the API the app needs."""
    module = importlib.import_module(module_name)
    app = getattr(module, class_name)(f"e2e-{module_name}")
    app.config["SECRET_KEY"] = SECRET
    g, request, session, jsonify = module.g, module.request, module.session, module.jsonify

    def greeting() -> dict[str, Any]:
        return {"hello": g.name, "n": request.args.get("n", 1, type=int)}

    def hello(name: str) -> Any:
        g.name = name
        session["visits"] = session.get("visits", 0) + 1
        return jsonify({**greeting(), "visits": session["visits"]})

    async def hello_async(name: str) -> Any:
        return hello(name)

    app.add_url_rule("/hello/<name>", "hello", hello_async if use_async else hello)
    return app


def _starlette() -> Any:
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.sessions import SessionMiddleware
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    def greeting(request: Request) -> dict[str, Any]:
        return {"hello": request.state.name, "n": int(request.query_params.get("n", 1))}

    async def hello(request: Request) -> JSONResponse:
        request.state.name = request.path_params["name"]
        request.session["visits"] = request.session.get("visits", 0) + 1
        return JSONResponse({**greeting(request), "visits": request.session["visits"]})

    return Starlette(
        routes=[Route("/hello/{name}", hello)],
        middleware=[Middleware(SessionMiddleware, secret_key=SECRET)],
    )


def _json(framework: str, view: str, protocol: str) -> Callable[[], Any]:
    """The JSON endpoint of ``bench/apps.py`` (no session), as the servers load it."""
    from bench import apps

    return lambda: apps.build(framework, view, protocol)


_BUILDERS: dict[str, Callable[[], Any]] = {
    "ctxcore_json_wsgi": _json("ctxcore", "sync", "wsgi"),
    "ctxcore_json_asgi": _json("ctxcore", "async", "asgi"),
    "ctxcore_json_asgi_sync": _json("ctxcore", "sync", "asgi"),
    "flask_json": _json("flask", "sync", "wsgi"),
    "starlette_json": _json("starlette", "async", "asgi"),
    "fastapi_json": _json("fastapi", "async", "asgi"),
    "quart_json": _json("quart", "async", "asgi"),
    "ctxcore_wsgi": lambda: _flask_like("ctxcore", "App", use_async=False),
    "ctxcore_asgi": lambda: _flask_like("ctxcore", "App", use_async=True).asgi,
    "ctxcore_asgi_sync": lambda: _flask_like("ctxcore", "App", use_async=False).asgi,
    "flask_app": lambda: _flask_like("flask", "Flask", use_async=False),
    "quart_app": lambda: _flask_like("quart", "Quart", use_async=True),
    "starlette_app": _starlette,
}
_BUILT: dict[str, Any] = {}


def __getattr__(name: str) -> Any:
    builder = _BUILDERS.get(name)
    if builder is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if name not in _BUILT:
        _BUILT[name] = builder()
    return _BUILT[name]
