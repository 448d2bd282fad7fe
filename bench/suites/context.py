"""context: request-context push/pop and full in-process dispatch, against Flask,
Starlette, FastAPI and Quart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench import apps, driving, loops
from bench.suites._base import Case, Details, Goal, Impl

TITLE = "Request contexts and dispatch"
DESCRIPTION = (
    "Apps called in process (no server, no sockets). The 'json' cases: the same endpoint "
    f"in each framework (bench/apps.py: GET {apps.PATH} answering "
    '{"name": ..., "q": ...} as JSON), as an async view or a sync one (ctxcore runs it on '
    "the request's worker thread, Starlette and FastAPI in their thread pool), driven "
    f"by one {driving.LOOP_NAME} loop per benchmark with the same receive/send stubs "
    "for all, each timed batch of requests made in one run of the loop (ASGI), or as "
    "WSGI. 'wsgi call' and 'asgi call': a view that reads "
    "request.args, sets g and writes the session (ctxcore, Flask, Quart; ASGI on an "
    "asyncio loop). 'push+pop' builds a request context from an environ and pushes and "
    "pops it. The table of Python calls per request counts calls (sys.setprofile) in one "
    "request of the json endpoint after warm-up; the instructions table (valgrind, not in "
    "--fast runs) counts the CPU instructions of one, which a busy machine does not change. "
    "The phase table and chart break one "
    "ctxcore request of the json endpoint into the engine calls it makes, each timed alone."
)
HEADLINE = ("asgi json, async view", "wsgi json")
#: Run after the pyperf workers: each writes ``context-<key>.json`` beside ``context.json``
#: (Python calls per request; where a request's time goes, phase by phase).
EXTRA_COMMANDS = {
    "calls": ("-m", "bench.calls"),
    "instructions": ("-m", "bench.instructions"),
    "phases": ("-m", "bench.phases.run"),
}


def _environ() -> dict[str, Any]:
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder("/hello?name=ada")
    try:
        return builder.get_environ()
    finally:
        builder.close()


# The same app in each framework: (module, app class name).
_FRAMEWORKS = {
    "ctxcore": ("ctxcore", "App"),
    "flask": ("flask", "Flask"),
    "quart": ("quart", "Quart"),
}


def _hello_app(framework: str, *, use_async: bool) -> Any:
    """A '/hello' view reading request.args, setting g and writing the session."""
    import importlib

    module_name, class_name = _FRAMEWORKS[framework]
    module = importlib.import_module(module_name)
    app = getattr(module, class_name)(f"bench-{framework}")
    app.config["SECRET_KEY"] = "bench-secret"
    g, request, session = module.g, module.request, module.session

    def hello() -> str:
        g.name = request.args.get("name")
        session["visits"] = session.get("visits", 0) + 1
        return f"hello {g.name}"

    async def hello_async() -> str:
        return hello()

    app.add_url_rule("/hello", "hello", hello_async if use_async else hello)
    return app


def _ctxcore_app() -> Any:
    return _hello_app("ctxcore", use_async=False)


def _ctxcore_async_app() -> Any:
    return _hello_app("ctxcore", use_async=True)


def _flask_app() -> Any:
    return _hello_app("flask", use_async=False)


def _quart_app() -> Any:
    return _hello_app("quart", use_async=True)


_SCOPE: dict[str, Any] = {
    "type": "http",
    "asgi": {"version": "3.0"},
    "http_version": "1.1",
    "method": "GET",
    "scheme": "http",
    "path": "/hello",
    "raw_path": b"/hello",
    "query_string": b"name=ada",
    "root_path": "",
    "headers": [(b"host", b"localhost")],
    "server": ("localhost", 80),
    "client": ("127.0.0.1", 50000),
}


def _asgi_call(make: Any) -> Any:
    def setup() -> tuple[Any, ...]:
        import asyncio

        app = make()
        asgi = app.asgi if hasattr(app, "asgi") else app
        return (driving.asgi_batch(asgi, _SCOPE, asyncio.new_event_loop()),)

    return setup


def _push_pop(make: Any) -> Any:
    def setup() -> tuple[Any, ...]:
        app = make()
        environ = _environ()

        def push_pop() -> None:
            ctx = app.request_context(dict(environ))
            ctx.push()
            ctx.pop()

        return (push_pop,)

    return setup


def _wsgi_call(make: Any) -> Any:
    def setup() -> tuple[Any, ...]:
        return (driving.wsgi_caller(make(), _environ()),)

    return setup


def _json_asgi(framework: str, view: str) -> Any:
    """The JSON endpoint under ASGI, checked once, then called per request."""

    def setup() -> tuple[Any, ...]:
        app = apps.build(framework, view, "asgi")
        loop = driving.new_loop()
        scope = driving.asgi_scope(apps.ROUTE_PATH, apps.QUERY)
        answer = driving.asgi_answer(app, scope, loop)
        driving.check_json(f"{framework} ({view} view)", answer, apps.EXPECTED)
        return (driving.asgi_batch(app, scope, loop),)

    return setup


def _json_wsgi(framework: str) -> Any:
    """The JSON endpoint under WSGI, checked once, then called per request."""

    def setup() -> tuple[Any, ...]:
        app = apps.build(framework, "sync", "wsgi")
        environ = driving.wsgi_environ(apps.ROUTE_PATH, apps.QUERY)
        driving.check_json(framework, driving.wsgi_answer(app, environ), apps.EXPECTED)
        return (driving.wsgi_caller(app, environ),)

    return setup


CASES = (
    Case(
        "asgi json, async view",
        f"await app(scope, receive, send): GET {apps.PATH}, async def view, JSON answer",
        (
            Impl("ctxcore", _json_asgi("ctxcore", "async"), loops.batch),
            Impl("starlette", _json_asgi("starlette", "async"), loops.batch, ("starlette",)),
            Impl("fastapi", _json_asgi("fastapi", "async"), loops.batch, ("fastapi",)),
            Impl("quart", _json_asgi("quart", "async"), loops.batch, ("quart",)),
        ),
        unit="per request",
    ),
    Case(
        "asgi json, sync view",
        f"await app(scope, receive, send): GET {apps.PATH}, sync view on a worker thread",
        (
            Impl("ctxcore", _json_asgi("ctxcore", "sync"), loops.batch),
            Impl("starlette", _json_asgi("starlette", "sync"), loops.batch, ("starlette",)),
            Impl("fastapi", _json_asgi("fastapi", "sync"), loops.batch, ("fastapi",)),
        ),
        unit="per request",
    ),
    Case(
        "wsgi json",
        f"app(environ, start_response): GET {apps.PATH}, JSON answer",
        (
            Impl("ctxcore", _json_wsgi("ctxcore"), loops.call0),
            Impl("flask", _json_wsgi("flask"), loops.call0, needs=("flask",)),
        ),
        unit="per request",
    ),
    Case(
        "push+pop",
        "app.request_context(environ): push, pop",
        (
            Impl("ctxcore", _push_pop(_ctxcore_app), loops.call0),
            Impl("flask", _push_pop(_flask_app), loops.call0, needs=("flask",)),
        ),
        unit="per push+pop",
    ),
    Case(
        "wsgi call",
        "app(environ, start_response): args, g, session write",
        (
            Impl("ctxcore", _wsgi_call(_ctxcore_app), loops.call0),
            Impl("flask", _wsgi_call(_flask_app), loops.call0, needs=("flask",)),
        ),
        unit="per request",
    ),
    Case(
        "asgi call",
        "await app(scope, receive, send): async view reading args, setting g, writing the session",
        (
            Impl("ctxcore", _asgi_call(_ctxcore_async_app), loops.batch),
            Impl("ctxcore (sync view)", _asgi_call(_ctxcore_app), loops.batch),
            Impl("quart", _asgi_call(_quart_app), loops.batch, needs=("quart",)),
        ),
        unit="per request",
    ),
)

GOALS = (
    Goal(
        "asgi json, async view", "ctxcore", "starlette", "at_most", 2.0,
        "ASGI JSON endpoint within 2x Starlette's time",
    ),
    Goal(
        "asgi json, async view", "ctxcore", "fastapi", "faster", 1.0,
        "ASGI JSON endpoint faster than FastAPI",
    ),
    Goal(
        "asgi json, async view", "ctxcore", "quart", "faster", 1.0,
        "ASGI JSON endpoint faster than Quart",
    ),
    Goal("wsgi json", "ctxcore", "flask", "faster", 2.0, "WSGI JSON endpoint >= 2x Flask"),
    Goal("push+pop", "ctxcore", "flask", "faster", 5.0, "request context push+pop >= 5x Flask"),
    Goal("wsgi call", "ctxcore", "flask", "faster", 2.0, "full WSGI call >= 2x Flask throughput"),
)  # fmt: skip


def calls_path(path: Path) -> Path:
    """Where the calls table's counts are kept, beside the suite's pyperf JSON."""
    return path.with_name(f"{path.stem}-calls.json")


def instructions_path(path: Path) -> Path:
    """Where the instruction counts are kept, beside the suite's pyperf JSON."""
    return path.with_name(f"{path.stem}-instructions.json")


def phases_path(path: Path) -> Path:
    """Where the phase breakdown's figures are kept, beside the suite's pyperf JSON."""
    return path.with_name(f"{path.stem}-phases.json")


def details(path: Path, out: Path) -> Details:
    """The table of Python calls per request and the phase breakdown (its table, notes
    and stacked bar chart), each when the run made it."""
    from bench import calls, instructions
    from bench.phases import breakdown

    tables = []
    counted = calls.table(calls_path(path))
    if counted is not None:
        tables.append(counted)
    executed = instructions.table(instructions_path(path))
    if executed is not None:
        tables.append(executed)
    skipped = instructions.skipped_note(instructions_path(path))
    notes = (skipped,) if skipped else ()
    phases = breakdown.load(phases_path(path))
    if phases is None:
        return Details(tables=tuple(tables), notes=notes)
    times = None
    if path.exists():
        from bench.report import load_times

        times = load_times(path)
    tables.append(breakdown.table(phases, times))
    chart = breakdown.chart(phases, out)
    return Details(
        tables=tuple(tables),
        charts=(chart,) if chart is not None else (),
        notes=(*notes, *breakdown.notes(phases)),
    )
