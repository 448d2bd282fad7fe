"""What the WSGI and ASGI breakdowns share: the variant they describe and its apps.

Each variant's phases take turns on the same endpoint (``bench/apps.py``: the
``context`` suite's JSON endpoint) and the same driver (``bench/driving.py``) as the
suite's json cases, so the measured whole request here is the one those cases time.

Two more apps stand beside the endpoint's own:

- the *bare* app, which only answers (prepared bytes): the driver's own cost, with no
  framework in it, as the calls table's "driver alone" rows;
- the *flow* app: a ctxcore App with the same route whose view returns a Response
  made beforehand, so that timing the engine's dispatch on it measures the flow (hook
  look-ups, the view's call, finalizing, the session check) without the view's work or
  the JSON response's build, which are phases of their own.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench import apps
from bench.phases.timing import Phase

__all__ = ["BODY", "ENDPOINT", "Variant", "answer_dict", "bare_asgi", "bare_wsgi", "flow_app"]

#: The view's endpoint name in every app (bench/apps.py's).
ENDPOINT = "hello"
#: What the endpoint answers, as bytes.
BODY = json.dumps(apps.EXPECTED, separators=(",", ":")).encode() + b"\n"


@dataclass
class Variant:
    """One way of serving a request (WSGI; ASGI with an async or a sync view): the
    phases of a ctxcore request, and the whole request they add up to."""

    key: str
    label: str
    #: One whole request through the driver (what the context suite's json case times).
    whole: Callable[[], None]
    phases: list[Phase]
    #: The loop the ``async def`` phases run on (``None``: WSGI, no loop).
    loop: asyncio.AbstractEventLoop | None = None
    #: What to release once timed (the loop, lane threads).
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        """Release what the variant holds."""
        for close in self.closers:
            close()


def answer_dict() -> dict[str, Any]:
    """A fresh copy of what the view returns (a new dict per request, as a view makes)."""
    return dict(apps.EXPECTED)


def bare_wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """A WSGI app that only answers: the driver's own cost."""
    start_response("200 OK", [("Content-Type", "application/json")])
    return [BODY]


_START = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(b"content-type", b"application/json")],
}
_BODY = {"type": "http.response.body", "body": BODY, "more_body": False}


async def bare_asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An ASGI app that only sends its two messages: the driver's own cost."""
    await send(_START)
    await send(_BODY)


async def send_two(send: Any) -> None:
    """Send the two messages of an answer through ``send`` (a relay's handler)."""
    await send(_START)
    await send(_BODY)


def flow_app(view: str) -> Any:
    """A ctxcore App whose view (``async def`` or plain) returns a prepared Response."""
    import ctxcore

    app = ctxcore.App("bench-phases-flow")
    prepared = app.response_class(BODY, mimetype="application/json")

    def hello(name: str) -> Any:
        return prepared

    async def hello_async(name: str) -> Any:
        return prepared

    app.add_url_rule("/hello/<name>", ENDPOINT, hello_async if view == "async" else hello)
    return app
