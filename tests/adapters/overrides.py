"""An app whose Flask steps are overridden, on its class and on the instance, for the
served tests (``tests/adapters/test_overrides.py``).

Every request fails in its view; the subclass's ``handle_user_exception`` answers with
what it saw (200, JSON): the request id, the steps that ran before it, and whether it
ran where sync code must (the view's thread for a sync view, never an event loop's
thread). ``process_response`` (the subclass's) and ``full_dispatch_request`` (set on
the instance) leave their names in the ``X-Steps`` header; ``/crash`` reaches
``handle_exception``, replaced on the instance as Flask-RESTX does.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from ctxcore import App, g, jsonify


def _on_a_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class OverrideApp(App):
    def handle_user_exception(self, e: Exception, ctx: Any = None) -> Any:
        if not isinstance(e, ValueError):
            return super().handle_user_exception(e)
        g.steps.append("handle_user_exception")
        here = threading.get_ident()
        same_thread = here == g.view_thread or g.view_was_async
        ok = same_thread and not _on_a_loop()
        return {"ok": ok, "rid": str(e), "steps": g.steps, "on_loop": _on_a_loop()}

    def process_response(self, response: Any, ctx: Any = None) -> Any:
        response = super().process_response(response)
        g.steps.append("process_response")
        response.headers["X-Steps"] = ",".join(g.steps)
        return response


app = OverrideApp(__name__)
_original_full_dispatch = app.full_dispatch_request


def _full_dispatch_request() -> Any:
    g.steps = ["full_dispatch_request"]
    return _original_full_dispatch()


app.full_dispatch_request = _full_dispatch_request  # type: ignore[method-assign]
_original_handle_exception = app.handle_exception


def _handle_exception(e: Exception) -> Any:
    # Flask-RESTX's shape: a wrapper that answers its own errors and hands on the rest.
    if isinstance(e, KeyError):
        response = jsonify(message=f"missing {e.args[0]}", on_loop=_on_a_loop())
        response.status_code = 503
        return response
    return _original_handle_exception(e)


app.handle_exception = _handle_exception  # type: ignore[method-assign]


@app.get("/sync/<rid>")
def sync_view(rid: str) -> str:
    g.view_thread, g.view_was_async = threading.get_ident(), False
    raise ValueError(rid)


@app.get("/async/<rid>")
async def async_view(rid: str) -> str:
    g.view_thread, g.view_was_async = threading.get_ident(), True
    await asyncio.sleep(0)
    raise ValueError(rid)


@app.get("/crash")
def crash() -> str:
    raise KeyError("widget")
