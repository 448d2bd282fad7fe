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


# --- Fault injection (tests/adapters/test_faults.py) -------------------------------
# A separate App, so the hooks below cost nothing to the requests of ``app``. It serves
# some of ``app``'s views again and keeps a ledger of the requests whose context is
# pushed: a request enters it in its first ``before_request`` hook and leaves it in
# ``teardown_appcontext`` (the last step of popping its contexts), so ``/open`` names
# every request that a fault left pushed, whatever ident or server runs it.

import threading  # noqa: E402 - appended section
from itertools import count  # noqa: E402


class Abort(BaseException):
    """A ``KeyboardInterrupt``-like error that is not an ``Exception``."""


fault_app = App(f"{__name__}.faults")
fault_app.config["SECRET_KEY"] = "stress-test-secret"
_OPEN: dict[int, str] = {}  # token -> path of each request whose context is pushed
_SKIPPED: list[str] = []  # requests whose teardown_request callbacks did not all run
_FINISHED: set[int] = set()  # tokens whose last teardown_request callback ran
_tokens = count(1)
_ledger_lock = threading.Lock()


def _fault(kind: str) -> BaseException:
    if kind == "abort":
        return Abort(f"raised on purpose in {request.path}")
    if kind == "generatorexit":
        return GeneratorExit()
    if kind == "keyboardinterrupt":
        return KeyboardInterrupt()
    raise ValueError(f"unknown fault kind {kind!r}")


@fault_app.before_request
def _ledger_open() -> None:
    token = next(_tokens)
    g.fault_token = token
    with _ledger_lock:
        _OPEN[token] = request.path


@fault_app.before_request
def _raise_before() -> None:
    args = request.view_args or {}
    if request.endpoint == "raise_in" and args.get("where") == "before":
        raise _fault(args["kind"])


# teardown_request callbacks run last-registered first: this one runs after the raiser.
@fault_app.teardown_request
def _teardown_finished(exc: BaseException | None) -> None:
    _FINISHED.add(g.fault_token)


@fault_app.teardown_request
def _raise_in_teardown(exc: BaseException | None) -> None:
    kind = g.get("raise_in_teardown")
    if kind:
        raise _fault(kind)


@fault_app.teardown_appcontext
def _ledger_close(exc: BaseException | None) -> None:
    token = g.get("fault_token")
    if token is None:
        return
    with _ledger_lock:
        path = _OPEN.pop(token, None)
        if token not in _FINISHED:
            _SKIPPED.append(path or "?")
        _FINISHED.discard(token)
    _record(f"popped:{path}")  # evidence that outlives a worker that dies next


@fault_app.route("/open")
def open_requests() -> dict[str, Any]:
    """Requests still pushed (this one excluded), and which skipped teardown callbacks."""
    with _ledger_lock:
        others = [path for token, path in _OPEN.items() if token != g.fault_token]
        return {"open": sorted(others), "skipped_teardown": list(_SKIPPED), "pid": os.getpid()}


@fault_app.route("/raise/<kind>/<where>")
def raise_in(kind: str, where: str) -> str:
    if where == "teardown":
        g.raise_in_teardown = kind
        return "answered"
    if where == "view":
        raise _fault(kind)
    return f"nothing raised in {where}"


@fault_app.route("/raise/<kind>/async-view")
async def raise_in_async_view(kind: str) -> str:
    await asyncio.sleep(0)
    raise _fault(kind)


@fault_app.route("/slow-stream")
def slow_stream() -> Any:
    """A streamed body that goes on for a minute unless its client leaves."""
    from ctxcore import stream_with_context

    @stream_with_context
    def generate() -> Any:
        yield b"first;"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _STOP_STREAMS.is_set():
            time.sleep(0.005)
            yield b"y" * 16384

    return generate()


_STOP_STREAMS = threading.Event()


@fault_app.route("/stop-streams")
def stop_streams() -> str:
    """End every ``/slow-stream`` still running (a test's cleanup), and allow new ones."""
    _STOP_STREAMS.set()
    time.sleep(0.1)  # each stream checks between chunks (5 ms)
    _STOP_STREAMS.clear()
    return "stopped"


for _rule, _view, _methods in (
    ("/health", health, ["GET"]),
    ("/diag", diag, ["GET"]),
    ("/echo", echo, ["POST"]),
    ("/sync/<rid>", sync_view, ["GET"]),
    ("/stream-fails", stream_fails, ["GET"]),
):
    fault_app.add_url_rule(_rule, view_func=_view, methods=_methods)
