"""Flask-SQLAlchemy on ctxcore: models, sessions scoped to the app context, helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

import ctxcore


@pytest.fixture
def make_app() -> Iterator[Callable[[], tuple[ctxcore.App, Any, Any]]]:
    """Builds the test app; its engines are disposed after the test (Python 3.13 warns
    about sqlite connections left to the garbage collector)."""
    made: list[tuple[ctxcore.App, Any, Any]] = []

    def make() -> tuple[ctxcore.App, Any, Any]:
        made.append(build_app())
        return made[-1]

    yield make
    for app, db, _ in made:
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()


def build_app() -> tuple[ctxcore.App, Any, Any]:
    from flask_sqlalchemy import SQLAlchemy

    app = ctxcore.App(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    db = SQLAlchemy(app)

    class Item(db.Model):  # type: ignore[name-defined, misc]
        id = db.Column(db.Integer, primary_key=True)
        name = db.Column(db.String, nullable=False)

    @app.post("/items/<name>")
    def add(name: str) -> tuple[dict[str, Any], int]:
        item = Item(name=name)
        db.session.add(item)
        db.session.commit()
        return {"id": item.id}, 201

    @app.get("/items/<int:item_id>")
    def show(item_id: int) -> dict[str, Any]:
        return {"name": db.get_or_404(Item, item_id).name}

    @app.get("/items")
    def page() -> dict[str, Any]:
        found = db.paginate(db.select(Item).order_by(Item.id), per_page=2)
        return {"names": [item.name for item in found.items], "pages": found.pages}

    with app.app_context():
        db.create_all()
    return app, db, Item


def test_create_all_and_queries_run_in_the_app_context(
    make_app: Callable[[], tuple[ctxcore.App, Any, Any]],
) -> None:
    app, db, item = make_app()
    with app.app_context():
        db.session.add(item(name="milk"))
        db.session.commit()
        assert db.session.scalars(db.select(item.name)).all() == ["milk"]


def test_views_write_and_read_through_db_session(
    make_app: Callable[[], tuple[ctxcore.App, Any, Any]],
) -> None:
    app, _, _ = make_app()
    client = app.test_client()
    assert client.post("/items/milk").get_json() == {"id": 1}
    assert client.get("/items/1").get_json() == {"name": "milk"}


def test_get_or_404_answers_404(make_app: Callable[[], tuple[ctxcore.App, Any, Any]]) -> None:
    app, _, _ = make_app()
    assert app.test_client().get("/items/9").status_code == 404


def test_paginate_reads_the_request_args(
    make_app: Callable[[], tuple[ctxcore.App, Any, Any]],
) -> None:
    app, _, _ = make_app()
    client = app.test_client()
    for name in ("a", "b", "c"):
        client.post(f"/items/{name}")
    assert client.get("/items?page=2").get_json() == {"names": ["c"], "pages": 2}


def test_each_app_context_has_its_own_session(
    make_app: Callable[[], tuple[ctxcore.App, Any, Any]],
) -> None:
    app, db, _ = make_app()
    with app.app_context():
        first = db.session()
    with app.app_context():
        second = db.session()
        assert db.session() is second
    assert first is not second
