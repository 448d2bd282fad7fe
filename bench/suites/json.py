"""json: serializing and parsing with the stdlib, ujson and orjson — direct, patched, served."""

from __future__ import annotations

import json as std_json
import math
from typing import Any

from bench import driving, loops
from bench.suites._base import Case, Goal, Impl

TITLE = "JSON: stdlib, ujson, orjson"
DESCRIPTION = (
    "Two documents: the ~2 KB bench document (nested dicts, lists, strings, numbers and a "
    "null) and a ~2 KB series of 180 floats with one missing value (a null). 'direct' "
    "calls each library; 'patched json.dumps' calls the standard json module after "
    "ctxcore.json.patch(...) (calls the fast library cannot honour fall back to the "
    "stdlib); 'app.json' calls an App's provider (JSON_PROVIDER) as a view's jsonify "
    "does; 'endpoint' is a full in-process WSGI request to an App view returning the "
    "bench document. Every fast path keeps the standard library's NaN and Infinity: "
    "the document is searched for one (in C: about 1 us here)."
)
HEADLINE = "patched json.dumps"

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
FLOATS: dict[str, Any] = {
    "sensor": "t-1",
    "points": [
        [i * 0.25, round(math.sin(i / 7) * 1000, 3), (None if i == 30 else 1 / (i + 3))]
        for i in range(60)
    ],
}
TEXT = std_json.dumps(DOC)
DOCUMENTS = {"doc": DOC, "floats": FLOATS}


def _direct(backend: str, operation: str) -> Any:
    """``library.dumps(DOC)`` or ``library.loads(TEXT)`` with the named library."""

    def setup() -> tuple[Any, ...]:
        module = std_json if backend == "stdlib" else __import__(backend)
        return (getattr(module, operation), DOC if operation == "dumps" else TEXT)

    return setup


def _patched(backend: str, document: str) -> Any:
    def setup() -> tuple[Any, ...]:
        from ctxcore import json as cjson

        value = DOCUMENTS[document]

        def call() -> Any:
            # Patched on use: every benchmark of a suite is set up in each worker
            # process, but a worker runs only one, so the last setup must not win.
            if cjson.is_patched() != backend:
                cjson.patch(backend)
            # ensure_ascii=False: the call orjson can honour (it never escapes to ASCII).
            return std_json.dumps(value, ensure_ascii=False)

        return (call,)

    return setup


def _app(backend: str) -> Any:
    from ctxcore import App

    app = App("bench-json")
    app.config["JSON_PROVIDER"] = backend
    return app


def _provider(backend: str, method: str, document: str) -> Any:
    """``app.json.dumps(value)`` or ``app.json.response(value)`` (what jsonify calls)."""

    def setup() -> tuple[Any, ...]:
        app = _app(backend)
        value = DOCUMENTS[document]
        if method == "dumps":
            return (lambda: app.json.dumps(value),)
        return (lambda: app.json.response(value),)

    return setup


def _endpoint(backend: str) -> Any:
    def setup() -> tuple[Any, ...]:
        app = _app(backend)
        app.add_url_rule("/doc", "doc", lambda: DOC)
        # Through the driver every WSGI case uses: a body may be a plain list (no close()).
        return (driving.wsgi_caller(app, driving.wsgi_environ("/doc")),)

    return setup


def _three(names: tuple[str, str, str], make: Any, document: str) -> tuple[Impl, ...]:
    """orjson, ujson (on the bench document only: the suite's time) and the stdlib."""
    fast, slow, std = names
    impls = [Impl(fast, make("orjson"), loops.call0, ("orjson",))]
    if document == "doc":
        impls.append(Impl(slow, make("ujson"), loops.call0, ("ujson",)))
    return (*impls, Impl(std, make("json"), loops.call0))


def _patched_case(document: str, suffix: str) -> Case:
    return Case(
        f"patched json.dumps{suffix}",
        f"json.dumps({document}, ensure_ascii=False) after ctxcore.json.patch(backend)",
        _three(
            ("ctxcore patch orjson", "ctxcore patch ujson", "stdlib (unpatched)"),
            lambda backend: _patched(backend, document),
            document,
        ),
    )


def _provider_case(method: str, document: str, suffix: str) -> Case:
    return Case(
        f"app.json.{method}{suffix}",
        f"app.json.{method}({document}) with JSON_PROVIDER set",
        _three(
            ("ctxcore orjson", "ctxcore ujson", "stdlib provider"),
            lambda backend: _provider(backend, method, document),
            document,
        ),
    )


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
    _patched_case("doc", ""),
    _patched_case("floats", ", floats"),
    _provider_case("dumps", "doc", ""),
    _provider_case("dumps", "floats", ", floats"),
    _provider_case("response", "doc", ""),
    _provider_case("response", "floats", ", floats"),
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


def _four_times(case: str, subject: str, peer: str, text: str) -> Goal:
    return Goal(case, subject, peer, "faster", 4.0, text)


GOALS = (
    _four_times(
        "patched json.dumps",
        "ctxcore patch orjson",
        "stdlib (unpatched)",
        "patched json.dumps >= 4x stdlib (nulls)",
    ),
    _four_times(
        "patched json.dumps, floats",
        "ctxcore patch orjson",
        "stdlib (unpatched)",
        "patched json.dumps >= 4x stdlib (floats)",
    ),
    _four_times(
        "app.json.dumps",
        "ctxcore orjson",
        "stdlib provider",
        "app.json.dumps >= 4x stdlib (nulls)",
    ),
    _four_times(
        "app.json.dumps, floats",
        "ctxcore orjson",
        "stdlib provider",
        "app.json.dumps >= 4x stdlib (floats)",
    ),
    _four_times(
        "app.json.response",
        "ctxcore orjson",
        "stdlib provider",
        "app.json.response >= 4x stdlib (nulls)",
    ),
    _four_times(
        "app.json.response, floats",
        "ctxcore orjson",
        "stdlib provider",
        "app.json.response >= 4x stdlib (floats)",
    ),
)
