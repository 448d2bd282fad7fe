"""The app the real-server tests serve: each request checks it only ever sees its own id.

``/sync/<rid>`` stores the id in ``g``, in a context-ident Local, in a greenlet-ident
Local (under gevent) and in the session, sleeps (a real wait: threads and greenlets
switch), then reports what each holds. ``/async/<rid>`` does the same with an awaited
sleep (ASGI servers run it on their loop). A mismatch is returned, not raised, so the
client counts it.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

from ctxcore import App, Local, g, request, session

local = Local()
app = App(__name__)
app.config["SECRET_KEY"] = "stress-test-secret"
EVENTS = os.environ.get("CTXCORE_STRESS_EVENTS")


def _record(event: str) -> None:
    if EVENTS:
        with open(EVENTS, "a") as handle:
            handle.write(f"{event} {os.getpid()}\n")


@app.on_startup
async def started() -> None:
    _record("startup")


@app.on_shutdown
def stopped() -> None:
    _record("shutdown")


@app.before_first_request
def first() -> None:
    _record("first-request")


def _store(rid: str) -> None:
    # A request starts with nothing from an earlier one (same thread, connection...).
    g.fresh = not hasattr(local, "rid") and "rid" not in session
    g.rid = rid
    local.rid = rid
    session["rid"] = rid


def _report(rid: str) -> dict[str, Any]:
    seen = {"g": g.rid, "local": local.rid, "session": session["rid"], "arg": request.view_args}
    ok = (
        g.fresh
        and seen["g"] == seen["local"] == seen["session"] == rid
        and seen["arg"] == {"rid": rid}
    )
    return {"rid": rid, "ok": ok, "seen": seen}


@app.route("/sync/<rid>")
def sync_view(rid: str) -> dict[str, Any]:
    _store(rid)
    time.sleep(0.002)
    return _report(rid)


@app.route("/async/<rid>")
async def async_view(rid: str) -> dict[str, Any]:
    _store(rid)
    await asyncio.sleep(0.002)
    return _report(rid)


@app.route("/health")
def health() -> str:
    return "ok"
