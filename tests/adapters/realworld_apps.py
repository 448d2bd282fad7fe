"""A Flask-style app as users port them, with thread-bound databases, for real servers.

Three parts, each set up the way Flask tutorials and extensions do it:

* ``/sqlite/...`` — the Flask tutorial's ``db.py``: :func:`get_db` opens
  ``sqlite3.connect(path)`` into ``g.db`` on first use, ``teardown_appcontext`` closes
  it. sqlite refuses a connection used from a thread other than the one that opened it
  ("SQLite objects created in a thread can only be used in that same thread"), so a
  request whose sync code hops threads fails here.
* ``/orm/...`` — SQLAlchemy: ``scoped_session(sessionmaker(bind=engine))`` (sessions
  keyed by thread), used in ``before_request`` and the views, ``Session.remove()`` in
  ``teardown_appcontext``. The engine keeps sqlite thread-bound
  (``check_same_thread=True``, which SQLAlchemy turns off by default for file
  databases, and no pool sharing connections between threads). Each request tags the
  session it gets; a session already tagged by another request is a stale one.
* ``/slow/...`` — a blueprint whose ``teardown_request`` sleeps until ``/ping`` lets it
  go (at most ``SLOW_TEARDOWN`` seconds).

Each route has a sync JSON view, an ``async def`` view (it only reads ``g``, which the
sync hooks filled: sqlite or a thread-keyed session on the event loop's thread would be
the user's mistake, not the server's) and a sync streaming view (a generator wrapped in
``stream_with_context`` reading a cursor chunk by chunk).

Every piece of sync code of a request (hooks, view, each generator chunk, teardown)
records ``threading.get_ident()``; ``GET /report`` returns the records, the errors
seen (exceptions in hooks, errors ctxcore or SQLAlchemy logged) and stale sessions, so
the tests check: one thread per request, never the event loop's.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import closing
from typing import Any

from sqlalchemy import Integer, NullPool, String, create_engine, func, select
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    scoped_session,
    sessionmaker,
)

from ctxcore import (
    App,
    Blueprint,
    Response,
    g,
    has_app_context,
    request,
    stream_with_context,
)

DB_PATH = os.environ.get("CTXCORE_REALWORLD_DB") or os.path.join(
    tempfile.gettempdir(), f"ctxcore-realworld-{os.getpid()}.sqlite"
)
#: The rows every streaming view sends, in chunks of STREAM_CHUNK.
SEED_ROWS = [(n, f"label-{n:03d}") for n in range(50)]
STREAM_CHUNK = 5
#: The longest a slow teardown sleeps before ``/ping`` lets it go.
SLOW_TEARDOWN = 5.0

app = App(__name__)
app.config["SECRET_KEY"] = "realworld-test-secret"

# -- what the tests read back ------------------------------------------------------------

_lock = threading.Lock()
#: rid -> {"stages": [[stage, thread ident, monotonic time, thread name]], "errors": [...],
#: "stale": [...]}
RECORDS: dict[str, dict[str, list[Any]]] = {}
#: Errors logged outside any request with an id.
UNATTRIBUTED: list[str] = []
#: The event loop's thread (ASGI servers only: set by the lifespan startup hook).
LOOP: dict[str, Any] = {"ident": None, "name": None}
#: How many slow teardowns are sleeping right now, and whether ``/ping`` let them go.
SLOW: dict[str, int] = {"sleeping": 0, "released": 0}


def _entry(rid: str) -> dict[str, list[Any]]:
    entry = RECORDS.get(rid)
    if entry is None:
        entry = RECORDS[rid] = {"stages": [], "errors": [], "stale": []}
    return entry


def current_rid() -> str | None:
    if not has_app_context():
        return None
    rid: str | None = g.get("rid")
    return rid


def record(stage: str) -> None:
    """Note that ``stage`` of the current request runs now, on this thread."""
    rid = current_rid()
    if rid is None:
        return
    thread = threading.current_thread()
    with _lock:
        _entry(rid)["stages"].append([stage, threading.get_ident(), time.monotonic(), thread.name])


def note(kind: str, message: str, rid: str | None = None) -> None:
    """Keep an error (``kind="errors"``) or a stale session (``kind="stale"``)."""
    rid = rid or current_rid()
    with _lock:
        if rid is None:
            UNATTRIBUTED.append(message)
        else:
            _entry(rid)[kind].append(message)


def note_exception(where: str, exc: BaseException) -> None:
    tail = "".join(traceback.format_exception(exc)[-3:])
    note("errors", f"{where}: {type(exc).__name__}: {exc}\n{tail}")


class _KeepErrors(logging.Handler):
    """Errors that ctxcore (teardown, streaming) or SQLAlchemy's pool only log."""

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            text += f" [{type(exc).__name__}: {exc}]"
        note("errors", f"logged by {record.name}: {text}")


_keep_errors = _KeepErrors(logging.ERROR)
for _name in (app.logger.name, "sqlalchemy.pool", "sqlalchemy.engine"):
    logging.getLogger(_name).addHandler(_keep_errors)


@app.on_startup
async def remember_loop() -> None:
    LOOP["ident"] = threading.get_ident()
    LOOP["name"] = threading.current_thread().name


# Registered first, so it runs last (teardown_appcontext callbacks run in reverse).
@app.teardown_appcontext
def request_done(exc: BaseException | None) -> None:
    record("done")


@app.before_request
def start_request() -> None:
    rid = (request.view_args or {}).get("rid")
    if rid is not None:
        g.rid = rid
        record("before_request")


@app.teardown_request
def check_request(exc: BaseException | None) -> None:
    record("teardown_request")
    if exc is not None:
        note_exception("request failed", exc)
    rid = (request.view_args or {}).get("rid")
    if rid is not None and g.get("rid") != rid:
        note("errors", f"teardown sees g.rid={g.get('rid')!r} for request {rid!r}", rid)


@app.errorhandler(500)
def server_error(error: Any) -> tuple[dict[str, Any], int]:
    original = getattr(error, "original_exception", None) or error
    note_exception("500", original)
    return {"error": f"{type(original).__name__}: {original}"}, 500


@app.get("/report")
def report() -> dict[str, Any]:
    with _lock:
        records = {rid: {k: list(v) for k, v in entry.items()} for rid, entry in RECORDS.items()}
        unattributed = list(UNATTRIBUTED)
    return {
        "pid": os.getpid(),
        "loop": dict(LOOP),
        "records": records,
        "unattributed": unattributed,
    }


@app.get("/ping")
async def ping() -> dict[str, Any]:
    """How many slow teardowns sleep, once ``?teardowns=N`` of them do (or 5 s passed);
    then lets them all go."""
    wanted = request.args.get("teardowns", 0, type=int)
    deadline = time.monotonic() + 5
    while SLOW["sleeping"] < wanted and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    sleeping = SLOW["sleeping"]
    SLOW["released"] = 1
    return {"sleeping": sleeping}


def _stream_lines(rid: str, batches: Iterator[list[tuple[int, str]]]) -> Iterator[str]:
    """The body every streaming view sends: a header, the rows, an end line (uses g)."""
    yield f"start {rid}\n"
    count = 0
    for rows in batches:
        record("chunk")
        count += len(rows)
        yield "".join(f"{n} {label}\n" for n, label in rows)
        time.sleep(0.001)  # let other requests' chunks run in between
    record("chunk")
    yield f"end {rid} {g.rid} {count}\n"


def expected_stream(rid: str) -> str:
    rows = "".join(f"{n} {label}\n" for n, label in SEED_ROWS)
    return f"start {rid}\n{rows}end {rid} {rid} {len(SEED_ROWS)}\n"


# -- part 1: sqlite, as in the Flask tutorial ---------------------------------------------

SCHEMA = """
CREATE TABLE IF NOT EXISTS seed (n INTEGER PRIMARY KEY, label VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS hits (
    id INTEGER PRIMARY KEY AUTOINCREMENT, rid TEXT NOT NULL, note TEXT NOT NULL
);
"""


def init_db(path: str) -> None:
    """``flask init-db``: the schema and the seed rows (WAL, so readers never block writers)."""
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(SCHEMA)
        db.executemany("INSERT OR IGNORE INTO seed (n, label) VALUES (?, ?)", SEED_ROWS)
        db.commit()


def get_db() -> sqlite3.Connection:
    if "db" not in g:
        g.db = sqlite3.connect(DB_PATH)  # check_same_thread: the default, True
    db: sqlite3.Connection = g.db
    return db


def close_db(exc: BaseException | None) -> None:
    record("close_db")
    db = g.pop("db", None)
    if db is not None:
        try:
            db.close()
        except Exception as error:
            note_exception("close_db", error)
            raise


sqlite_bp = Blueprint("sqlite", __name__, url_prefix="/sqlite")


@sqlite_bp.before_request
def load_seed_count() -> None:
    record("sqlite_before_request")
    g.seed_count = get_db().execute("SELECT count(*) FROM seed").fetchone()[0]


@sqlite_bp.post("/items/<rid>")
def sqlite_items(rid: str) -> dict[str, Any]:
    record("view")
    note_text = request.get_json()["note"]
    db = get_db()
    db.execute("INSERT INTO hits (rid, note) VALUES (?, ?)", (rid, note_text))
    db.commit()
    rows = db.execute("SELECT rid, note FROM hits WHERE rid = ?", (rid,)).fetchall()
    return {"rid": rid, "g_rid": g.rid, "rows": rows, "seed_count": g.seed_count}


@sqlite_bp.get("/async/<rid>")
async def sqlite_async(rid: str) -> dict[str, Any]:
    record("async_view")
    before = g.rid
    await asyncio.sleep(0.01)
    return {"rid": rid, "g_rid": g.rid, "before": before, "seed_count": g.seed_count}


@sqlite_bp.get("/stream/<rid>")
def sqlite_stream(rid: str) -> Response:
    record("view")
    cursor = get_db().execute("SELECT n, label FROM seed ORDER BY n")

    def batches() -> Iterator[list[tuple[int, str]]]:
        while rows := cursor.fetchmany(STREAM_CHUNK):
            yield rows

    return Response(stream_with_context(_stream_lines(rid, batches())), mimetype="text/plain")


# -- part 2: SQLAlchemy, scoped_session -----------------------------------------------------


class Base(DeclarativeBase):
    pass


class Seed(Base):
    __tablename__ = "seed"
    n: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String)


class OrmHit(Base):
    __tablename__ = "orm_hits"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rid: Mapped[str] = mapped_column(String)
    note: Mapped[str] = mapped_column(String)


# Thread-bound on purpose: sqlite checks the thread, and NullPool never hands a
# connection opened by one thread to another.
engine = create_engine(
    f"sqlite:///{DB_PATH}", poolclass=NullPool, connect_args={"check_same_thread": True}
)
db_session = scoped_session(sessionmaker(bind=engine))


def get_session() -> Session:
    """The request's session; notes a stale one (tagged by another request) or a split."""
    session = db_session()
    rid = g.rid
    tag = session.info.get("request")
    if tag is None:
        session.info["request"] = rid
    elif tag != rid:
        note("stale", f"session {id(session):#x} tagged {tag!r} handed to {rid!r}")
    seen: set[int] = g.setdefault("orm_sessions", set())
    seen.add(id(session))
    if len(seen) > 1:
        note("stale", f"request {rid!r} got {len(seen)} different sessions")
    return session


def remove_session(exc: BaseException | None) -> None:
    record("remove_session")
    try:
        db_session.remove()
    except Exception as error:
        note_exception("remove_session", error)
        raise


orm_bp = Blueprint("orm", __name__, url_prefix="/orm")


@orm_bp.before_request
def orm_seed_count() -> None:
    record("orm_before_request")
    g.seed_count = get_session().scalar(select(func.count()).select_from(Seed))


@orm_bp.post("/hits/<rid>")
def orm_hits(rid: str) -> dict[str, Any]:
    record("view")
    note_text = request.get_json()["note"]
    session = get_session()
    session.add(OrmHit(rid=rid, note=note_text))
    session.commit()
    rows = session.execute(select(OrmHit.rid, OrmHit.note).where(OrmHit.rid == rid)).all()
    return {
        "rid": rid,
        "g_rid": g.rid,
        "rows": [list(row) for row in rows],
        "seed_count": g.seed_count,
        "session_tag": session.info.get("request"),
    }


@orm_bp.get("/async/<rid>")
async def orm_async(rid: str) -> dict[str, Any]:
    record("async_view")
    before = g.rid
    await asyncio.sleep(0.01)
    return {"rid": rid, "g_rid": g.rid, "before": before, "seed_count": g.seed_count}


@orm_bp.get("/stream/<rid>")
def orm_stream(rid: str) -> Response:
    record("view")
    query = select(Seed.n, Seed.label).order_by(Seed.n).execution_options(yield_per=STREAM_CHUNK)
    result = get_session().execute(query)

    def batches() -> Iterator[list[tuple[int, str]]]:
        try:
            for part in result.partitions():
                yield [(row.n, row.label) for row in part]
        finally:
            result.close()

    return Response(stream_with_context(_stream_lines(rid, batches())), mimetype="text/plain")


# -- part 3: a slow teardown ---------------------------------------------------------------

slow_bp = Blueprint("slow", __name__, url_prefix="/slow")


@slow_bp.get("/<rid>")
def slow_view(rid: str) -> dict[str, Any]:
    record("view")
    return {"rid": rid, "g_rid": g.rid}


@slow_bp.teardown_request
def slow_teardown(exc: BaseException | None) -> None:
    record("slow_teardown_start")
    with _lock:
        SLOW["sleeping"] += 1
    try:
        # Polled, not an Event: /ping may run on another thread's loop (under gevent too).
        deadline = time.monotonic() + SLOW_TEARDOWN
        while not SLOW["released"] and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        with _lock:
            SLOW["sleeping"] -= 1
    record("slow_teardown_end")


# -- wiring, as extensions' init_app does it ----------------------------------------------


@app.before_first_request
def create_tables() -> None:
    """``flask init-db``, done on the first request (importing this module has no effects)."""
    init_db(DB_PATH)
    Base.metadata.create_all(engine)


app.teardown_appcontext(close_db)
app.teardown_appcontext(remove_session)
app.register_blueprint(sqlite_bp)
app.register_blueprint(orm_bp)
app.register_blueprint(slow_bp)
