"""Foreign apps (a bare WSGI function, a Starlette app) wrapped in ContextMiddleware."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from ctxcore.adapters.middleware import ContextMiddleware, current_request_id

from ctxcore import Local, LocalManager

local = Local()


def _report(tag: str) -> dict[str, Any]:
    fresh = not hasattr(local, "tag")
    local.tag = tag
    return {"tag": tag, "fresh": fresh, "rid": current_request_id()}


def plain_wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    tag = environ.get("PATH_INFO", "").rsplit("/", 1)[-1]
    first = _report(tag)
    time.sleep(0.001)
    body = json.dumps({**first, "still": local.tag == tag and current_request_id() == first["rid"]})
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body.encode()]


def reading_wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """A bare WSGI app that reads the whole body (to its end, for a chunked one)."""
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH")
    data = stream.read(int(length)) if length else stream.read()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps({"length": len(data)}).encode()]


wsgi = ContextMiddleware(plain_wsgi)
#: The reading app wrapped: the request limits apply under any server.
reading = ContextMiddleware(reading_wsgi)
#: The same function released by a LocalManager after each response.
managed = LocalManager([local]).make_middleware(plain_wsgi)


def _starlette() -> Any:
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def endpoint(request: Any) -> JSONResponse:
        tag = request.path_params["tag"]
        first = _report(tag)
        await asyncio.sleep(0.001)
        return JSONResponse(
            {**first, "still": local.tag == tag and current_request_id() == first["rid"]}
        )

    async def echo(request: Any) -> JSONResponse:
        return JSONResponse({"length": len(await request.body())})

    async def health(request: Any) -> JSONResponse:
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[
            Route("/tag/{tag}", endpoint),
            Route("/echo", echo, methods=["POST"]),
            Route("/health", health),
        ]
    )


asgi = ContextMiddleware(_starlette())
