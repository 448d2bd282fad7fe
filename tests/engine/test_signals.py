"""Signals: what is sent, in which order, with what — as Flask sends them — and where.

The same app is written for Flask and for ctxcore; both must send the same signals in
the same order for the same requests. Under ASGI, sync receivers run where the request's
other sync code runs (its worker thread, never the loop).
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import flask
import flask.signals
import httpx
import pytest

import ctxcore
import ctxcore.signals
from ctxcore import App

if sys.version_info < (3, 11):
    from exceptiongroup import ExceptionGroup

NAMES = [
    "request_started",
    "request_finished",
    "got_request_exception",
    "request_tearing_down",
    "appcontext_pushed",
    "appcontext_popped",
    "appcontext_tearing_down",
    "message_flashed",
]


def build(framework: Any, app_class: Any) -> Any:
    app = app_class(__name__)
    app.secret_key = "signals"
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/ok")
    def ok() -> str:
        framework.flash("hello", "info")
        return "ok"

    @app.route("/fail")
    def fail() -> str:
        raise LookupError("view failed")

    @app.route("/async")
    async def async_view() -> str:
        await asyncio.sleep(0)
        return "async"

    return app


@pytest.fixture
def recorder() -> Iterator[Callable[[Any, Any], list[tuple[str, dict[str, Any]]]]]:
    connected: list[tuple[Any, Any]] = []

    def record(module: Any, app: Any) -> list[tuple[str, dict[str, Any]]]:
        seen: list[tuple[str, dict[str, Any]]] = []
        for name in NAMES:

            def receiver(sender: Any, _name: str = name, **kwargs: Any) -> None:
                assert sender is app
                seen.append((_name, kwargs))

            signal = getattr(module, name)
            signal.connect(receiver, app)
            connected.append((signal, receiver))
        return seen

    yield record
    for signal, receiver in connected:
        signal.disconnect(receiver)


def summary(seen: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Signal names with the type of what came along (responses differ by class)."""
    out = []
    for name, kwargs in seen:
        detail = ",".join(
            f"{key}={type(value).__name__}" if key != "exc" else f"exc={value!r}"
            for key, value in sorted(kwargs.items())
            if key not in ("response",)
        )
        if "response" in kwargs:
            detail += f"status={kwargs['response'].status_code}"
        out.append(f"{name}({detail})")
    return out


@pytest.mark.parametrize("path", ["/ok", "/fail", "/nowhere", "/async"])
def test_ctxcore_sends_what_flask_sends_in_the_same_order(path: str, recorder: Any) -> None:
    flask_app = build(flask, flask.Flask)
    ours = build(ctxcore, App)
    flask_seen = recorder(flask.signals, flask_app)
    our_seen = recorder(ctxcore.signals, ours)
    flask_status = flask_app.test_client().get(path).status_code
    our_status = ours.test_client().get(path).status_code
    assert our_status == flask_status
    assert summary(our_seen) == summary(flask_seen)
    assert our_seen, "no signal was sent"


def test_the_error_and_the_response_reach_the_receivers(recorder: Any) -> None:
    app = build(ctxcore, App)
    recorded = recorder(ctxcore.signals, app)
    app.test_client().get("/fail")
    seen = dict(recorded)
    error = seen["got_request_exception"]["exception"]
    assert isinstance(error, LookupError)
    assert seen["request_tearing_down"]["exc"] is error
    assert seen["request_finished"]["response"].status_code == 500


def test_message_flashed_carries_the_message_and_category(recorder: Any) -> None:
    app = build(ctxcore, App)
    recorded = recorder(ctxcore.signals, app)
    app.test_client().get("/ok")
    seen = dict(recorded)
    assert seen["message_flashed"] == {"message": "hello", "category": "info"}


def test_receivers_see_the_request_and_g_while_it_is_active() -> None:
    app = build(ctxcore, App)
    seen: list[str] = []

    def started(sender: Any, **kwargs: Any) -> None:
        ctxcore.g.started = True
        seen.append(f"started {ctxcore.request.path}")

    def tearing_down(sender: Any, **kwargs: Any) -> None:
        seen.append(f"tearing down {ctxcore.request.path} g={ctxcore.g.started}")

    with (
        ctxcore.signals.request_started.connected_to(started, app),
        ctxcore.signals.request_tearing_down.connected_to(tearing_down, app),
    ):
        app.test_client().get("/ok")
    assert seen == ["started /ok", "tearing down /ok g=True"]


def test_a_receiver_for_another_app_is_not_called() -> None:
    app, other = build(ctxcore, App), build(ctxcore, App)
    calls: list[Any] = []
    with ctxcore.signals.request_started.connected_to(calls.append, other):
        app.test_client().get("/ok")
        assert calls == []
        other.test_client().get("/ok")
    assert calls == [other]


def test_async_receivers_run_to_completion() -> None:
    app = build(ctxcore, App)
    done: list[str] = []

    async def finished(sender: Any, response: Any, **kwargs: Any) -> None:
        await asyncio.sleep(0)
        done.append(response.get_data(as_text=True))

    with ctxcore.signals.request_finished.connected_to(finished, app):
        app.test_client().get("/ok")
    assert done == ["ok"]


def test_a_failing_teardown_receiver_is_raised_with_the_teardown_errors() -> None:
    app = build(ctxcore, App)
    app.config["PROPAGATE_EXCEPTIONS"] = True

    @app.teardown_request
    def failing(exc: BaseException | None) -> None:
        raise ValueError("teardown")

    def receiver(sender: Any, **kwargs: Any) -> None:
        raise KeyError("receiver")

    ctx = app.test_request_context("/ok")
    ctx.push()
    with (
        ctxcore.signals.request_tearing_down.connected_to(receiver, app),
        pytest.raises(ExceptionGroup) as caught,
    ):
        ctx.pop()
    assert not ctxcore.has_request_context()
    assert {type(e) for e in caught.value.exceptions} == {ValueError, KeyError}


def test_under_asgi_sync_receivers_run_on_the_request_thread_not_the_loop() -> None:
    app = build(ctxcore, App)
    threads: dict[str, int] = {}

    def note(name: str) -> Callable[..., None]:
        def receiver(sender: Any, **kwargs: Any) -> None:
            threads[name] = threading.get_ident()

        return receiver

    @app.before_request
    def before() -> None:
        threads["before_request"] = threading.get_ident()

    receivers = {name: note(name) for name in ("request_started", "request_finished")}

    async def main() -> int:
        for name, receiver in receivers.items():
            getattr(ctxcore.signals, name).connect(receiver, app)
        try:
            transport = httpx.ASGITransport(app=app.asgi)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                threads["loop"] = threading.get_ident()
                response = await client.get("/ok")
                return response.status_code
        finally:
            for name, receiver in receivers.items():
                getattr(ctxcore.signals, name).disconnect(receiver)

    assert asyncio.run(main()) == 200
    assert threads["request_started"] == threads["before_request"] == threads["request_finished"]
    assert threads["request_started"] != threads["loop"]


def test_no_receiver_means_no_send() -> None:
    # Nothing listens: the engine must not call send at all (it is not free).
    app = build(ctxcore, App)
    sends: list[str] = []
    originals = {}
    for name in NAMES:
        signal = getattr(ctxcore.signals, name)
        originals[name] = signal.send
        signal.send = lambda *a, _n=name, **k: sends.append(_n)  # type: ignore[method-assign]
    try:
        for path in ("/ok", "/fail", "/nowhere"):
            app.test_client().get(path)
    finally:
        for name in NAMES:
            getattr(ctxcore.signals, name).send = originals[name]  # type: ignore[method-assign]
    assert sends == []
