"""Hooks and error handlers: order, short-circuits, scoping, and failures."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from werkzeug.exceptions import NotFound

from ctxcore import App, Response, after_this_request, g, request
from tests.backends import Backend, Worker


def test_before_first_request_runs_once_under_concurrent_first_requests() -> None:
    app = App(__name__)
    calls: list[int] = []

    @app.before_first_request
    def warm_up() -> None:
        calls.append(threading.get_ident())
        time.sleep(0.05)  # widen the race window

    app.add_url_rule("/", "index", lambda: "ok")
    barrier = threading.Barrier(16)

    def first_request(_: int) -> int:
        barrier.wait(10)
        return int(app.test_client().get("/").status_code)

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(first_request, range(16)))
    assert statuses == [200] * 16
    assert len(calls) == 1


def test_before_first_request_once_in_every_backend(backend: Backend) -> None:
    app = App(__name__)
    calls: list[str] = []
    app.before_first_request(lambda: calls.append("warm"))
    app.add_url_rule("/", "index", lambda: "ok")

    def worker() -> Worker:
        yield
        return app.test_client().get("/").status_code

    assert backend.run([worker() for _ in range(8)]) == [200] * 8
    assert calls == ["warm"]


def test_async_before_first_request_hook() -> None:
    app = App(__name__)
    calls: list[str] = []

    @app.before_first_request
    async def warm_up() -> None:
        calls.append("async warm")

    app.add_url_rule("/", "index", lambda: "ok")
    client = app.test_client()
    client.get("/")
    client.get("/")
    assert calls == ["async warm"]


def test_before_request_short_circuits_and_after_request_runs_in_reverse() -> None:
    app = App(__name__)
    order: list[str] = []

    @app.before_request
    def first() -> None:
        order.append("before 1")

    @app.before_request
    def gate() -> Any:
        order.append("before 2")
        if request.args.get("deny"):
            return "denied", 403
        return None

    @app.after_request
    def after_a(response: Response) -> Response:
        order.append("after a")
        return response

    @app.after_request
    def after_b(response: Response) -> Response:
        order.append("after b")
        response.headers["X-After"] = "b"
        return response

    @app.route("/")
    def view() -> str:
        order.append("view")

        @after_this_request
        def tag(response: Response) -> Response:
            order.append("after this")
            return response

        return "ok"

    client = app.test_client()
    assert client.get("/").headers["X-After"] == "b"
    assert order == ["before 1", "before 2", "view", "after this", "after b", "after a"]
    order.clear()
    denied = client.get("/?deny=1")
    assert denied.status_code == 403
    assert order == ["before 1", "before 2", "after b", "after a"]


def test_teardown_hooks_get_the_error_and_all_run() -> None:
    app = App(__name__)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    seen: list[Any] = []
    app.teardown_request(lambda exc: seen.append(("request", type(exc).__name__)))
    app.teardown_appcontext(lambda exc: seen.append(("app", type(exc).__name__)))

    @app.route("/boom")
    def boom() -> str:
        raise KeyError("x")

    assert app.test_client().get("/boom").status_code == 500
    assert seen == [("request", "KeyError"), ("app", "KeyError")]


def test_error_handlers_by_code_and_class_with_mro() -> None:
    app = App(__name__)

    class AppError(Exception):
        pass

    class Specific(AppError):
        pass

    @app.errorhandler(404)
    def not_found(exc: NotFound) -> tuple[str, int]:
        return f"custom 404 {request.path}", 404

    @app.errorhandler(AppError)
    def app_error(exc: AppError) -> tuple[str, int]:
        return f"handled {type(exc).__name__}", 409

    @app.route("/raise")
    def raising() -> str:
        raise Specific

    client = app.test_client()
    assert client.get("/missing").get_data(as_text=True) == "custom 404 /missing"
    response = client.get("/raise")
    assert (response.status_code, response.get_data(as_text=True)) == (409, "handled Specific")


@pytest.mark.parametrize("where", ["view", "before_request", "after_request"])
def test_failures_become_500_through_the_500_handler(where: str) -> None:
    app = App(__name__)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.errorhandler(500)(lambda exc: (f"oops: {type(exc.original_exception).__name__}", 500))

    def fail(*args: Any) -> Any:
        raise ValueError(where)

    if where == "before_request":
        app.before_request(fail)
    elif where == "after_request":
        app.after_request(fail)
    app.add_url_rule("/", "view", fail if where == "view" else (lambda: "ok"))
    response = app.test_client().get("/")
    assert response.status_code == 500
    assert response.get_data(as_text=True) == "oops: ValueError"


def test_unhandled_errors_propagate_in_testing_mode() -> None:
    app = App(__name__)
    app.config["TESTING"] = True

    @app.route("/")
    def view() -> str:
        raise LookupError("seen by the test")

    with pytest.raises(LookupError, match="seen by the test"):
        app.test_client().get("/")


def test_handler_can_be_async_and_hooks_see_g() -> None:
    app = App(__name__)

    @app.before_request
    async def load() -> None:
        g.user = "ada"

    @app.errorhandler(ZeroDivisionError)
    async def handle(exc: Exception) -> tuple[str, int]:
        return f"{g.user}: {exc}", 400

    app.add_url_rule("/", "view", lambda: 1 / 0)
    response = app.test_client().get("/")
    assert response.get_data(as_text=True) == "ada: division by zero"
