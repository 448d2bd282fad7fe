"""Flask-Migrate on ctxcore: ``db init``, ``db migrate``, ``db upgrade`` and ``db
downgrade`` through the app's command line, against a real sqlite file."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

import ctxcore

# Flask-Migrate's generated env.py calls Flask-SQLAlchemy's get_engine() first (for
# Flask-SQLAlchemy 2), which warns on 3.1 before falling back: the same under Flask.
pytestmark = pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")


@pytest.fixture
def make_app() -> Iterator[Callable[[Path], ctxcore.App]]:
    """Builds the test app; its engine is disposed after the test (Python 3.13 warns
    about sqlite connections left to the garbage collector)."""
    made: list[ctxcore.App] = []

    def make(database: Path) -> ctxcore.App:
        made.append(build_app(database))
        return made[-1]

    yield make
    for app in made:
        with app.app_context():
            app.extensions["sqlalchemy"].engine.dispose()


def build_app(database: Path) -> ctxcore.App:
    from flask_migrate import Migrate
    from flask_sqlalchemy import SQLAlchemy

    app = ctxcore.App(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"
    db = SQLAlchemy(app)

    class Note(db.Model):  # type: ignore[name-defined, misc]
        id = db.Column(db.Integer, primary_key=True)
        text = db.Column(db.String(200), nullable=False)

    Migrate(app, db)
    return app


def invoke(app: ctxcore.App, *args: str) -> Any:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def tables(database: Path) -> set[str]:
    with closing(sqlite3.connect(database)) as db:
        return {name for (name,) in db.execute("SELECT name FROM sqlite_master")}


def test_init_migrate_upgrade_creates_the_tables(
    tmp_path: Path, make_app: Callable[[Path], ctxcore.App]
) -> None:
    database, migrations = tmp_path / "app.sqlite", str(tmp_path / "migrations")
    app = make_app(database)
    invoke(app, "db", "init", "--directory", migrations)
    invoke(app, "db", "migrate", "--directory", migrations, "-m", "notes")
    versions = list((tmp_path / "migrations" / "versions").glob("*_notes.py"))
    assert len(versions) == 1
    assert "op.create_table('note'" in versions[0].read_text()
    invoke(app, "db", "upgrade", "--directory", migrations)
    assert {"note", "alembic_version"} <= tables(database)


def test_downgrade_drops_them_again(
    tmp_path: Path, make_app: Callable[[Path], ctxcore.App]
) -> None:
    database, migrations = tmp_path / "app.sqlite", str(tmp_path / "migrations")
    app = make_app(database)
    invoke(app, "db", "init", "--directory", migrations)
    invoke(app, "db", "migrate", "--directory", migrations)
    invoke(app, "db", "upgrade", "--directory", migrations)
    invoke(app, "db", "downgrade", "--directory", migrations)
    assert "note" not in tables(database)


def test_db_is_listed_with_the_apps_commands(
    tmp_path: Path, make_app: Callable[[Path], ctxcore.App]
) -> None:
    output = invoke(make_app(tmp_path / "app.sqlite"), "--help").output
    assert "db" in output.split()
