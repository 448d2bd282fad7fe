"""json: serializing and parsing with the stdlib, ujson and orjson — direct, patched, served."""

from __future__ import annotations

import json as std_json
from typing import Any

from bench import loops
from bench.suites._base import Case, Goal, Impl

TITLE = "JSON: stdlib, ujson, orjson"
DESCRIPTION = (
    "A ~2 KB document of nested dicts, lists, strings and numbers. 'direct' calls each "
    "library; 'patched json.dumps' calls the standard json module after "
    "ctxcore.json.patch(...) (calls the fast library cannot honour fall back to the "
    "stdlib); 'endpoint' is a full in-process WSGI request to an App view returning the "
    "document with JSON_PROVIDER set."
)

DOC: dict[str, Any] = {
    "users": [
        {
            "id": i,
            "name": f"user-{i}",
            "active": i % 2 == 0,
            "score": i * 1.5,
            "tags": ["a", "b", "c"],
        }
        for i in range(20)
    ],
    "meta": {"page": 1, "total": 20, "next": None},
}
TEXT = std_json.dumps(DOC)


def _direct(backend: str, operation: str) -> Any:
    """``library.dumps(DOC)`` or ``library.loads(TEXT)`` with the named library."""

    def setup() -> tuple[Any, ...]:
        module = std_json if backend == "stdlib" else __import__(backend)
        return (getattr(module, operation), DOC if operation == "dumps" else TEXT)

    return setup


def _patched(backend: str) -> Any:
    def setup() -> tuple[Any, ...]:
        from ctxcore import json as cjson

        def call() -> Any:
            # Patched on use: every benchmark of a suite is set up in each worker
            # process, but a worker runs only one, so the last setup must not win.
            if cjson.is_patched() != backend:
                cjson.patch(backend)
            # ensure_ascii=False: the call orjson can honour (it never escapes to ASCII).
            return std_json.dumps(DOC, ensure_ascii=False)

        return (call,)

    return setup


def _endpoint(backend: str) -> Any:
    def setup() -> tuple[Any, ...]:
        from werkzeug.test import EnvironBuilder

        from ctxcore import App

        app = App("bench-json")
        app.config["JSON_PROVIDER"] = backend
        app.add_url_rule("/doc", "doc", lambda: DOC)
        builder = EnvironBuilder("/doc")
        environ = builder.get_environ()
        builder.close()

        def start_response(*args: Any) -> None:
            return None

        def call() -> None:
            body = app(dict(environ), start_response)
            b"".join(body)
            body.close()

        return (call,)

    return setup


CASES = (
    Case(
        "dumps direct",
        "library.dumps(doc)",
        (
            Impl("orjson", _direct("orjson", "dumps"), loops.call1, needs=("orjson",)),
            Impl("ujson", _direct("ujson", "dumps"), loops.call1, needs=("ujson",)),
            Impl("stdlib", _direct("stdlib", "dumps"), loops.call1),
        ),
    ),
    Case(
        "loads direct",
        "library.loads(text)",
        (
            Impl("orjson", _direct("orjson", "loads"), loops.call1, needs=("orjson",)),
            Impl("ujson", _direct("ujson", "loads"), loops.call1, needs=("ujson",)),
            Impl("stdlib", _direct("stdlib", "loads"), loops.call1),
        ),
    ),
    Case(
        "patched json.dumps",
        "json.dumps(doc, ensure_ascii=False) after ctxcore.json.patch(backend)",
        (
            Impl("ctxcore patch orjson", _patched("orjson"), loops.call0, needs=("orjson",)),
            Impl("ctxcore patch ujson", _patched("ujson"), loops.call0, needs=("ujson",)),
            Impl("stdlib (unpatched)", _patched("json"), loops.call0),
        ),
    ),
    Case(
        "endpoint",
        "App view returning the document (in-process WSGI)",
        (
            Impl("ctxcore orjson", _endpoint("orjson"), loops.call0, needs=("orjson",)),
            Impl("ctxcore ujson", _endpoint("ujson"), loops.call0, needs=("ujson",)),
            Impl("ctxcore stdlib", _endpoint("json"), loops.call0),
        ),
        unit="per request",
    ),
)

GOALS: tuple[Goal, ...] = ()
