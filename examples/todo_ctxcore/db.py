"""The sqlite connection of a request, kept in g and closed when the app context ends."""

import sqlite3
import threading
from datetime import datetime

import click
from ctxcore import current_app, g


# Python 3.12 deprecates sqlite3's built-in timestamp converter: register one.
sqlite3.register_converter("timestamp", lambda value: datetime.fromisoformat(value.decode()))


def get_db():
    """The request's connection, opened on first use."""
    if "db" not in g:
        g.db = sqlite3.connect(
            current_app.config["DATABASE"], detect_types=sqlite3.PARSE_DECLTYPES, timeout=30
        )
        g.db.row_factory = sqlite3.Row
        # sqlite refuses a connection used from another thread: record where it was made.
        g.db_thread = threading.get_ident()
    return g.db


def close_db(e=None):
    """Close the connection (sqlite raises if this is not the thread that opened it)."""
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_db():
    """Create the tables, dropping old ones."""
    db = get_db()
    with current_app.open_resource("schema.sql") as f:
        db.executescript(f.read().decode("utf8"))


@click.command("init-db")
def init_db_command():
    """Clear the existing data and create new tables."""
    init_db()
    click.echo("Initialized the database.")


def init_app(app):
    """Register the teardown and the command with the app."""
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
