"""Teardown runs inside its context: request, session and g stay readable until it ends."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest

from ctxcore import App, current_app, g, has_request_context, request, session

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
