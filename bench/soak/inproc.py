"""In-process soak drivers: the soak app called directly, as WSGI and as ASGI, in batches.

WSGI: a small thread pool calls ``app(environ, start_response)``; the same threads run
every batch, so their contexts are reused across requests the way a threaded server
reuses them. ASGI: concurrent tasks on one event loop (asyncio or uvloop) call
``app.asgi(scope, receive, send)`` with a minimal in-process caller, alternating the
``async def`` view (on the loop) and the sync view (on a lane thread).

Between batches no request is in flight, so the driver samples its own RSS and counts
the idents still holding a pushed context (``live_idents`` on the engine's stacks):
that count must be 0 at every sample, not only at the end.

``python -m bench.soak.inproc TARGET --cycles N --warmup W`` runs one target in a fresh
process (so its RSS is its own) and prints one ``CTXCORE-SOAK {json}`` line.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import io
import json
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.soak.app import app, diag_counts, rss_bytes
from bench.soak.results import MARKER, Progress, Sample, SoakResult, tenths
from bench.soak.targets import target

__all__ = ["asgi_call", "new_loop", "run_asgi", "run_target", "run_wsgi"]

THREADS = 4  # WSGI worker threads (a small gthread-like pool)
TASKS = 16  # concurrent ASGI requests
SAMPLES = 200  # samples per run (one per batch)
MIN_BATCH = 256  # a sample costs tens of milliseconds: not more often than this

_ENVIRON: dict[str, Any] = {
    "REQUEST_METHOD": "GET",
    "SCRIPT_NAME": "",
    "QUERY_STRING": "",
    "SERVER_NAME": "127.0.0.1",
    "SERVER_PORT": "80",
    "SERVER_PROTOCOL": "HTTP/1.1",
    "REMOTE_ADDR": "127.0.0.1",
    "HTTP_HOST": "127.0.0.1",
    "wsgi.version": (1, 0),
    "wsgi.url_scheme": "http",
    "wsgi.errors": sys.stderr,
    "wsgi.multithread": True,
    "wsgi.multiprocess": False,
    "wsgi.run_once": False,
}


def _batches(cycles: int, samples: int, workers: int) -> list[tuple[int, int]]:
    """(first cycle, count) of each batch: about ``samples`` batches of whole rounds of
    ``workers``, none under :data:`MIN_BATCH` cycles (a sample scans the heap)."""
    size = max(MIN_BATCH, cycles // max(samples, 1)) // workers * workers
    return [(start, min(size, cycles - start)) for start in range(0, cycles, size)]


def _shares(start: int, count: int, workers: int) -> list[tuple[int, int]]:
    step = -(-count // workers)
    return [(s, min(step, start + count - s)) for s in range(start, start + count, step)]


def _sample(result: SoakResult, started: float) -> None:
    counts = diag_counts()  # collects garbage first, then scans: nothing is in flight now
    elapsed = time.perf_counter() - started
    result.samples.append(
        Sample(elapsed, result.cycles, rss_bytes(), counts["request"], counts["app"])
    )


def _finish(result: SoakResult, started: float) -> SoakResult:
    result.wall = time.perf_counter() - started
    gc.collect()
    result.live_end = diag_counts()
    return result


# --- WSGI ---------------------------------------------------------------------------------


def _tally() -> SoakResult:
    """A worker's own count for its share of a batch (merged after the batch)."""
    return SoakResult("", "")


def _wsgi_share(wsgi: Callable[..., Any], start: int, count: int) -> SoakResult:
    tally = _tally()
    status: list[str] = []

    def start_response(line: str, headers: Any, exc_info: Any = None) -> None:
        status.append(line)

    for index in range(start, start + count):
        rid = f"w{index}"
        environ = dict(_ENVIRON, PATH_INFO=f"/sync/{rid}", **{"wsgi.input": io.BytesIO()})
        status.clear()
        try:
            chunks = wsgi(environ, start_response)
            try:
                body = b"".join(chunks)
            finally:
                close = getattr(chunks, "close", None)
                if close is not None:
                    close()
        except Exception as exc:  # counted, not raised: the soak goes on
            tally.cycles += 1
            tally.error(f"raised {type(exc).__name__}")
            continue
        tally.count(rid, int(status[0].split(" ", 1)[0]) if status else 0, body)
    return tally


def _quiet(result: SoakResult) -> None:
    pass


def run_wsgi(
    cycles: int,
    *,
    warmup: int,
    threads: int = THREADS,
    samples: int = SAMPLES,
    progress: Progress = _quiet,
) -> SoakResult:
    """Call the soak app ``cycles`` times as WSGI from ``threads`` reused threads.

    About ``samples`` batches, each followed by a sample; ``progress`` is called with
    the result so far after each.
    """
    info = target("wsgi")
    result = SoakResult(info.name, f"{threads} threads reused across batches", warmup=warmup)
    started = time.perf_counter()
    _sample(result, started)
    with ThreadPoolExecutor(threads, thread_name_prefix="soak-wsgi") as pool:
        for start, count in _batches(cycles, samples, threads):
            shares = [
                pool.submit(_wsgi_share, app, s, n) for s, n in _shares(start, count, threads)
            ]
            for share in shares:
                result.merge(share.result())
            _sample(result, started)
            progress(result)
    return _finish(result, started)


# --- ASGI ---------------------------------------------------------------------------------


def _scope(path: str) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 80),
    }


async def asgi_call(asgi: Any, path: str) -> tuple[int, bytes]:
    """One request through an ASGI 3 app: its status and whole body."""
    sent_request = False
    status = 0
    body: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent_request
        if sent_request:  # after the request, a caller only ever hears that it is over
            return {"type": "http.disconnect"}
        sent_request = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])
        elif message["type"] == "http.response.body":
            body.append(message.get("body", b""))

    await asgi(_scope(path), receive, send)
    return status, b"".join(body)


async def _asgi_share(asgi: Any, start: int, count: int) -> SoakResult:
    tally = _tally()
    for index in range(start, start + count):
        rid = f"a{index}"
        view = "async" if index % 2 == 0 else "sync"
        try:
            status, body = await asgi_call(asgi, f"/{view}/{rid}")
        except Exception as exc:
            tally.cycles += 1
            tally.error(f"raised {type(exc).__name__}")
            continue
        tally.count(rid, status, body)
    return tally


async def _asgi_run(
    result: SoakResult, cycles: int, tasks: int, samples: int, progress: Progress
) -> None:
    asgi = app.asgi
    started = time.perf_counter()
    _sample(result, started)
    for start, count in _batches(cycles, samples, tasks):
        shares = [_asgi_share(asgi, s, n) for s, n in _shares(start, count, tasks)]
        for tally in await asyncio.gather(*shares):
            result.merge(tally)
        _sample(result, started)
        progress(result)
    _finish(result, started)


def new_loop(kind: str) -> asyncio.AbstractEventLoop:
    """A fresh event loop: ``"asyncio"`` or ``"uvloop"``."""
    if kind == "uvloop":
        import uvloop

        return uvloop.new_event_loop()
    return asyncio.new_event_loop()


def run_asgi(
    cycles: int,
    *,
    warmup: int,
    loop: str = "asyncio",
    tasks: int = TASKS,
    samples: int = SAMPLES,
    progress: Progress = _quiet,
) -> SoakResult:
    """Call ``app.asgi`` ``cycles`` times from ``tasks`` concurrent tasks on ``loop``.

    About ``samples`` batches, each followed by a sample; ``progress`` is called with
    the result so far after each.
    """
    info = target(f"asgi-{loop}")
    result = SoakResult(info.name, f"{tasks} tasks on {loop}", warmup=warmup)
    event_loop = new_loop(loop)
    try:
        event_loop.run_until_complete(_asgi_run(result, cycles, tasks, samples, progress))
    finally:
        event_loop.close()
    return result


def run_target(key: str, cycles: int, warmup: int, progress: Progress = _quiet) -> SoakResult:
    """Run the in-process target ``key`` (``wsgi``, ``asgi-asyncio``, ``asgi-uvloop``)."""
    if key == "wsgi":
        return run_wsgi(cycles, warmup=warmup, progress=progress)
    if key in ("asgi-asyncio", "asgi-uvloop"):
        return run_asgi(cycles, warmup=warmup, loop=key.partition("-")[2], progress=progress)
    raise KeyError(f"{key!r} is not an in-process soak target")


def main(argv: list[str] | None = None) -> int:
    """Run one target and print its result line."""
    parser = argparse.ArgumentParser(prog="python -m bench.soak.inproc")
    parser.add_argument("target", choices=["wsgi", "asgi-asyncio", "asgi-uvloop"])
    parser.add_argument("--cycles", type=int, required=True)
    parser.add_argument("--warmup", type=int, default=0)
    args = parser.parse_args(argv)
    result = run_target(args.target, args.cycles, args.warmup, tenths(args.cycles))
    print(MARKER + json.dumps(result.to_json()), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
