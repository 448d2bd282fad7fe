"""The todo example written for Flask, ported by changing its imports, passes the same tests.

``examples/todo_flask`` is a Flask app (sqlite in ``g`` closed in teardown, a login
session, blueprints, error handlers, a streamed export, a template with flashed
messages, a static file, an ``init-db`` command). ``examples/todo_ctxcore`` must differ
from it in import lines only. Both then pass the same in-process tests, the same
command line, and the same users at once (10; 50 in the slow group) through real
servers: gunicorn (gthread and gevent workers) and uvicorn (ctxcore through
``app.asgi`` on uvloop; Flask through uvicorn's WSGI interface). Under every server each
response says which thread opened its sqlite connection and which ran its
``after_request`` hook: they must match (sqlite itself refuses a connection used from
another thread, which would show as an error)."""

from __future__ import annotations

import difflib
import importlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.adapters.servers import _spawned, free_port
from tests.sizes import sizes

from .todo_client import run_users

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
PACKAGES = ["todo_flask", "todo_ctxcore"]


def _is_import(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(("from ", "import ")) or stripped in (")", "(")


def test_the_port_changes_imports_and_nothing_else() -> None:
    flask_dir, ported_dir = EXAMPLES / "todo_flask", EXAMPLES / "todo_ctxcore"
    flask_files = sorted(p.relative_to(flask_dir) for p in flask_dir.rglob("*") if p.is_file())
    ported_files = sorted(p.relative_to(ported_dir) for p in ported_dir.rglob("*") if p.is_file())
    flask_files = [p for p in flask_files if "__pycache__" not in p.parts]
    ported_files = [p for p in ported_files if "__pycache__" not in p.parts]
    assert flask_files == ported_files
    changed: list[str] = []
    for relative in flask_files:
        before = (flask_dir / relative).read_text().splitlines()
        after = (ported_dir / relative).read_text().splitlines()
        for line in difflib.unified_diff(before, after, lineterm="", n=0):
            if line.startswith(("---", "+++", "@@")):
                continue
            changed.append(line[1:])
    # The one line besides imports: the class is called App, not Flask.
    others = [line for line in changed if not _is_import(line)]
    assert others == [
        "    app = Flask(__name__, instance_relative_config=True)",
        "    app = App(__name__, instance_relative_config=True)",
    ]
    assert any("from ctxcore import" in line for line in changed)


@pytest.fixture(params=PACKAGES)
def package(request: pytest.FixtureRequest, copied: Path) -> Iterator[Any]:
    sys.path.insert(0, str(copied))
    try:
        yield importlib.import_module(request.param)
    finally:
        sys.path.remove(str(copied))
        for name in [m for m in sys.modules if m.split(".")[0] in PACKAGES]:
            del sys.modules[name]


@pytest.fixture
def app(package: Any, tmp_path: Path) -> Any:
    app = package.create_app({"TESTING": True, "DATABASE": str(tmp_path / "todo.sqlite")})
    # A plain click command added to app.cli runs in the context the caller gives it.
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Initialized the database." in result.output
    return app


def test_the_whole_app_in_process(app: Any) -> None:
    client = app.test_client()
    creds = {"username": "ann", "password": "secret"}
    assert client.post("/auth/register", json=creds).status_code == 201
    assert client.post("/auth/register", json=creds).status_code == 409  # error handler
    assert client.post("/auth/register", json={}).get_json() == {
        "error": "Bad Request",
        "status": 400,
    }
    assert client.get("/todos/").status_code == 401
    assert client.post("/auth/login", json={**creds, "password": "no"}).status_code == 401
    with client:
        assert client.post("/auth/login", json=creds).get_json() == {"user": "ann"}
        framework = importlib.import_module(type(app).__module__.split(".")[0])
        assert framework.session["user_id"] == 1
    made = client.post("/todos/", json={"title": "<b>milk</b>"})
    assert made.status_code == 201
    assert made.headers["Location"] == "/todos/1"
    assert client.post("/todos/", json={}).status_code == 400
    assert client.patch("/todos/1", json={"done": True}).get_json()["done"] is True
    assert client.get("/todos/").get_json()["todos"] == [
        {"id": 1, "title": "<b>milk</b>", "done": True}
    ]
    export = client.get("/todos/export")
    assert export.mimetype == "application/x-ndjson"
    assert export.get_data(as_text=True) == '{"id": 1, "title": "<b>milk</b>", "done": true}\n'
    page = client.get("/").get_data(as_text=True)
    assert '<p class="flash">Welcome, ann!</p>' in page
    assert "ann's todos" in page
    assert '<li class="done">&lt;b&gt;milk&lt;/b&gt;</li>' in page  # autoescaped
    assert "/static/style.css" in page
    assert "Welcome" not in client.get("/").get_data(as_text=True)  # shown once
    css = client.get("/static/style.css")
    assert css.status_code == 200
    assert css.mimetype == "text/css"
    assert b".done" in css.get_data()
    css.close()  # a file response: Flask's client leaves it open
    assert client.get("/nowhere").get_json() == {"error": "Not Found", "status": 404}
    assert client.delete("/todos/1").status_code == 204
    assert client.get("/todos/1").status_code == 404
    assert client.post("/auth/logout").get_json() == {"user": None}
    assert client.get("/todos/").status_code == 401


@pytest.mark.parametrize(
    ("command", "package"),
    [(["flask", "--app", "todo_flask"], "todo_flask"), (["ctxcore", "--app", "todo_ctxcore"], "")],
    ids=["flask", "ctxcore"],
)
def test_the_init_db_command_line(copied: Path, command: list[str], package: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", *command, "init-db"],
        cwd=copied,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Initialized the database."
    database = copied / "instance" / "todo.sqlite"
    with closing(sqlite3.connect(database)) as db:  # closed: 3.13 warns on an unclosed one
        tables = db.execute("SELECT name FROM sqlite_master").fetchall()
    assert {"user", "todo"} <= {name for (name,) in tables}


def _fresh_database(path: Path) -> None:
    with closing(sqlite3.connect(path)) as db:
        db.executescript((EXAMPLES / "todo_flask" / "schema.sql").read_text())


# gunicorn closes a keep-alive connection idle for 2 s: on a busy machine a user's next
# request can meet that close (httpx does not resend a POST). Longer than any pause here.
GUNICORN = ["-m", "gunicorn", "-w", "1", "--keep-alive", "30"]
SERVERS = {
    "gunicorn-gthread": [*GUNICORN, "-k", "gthread", "--threads", "8"],
    "gunicorn-gevent": [*GUNICORN, "-k", "gevent"],
    "uvicorn": ["-m", "uvicorn", "--no-access-log"],
}


def _command(server: str, package: str, port: int) -> list[str]:
    module = "wsgi_flask" if package == "todo_flask" else "wsgi_ctxcore"
    args = [sys.executable, *SERVERS[server]]
    if server.startswith("gunicorn"):
        return [*args, "-b", f"127.0.0.1:{port}", f"{module}:app"]
    if package == "todo_flask":
        return [*args, "--interface", "wsgi", "--port", str(port), f"{module}:app"]
    return [*args, "--loop", "uvloop", "--port", str(port), f"{module}:app.asgi"]


@pytest.mark.parametrize("users", sizes(10, 50))
@pytest.mark.parametrize("server", sorted(SERVERS))
@pytest.mark.parametrize("package", PACKAGES)
def test_users_at_once_under_real_servers(
    copied: Path, tmp_path: Path, package: str, server: str, users: int
) -> None:
    """10 users at once in the default run, 50 in the slow group."""
    database = tmp_path / "served.sqlite"
    _fresh_database(database)
    port = free_port()
    env = {
        "TODO_DATABASE": str(database),
        "PYTHONPATH": os.pathsep.join([str(copied), str(ROOT)]),
    }
    log = tmp_path / "server.log"
    with _spawned(package, _command(server, package, port), port, env, log_to=log):
        outcome = run_users(f"http://127.0.0.1:{port}", users)
        server_log = log.read_text(errors="replace")
    assert outcome.failures == []
    assert outcome.requests == users * 11
    # Every response's sqlite connection was opened on the thread that ran its
    # after_request hook (the same request's sync code, one thread).
    opened = [pair for pair in outcome.thread_pairs if pair[0] != "None"]
    assert len(opened) >= users * 9
    assert [pair for pair in opened if pair[0] != pair[1]] == []
    assert "Traceback" not in server_log, server_log[-3000:]
