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


@app.route("/diag")
def diag() -> dict[str, Any]:
    """How many idents hold a pushed context right now (this request's own included)."""
    from ctxcore import live_idents
    from ctxcore._stacks import stacks_for

    stacks = stacks_for(app.ident)
    return {"request": live_idents(stacks.request), "app": live_idents(stacks.app)}


@app.route("/echo", methods=["POST"])
def echo() -> dict[str, Any]:
    data = request.get_data()
    return {"length": len(data), "json": request.get_json(silent=True)}


@app.route("/stream/<int:count>")
def stream(count: int) -> Any:
    from ctxcore import stream_with_context

    @stream_with_context
    def generate() -> Any:
        for i in range(count):
            time.sleep(0.001)
            yield f"{request.path}:{i};"

    return generate()


@app.route("/teardown-fails")
def teardown_fails() -> str:
    g.fail_teardown = True
    return "answered"


@app.route("/stream-fails")
def stream_fails() -> Any:
    def generate() -> Any:
        yield b"first;"
        raise ValueError("the body broke after its first chunk")

    return generate()


@app.teardown_request
def maybe_fail(exc: BaseException | None) -> None:
    if g.get("fail_teardown"):
        raise ValueError("teardown broke after the response went out")


def _build_ident_app(ident: str) -> App:
    other = App(f"{__name__}.{ident}", ident=ident)  # type: ignore[arg-type]
    other.config["SECRET_KEY"] = "stress-test-secret"
    ident_local = Local(ident=ident)  # type: ignore[arg-type]

    @other.route("/sync/<rid>")
    def view(rid: str) -> dict[str, Any]:
        fresh = not hasattr(ident_local, "rid")
        g.rid = rid
        ident_local.rid = rid
        session["rid"] = rid
        time.sleep(0.002)
        seen = {"g": g.rid, "local": ident_local.rid, "session": session["rid"]}
        ok = fresh and seen["g"] == seen["local"] == seen["session"] == rid
        ident_local.__release_local__()  # a thread/greenlet Local is not per request
        return {"rid": rid, "ok": ok, "seen": seen}

    return other


greenlet_app = _build_ident_app("greenlet")
thread_app = _build_ident_app("thread")
