"""``python -m bench.calls --output FILE``: Python calls per request of the JSON endpoint.

Not a timing: the number of Python functions one request runs, which a busy machine
does not change. Each implementation is counted in a process of its own (so imports and
caches of one framework never change another's count): the app is built and called as
the ``context`` suite calls it (``bench/driving.py``), warmed up, then each of a few
requests is counted with ``sys.setprofile`` (every ``"call"`` event: a Python frame
entered, a generator or coroutine resumed; C functions are not counted). The profiler
is installed before the app is built, through ``threading.setprofile`` too, so threads
started later (ctxcore's worker threads, Starlette's thread pool) are counted with the
loop's. The figure is the fewest calls over the counted requests; the "driver alone"
rows are an app that only sends its answer, the share of every row that is the
driver's (loop, stubs) rather than the framework's.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from bench import apps, driving
from bench.child import json_from_child
from bench.peers import missing
from bench.suites._base import Table

__all__ = ["COUNTED", "IMPLEMENTATIONS", "Counted", "count", "main", "table"]

WARMUPS = 3
COUNTED = 5


@dataclass(frozen=True)
class Counted:
    """One row of the calls table: a framework's app under one protocol and view kind."""

    key: str
    label: str
    framework: str  # a key of apps.BUILDERS, or "driver" for the driver alone
    view: str  # "async" or "sync"
    protocol: str  # "asgi" or "wsgi"
    needs: tuple[str, ...] = ()


IMPLEMENTATIONS: tuple[Counted, ...] = (
    Counted("ctxcore-wsgi", "ctxcore, WSGI", "ctxcore", "sync", "wsgi"),
    Counted("ctxcore-asgi-async", "ctxcore, ASGI, async view", "ctxcore", "async", "asgi"),
    Counted("ctxcore-asgi-sync", "ctxcore, ASGI, sync view", "ctxcore", "sync", "asgi"),
    Counted("flask", "Flask, WSGI", "flask", "sync", "wsgi", ("flask",)),
    Counted("starlette-async", "Starlette, async endpoint", "starlette", "async", "asgi",
            ("starlette",)),
    Counted("starlette-sync", "Starlette, sync endpoint (thread pool)", "starlette", "sync",
            "asgi", ("starlette",)),
    Counted("fastapi-async", "FastAPI, async endpoint", "fastapi", "async", "asgi", ("fastapi",)),
    Counted("fastapi-sync", "FastAPI, sync endpoint (thread pool)", "fastapi", "sync", "asgi",
            ("fastapi",)),
    Counted("quart", "Quart, async view", "quart", "async", "asgi", ("quart",)),
    Counted("driver-asgi", "driver alone, ASGI", "driver", "async", "asgi"),
    Counted("driver-wsgi", "driver alone, WSGI", "driver", "sync", "wsgi"),
)  # fmt: skip


async def _bare_asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An ASGI app that only answers: what the driver costs by itself."""
    body = json.dumps(apps.EXPECTED).encode()
    await send(
        {"type": "http.response.start", "status": 200,
         "headers": [(b"content-type", b"application/json")]}
    )  # fmt: skip
    await send({"type": "http.response.body", "body": body})


def _bare_wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """A WSGI app that only answers: what the driver costs by itself."""
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(apps.EXPECTED).encode()]


def _caller(item: Counted) -> Callable[[], None]:
    """Build ``item``'s app, check its answer, and return a one-request call."""
    if item.framework == "driver":
        app: Any = _bare_asgi if item.protocol == "asgi" else _bare_wsgi
    else:
        app = apps.build(item.framework, item.view, item.protocol)
    if item.protocol == "asgi":
        loop = driving.new_loop()
        scope = driving.asgi_scope(apps.ROUTE_PATH, apps.QUERY)
        driving.check_json(item.label, driving.asgi_answer(app, scope, loop), apps.EXPECTED)
        return driving.asgi_caller(app, scope, loop)
    environ = driving.wsgi_environ(apps.ROUTE_PATH, apps.QUERY)
    driving.check_json(item.label, driving.wsgi_answer(app, environ), apps.EXPECTED)
    return driving.wsgi_caller(app, environ)


def count(item: Counted, *, threads: bool = True) -> list[int]:
    """The Python calls of each of :data:`COUNTED` requests of ``item``, after warm-up
    (``threads=False``: on the calling thread only)."""
    counting = [False]
    counter = itertools.count()  # next() is one C call: safe from any thread

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call" and counting[0]:
            next(counter)

    if threads:
        threading.setprofile(profile)
    sys.setprofile(profile)
    try:
        call = _caller(item)
        for _ in range(WARMUPS):
            call()
        counts = []
        for _ in range(COUNTED):
            start = next(counter)
            counting[0] = True
            call()
            counting[0] = False
            counts.append(next(counter) - start - 1)
    finally:
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]
    return counts


def _count_in_child(item: Counted) -> dict[str, Any]:
    counts = json_from_child("bench.calls", "--one", item.key, what=f"{item.label}: counting")
    return {"label": item.label, "counts": counts}


def table(path: Path) -> Table | None:
    """The report's calls table from a counts file (``None`` when there is none)."""
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    rows = []
    for row in data["rows"]:
        counts = row["counts"]
        spread = "" if min(counts) == max(counts) else f" (up to {max(counts)})"
        rows.append((row["label"], f"{min(counts)}{spread}"))
    return Table(
        f"Python calls per request, GET {apps.PATH} (sys.setprofile 'call' events, "
        f"fewest of {data['counted']} requests after {data['warmups']} warm-up; "
        f"ASGI on {data['loop']})",
        ("implementation", "Python calls"),
        tuple(rows),
    )


def main(argv: list[str] | None = None) -> int:
    """Count every installed implementation (``--output``), or one (``--one KEY``)."""
    parser = argparse.ArgumentParser(prog="python -m bench.calls")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--output", type=Path)
    group.add_argument("--one", choices=[item.key for item in IMPLEMENTATIONS])
    parser.add_argument(
        "--main-thread-only", action="store_true", help="with --one: leave other threads out"
    )
    parser.add_argument("--mode", help="accepted for the orchestrator; the counts do not vary")
    args = parser.parse_args(argv)
    if args.one:
        item = next(item for item in IMPLEMENTATIONS if item.key == args.one)
        print(json.dumps(count(item, threads=not args.main_thread_only)))
        return 0
    rows = []
    for item in IMPLEMENTATIONS:
        absent = missing(*item.needs)
        if absent:
            print(f"{item.label}: skipped (not installed: {', '.join(absent)})", flush=True)
            continue
        row = _count_in_child(item)
        print(f"{item.label}: {min(row['counts'])} Python calls per request", flush=True)
        rows.append(row)
    args.output.write_text(
        json.dumps(
            {"loop": driving.LOOP_NAME, "warmups": WARMUPS, "counted": COUNTED, "rows": rows},
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
