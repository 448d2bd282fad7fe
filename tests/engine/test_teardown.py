"""Teardown runs inside its context: request, session and g stay readable until it ends."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest

from ctxcore import App, current_app, g, has_app_context, has_request_context, request, session

if sys.version_info < (3, 11):
    from exceptiongroup import ExceptionGroup


@pytest.fixture
def app() -> App:
    app = App(__name__)
    app.config["SECRET_KEY"] = "test"
    return app


def test_teardown_request_sees_request_session_and_g(app: App) -> None:
    seen: list[Any] = []

    @app.route("/<name>")
    def index(name: str) -> str:
        g.user = name
        session["seen"] = name
        return "ok"

    @app.teardown_request
    def record(exc: BaseException | None) -> None:
        seen.append((request.path, session.get("seen"), g.user, current_app.name))

    assert app.test_client().get("/ada").status_code == 200
    assert seen == [("/ada", "ada", "ada", app.name)]


def test_teardown_appcontext_sees_g_and_current_app(app: App) -> None:
    seen: list[Any] = []
    app.add_url_rule("/", "index", lambda: g.setdefault("db", "conn") and "ok")

    @app.teardown_appcontext
    def close_db(exc: BaseException | None) -> None:
        seen.append((g.pop("db", None), current_app.name))

    assert app.test_client().get("/").status_code == 200
    assert seen == [("conn", app.name)]


def test_teardown_appcontext_runs_after_the_request_is_popped(app: App) -> None:
    """As in Flask: the request is gone by the time the app context tears down."""
    seen: list[bool] = []
    app.add_url_rule("/", "index", lambda: "ok")
    app.teardown_appcontext(lambda exc: seen.append(has_request_context()))
    app.test_client().get("/")
    assert seen == [False]


def test_offline_app_context_teardown_sees_g(app: App) -> None:
    seen: list[Any] = []

    @app.teardown_appcontext
    def close(exc: BaseException | None) -> None:
        seen.append(g.pop("resource"))

    with app.app_context():
        g.resource = "r"
    assert seen == ["r"]


def test_test_request_context_teardown_sees_request(app: App) -> None:
    seen: list[str] = []
    app.teardown_request(lambda exc: seen.append(request.args["q"]))
    with app.test_request_context("/?q=1"):
        pass
    assert seen == ["1"]


def test_context_is_popped_even_when_every_teardown_raises(app: App) -> None:
    def fail(exc: BaseException | None) -> None:
        raise ValueError("teardown")

    app.teardown_request(fail)
    app.teardown_request(fail)
    app.teardown_appcontext(fail)
    ctx = app.test_request_context("/")
    ctx.push()
    with pytest.raises(ExceptionGroup):
        ctx.pop()
    assert not has_request_context()
    with pytest.raises(RuntimeError, match="outside of application context"):
        current_app.name


def test_nested_push_tears_down_once_on_the_last_pop_with_context_active(app: App) -> None:
    seen: list[str] = []
    app.teardown_request(lambda exc: seen.append(request.path))
    ctx = app.test_request_context("/nested")
    ctx.push()
    ctx.push()
    ctx.pop()
    assert seen == []
    ctx.pop()
    assert seen == ["/nested"]


def test_flask_tutorial_close_db_pattern(app: App, tmp_path: Path) -> None:
    """An sqlite connection opened into g and closed in teardown_appcontext, per request."""
    database = tmp_path / "app.db"
    opened: list[sqlite3.Connection] = []
    closed: list[sqlite3.Connection] = []

    def get_db() -> sqlite3.Connection:
        if "db" not in g:
            g.db = sqlite3.connect(database)
            opened.append(g.db)
        return g.db  # type: ignore[no-any-return]

    @app.teardown_appcontext
    def close_db(exc: BaseException | None) -> None:
        db = g.pop("db", None)
        if db is not None:
            db.close()
            closed.append(db)

    @app.route("/count")
    def count() -> dict[str, int]:
        db = get_db()
        db.execute("CREATE TABLE IF NOT EXISTS hits (n INTEGER)")
        db.execute("INSERT INTO hits VALUES (1)")
        db.commit()
        return {"hits": db.execute("SELECT COUNT(*) FROM hits").fetchone()[0]}

    client = app.test_client()
    assert [client.get("/count").json["hits"] for _ in range(3)] == [1, 2, 3]
    assert len(opened) == 3
    assert closed == opened


class Abort(BaseException):
    """Not an Exception: what ``KeyboardInterrupt`` and ``SystemExit`` are."""


@pytest.mark.parametrize("kind", [Abort, KeyboardInterrupt, SystemExit])
def test_a_base_exception_in_teardown_still_runs_the_other_callbacks(kind: type) -> None:
    app = App(__name__)
    ran: list[str] = []

    @app.teardown_request
    def last(exc: BaseException | None) -> None:  # registered first: runs last
        ran.append("last")

    @app.teardown_request
    def failing(exc: BaseException | None) -> None:
        ran.append("failing")
        raise kind("stop")

    @app.teardown_request
    def erroring(exc: BaseException | None) -> None:
        ran.append("erroring")
        raise ValueError("plain error")

    @app.teardown_appcontext
    def close(exc: BaseException | None) -> None:
        ran.append("appcontext")

    ctx = app.test_request_context("/")
    ctx.push()
    with pytest.raises(kind) as caught:
        ctx.pop()
    assert ran == ["erroring", "failing", "last", "appcontext"]
    assert isinstance(caught.value.__context__, ExceptionGroup)
    assert not has_request_context()
    assert not has_app_context()


def test_a_base_exception_in_teardown_under_asgi_runs_the_others_and_pops() -> None:
    app = App(__name__)
    ran: list[str] = []

    @app.route("/")
    def index() -> str:
        return "ok"

    @app.teardown_request
    def last(exc: BaseException | None) -> None:
        ran.append("last")

    @app.teardown_request
    def failing(exc: BaseException | None) -> None:
        ran.append("failing")
        raise Abort("stop")

    async def main() -> Any:
        messages: list[dict[str, Any]] = []
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": "/",
            "raw_path": b"/",
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"t")],
            "server": ("127.0.0.1", 80),
            "client": ("127.0.0.1", 1),
        }
        received = [{"type": "http.request", "body": b"", "more_body": False}]

        async def receive() -> dict[str, Any]:
            if received:
                return received.pop()
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            messages.append(message)

        with pytest.raises(Abort):
            await app.asgi(scope, receive, send)
        return messages

    messages = asyncio.run(main())
    assert messages[0]["status"] == 200
    assert ran == ["failing", "last"]
