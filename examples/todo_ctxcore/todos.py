"""The todo list: JSON CRUD, a streamed export, and an HTML page."""

import json
import threading

from ctxcore import (
    Blueprint,
    abort,
    g,
    get_flashed_messages,
    jsonify,
    render_template,
    request,
    stream_with_context,
    url_for,
)

from .auth import login_required
from .db import get_db

bp = Blueprint("todos", __name__, url_prefix="/todos")


def as_dict(row):
    return {"id": row["id"], "title": row["title"], "done": bool(row["done"])}


def own_todo(todo_id):
    row = (
        get_db()
        .execute("SELECT * FROM todo WHERE id = ? AND user_id = ?", (todo_id, g.user["id"]))
        .fetchone()
    )
    if row is None:
        abort(404)
    return row


@bp.get("/")
@login_required
def list_todos():
    rows = (
        get_db()
        .execute("SELECT * FROM todo WHERE user_id = ? ORDER BY id", (g.user["id"],))
        .fetchall()
    )
    return jsonify(user=g.user["username"], todos=[as_dict(row) for row in rows])


@bp.post("/")
@login_required
def create():
    title = (request.get_json(silent=True) or {}).get("title")
    if not title:
        abort(400, "title is required")
    db = get_db()
    cursor = db.execute("INSERT INTO todo (user_id, title) VALUES (?, ?)", (g.user["id"], title))
    db.commit()
    todo_id = cursor.lastrowid
    return (
        jsonify(as_dict(own_todo(todo_id))),
        201,
        {"Location": url_for("todos.show", todo_id=todo_id)},
    )


@bp.get("/<int:todo_id>")
@login_required
def show(todo_id):
    return jsonify(as_dict(own_todo(todo_id)))


@bp.patch("/<int:todo_id>")
@login_required
def update(todo_id):
    own_todo(todo_id)
    done = bool((request.get_json(silent=True) or {}).get("done"))
    db = get_db()
    db.execute("UPDATE todo SET done = ? WHERE id = ?", (int(done), todo_id))
    db.commit()
    return jsonify(as_dict(own_todo(todo_id)))


@bp.delete("/<int:todo_id>")
@login_required
def delete(todo_id):
    own_todo(todo_id)
    db = get_db()
    db.execute("DELETE FROM todo WHERE id = ?", (todo_id,))
    db.commit()
    return "", 204


@bp.get("/export")
@login_required
def export():
    """The todos as JSON lines, read from the database while the response streams."""
    user_id = g.user["id"]

    @stream_with_context
    def generate():
        for row in get_db().execute("SELECT * FROM todo WHERE user_id = ? ORDER BY id", (user_id,)):
            yield json.dumps(as_dict(row)) + "\n"

    return generate(), {"Content-Type": "application/x-ndjson"}


@bp.after_app_request
def where(response):
    """Say which thread opened the request's connection and which runs this hook."""
    opened = g.get("db_thread")
    response.headers["X-Threads"] = f"{opened}:{threading.get_ident()}"
    return response


def index():
    """The HTML page: the user's todos and the flashed messages."""
    todos = []
    if g.user is not None:
        todos = (
            get_db()
            .execute("SELECT * FROM todo WHERE user_id = ? ORDER BY id", (g.user["id"],))
            .fetchall()
        )
    return render_template("index.html", todos=todos, messages=get_flashed_messages())
