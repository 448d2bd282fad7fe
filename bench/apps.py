"""The JSON endpoint, written once per framework as its users would write it.

``GET /hello/<name>?q=1`` answers ``{"name": name, "q": "1"}``: a path parameter, one
query argument, a dict turned into a JSON response, nothing else (no session, no
globals written). ctxcore and Flask return the dict from the view, Quart too;
Starlette builds a ``JSONResponse``; FastAPI declares ``q`` as a query parameter and
returns the dict. The ``context`` suite calls these apps in process, the calls table
counts their Python calls, and the ``e2e`` suite serves them (``bench/e2e/apps.py``).

``view`` is ``"async"`` (an ``async def`` view, run on the event loop) or ``"sync"``
(a plain function: ctxcore runs it on the request's worker thread, Starlette and
FastAPI in their thread pool). Flask only has sync views; its app is WSGI.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

__all__ = ["BUILDERS", "EXPECTED", "PATH", "QUERY", "ROUTE_PATH", "build"]

ROUTE_PATH = "/hello/ada"
QUERY = "q=1"
PATH = f"{ROUTE_PATH}?{QUERY}"
EXPECTED = {"name": "ada", "q": "1"}


def _flask_like(module_name: str, class_name: str, view: str) -> Any:
    """ctxcore, Flask and Quart: the same view over the ``request`` global."""
    module = importlib.import_module(module_name)
    app = getattr(module, class_name)(f"bench-json-{module_name}")
    request = module.request

    def hello(name: str) -> dict[str, Any]:
        return {"name": name, "q": request.args.get("q")}

    async def hello_async(name: str) -> dict[str, Any]:
        return {"name": name, "q": request.args.get("q")}

    app.add_url_rule("/hello/<name>", "hello", hello_async if view == "async" else hello)
    return app


def _ctxcore(view: str) -> Any:
    return _flask_like("ctxcore", "App", view)


def _flask(view: str) -> Any:
    if view != "sync":
        raise ValueError("the Flask app is WSGI: sync views only")
    return _flask_like("flask", "Flask", view)


def _quart(view: str) -> Any:
    return _flask_like("quart", "Quart", view)


def _starlette(view: str) -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    def hello(request: Request) -> JSONResponse:
        return JSONResponse(
            {"name": request.path_params["name"], "q": request.query_params.get("q")}
        )

    async def hello_async(request: Request) -> JSONResponse:
        return hello(request)

    # A sync endpoint runs in Starlette's thread pool (anyio), as a ctxcore sync view
    # runs on its worker thread.
    return Starlette(routes=[Route("/hello/{name}", hello_async if view == "async" else hello)])


def _fastapi(view: str) -> Any:
    from fastapi import FastAPI

    app = FastAPI()

    if view == "async":

        @app.get("/hello/{name}")
        async def hello_async(name: str, q: str | None = None) -> dict[str, Any]:
            return {"name": name, "q": q}

    else:

        @app.get("/hello/{name}")
        def hello(name: str, q: str | None = None) -> dict[str, Any]:
            return {"name": name, "q": q}

    return app


#: Framework name -> builder taking the view kind.
BUILDERS: dict[str, Callable[[str], Any]] = {
    "ctxcore": _ctxcore,
    "flask": _flask,
    "quart": _quart,
    "starlette": _starlette,
    "fastapi": _fastapi,
}


def build(framework: str, view: str, protocol: str) -> Any:
    """The framework's app with a ``view`` ("async"/"sync") view, as a ``protocol``
    ("asgi"/"wsgi") callable (``app.asgi`` for ctxcore under ASGI)."""
    app = BUILDERS[framework](view)
    if framework == "ctxcore" and protocol == "asgi":
        return app.asgi
    return app
