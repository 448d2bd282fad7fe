"""The soak client: a fixed number of checked requests over keep-alive connections.

Closed loop, like ``bench.e2e.pyload``, but counted instead of timed, and every answer
is checked: each request asks for its own id (``/sync/<rid>``, and ``/async/<rid>`` on
ASGI servers) and its answer must be 200, name that id and say ``"ok": true`` (the app
saw only its own values). wrk cannot do this: it does not tell which request an answer
belongs to. While the load runs a sampler reads the serving process's RSS from ``/proc``
and, every few seconds, asks ``/diag`` on a connection of its own how many contexts are
pushed (those in flight, with the probe's own taken off).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.e2e.pyload import read_response
from bench.soak.app import rss_bytes
from bench.soak.results import Sample, SoakResult

__all__ = ["Load", "diag", "get", "run_load"]

TIMEOUT = 10.0
#: Refused connections in a row after which the server is taken to be gone (~5 s).
GIVE_UP = 100


@dataclass(frozen=True)
class Load:
    """How to load one server."""

    host: str
    port: int
    requests: int
    connections: int = 32
    views: tuple[str, ...] = ("sync",)  # taken in turn, by request number
    sample_every: float = 0.1  # seconds between RSS samples
    diag_every: int = 20  # one /diag probe per this many samples
    max_samples: int = 300  # kept in the result (evenly thinned)


async def get(host: str, port: int, path: str) -> tuple[int, bytes]:
    """One GET on a connection of its own."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), TIMEOUT)
    try:
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode()
        )
        status, body, _ = await asyncio.wait_for(read_response(reader), TIMEOUT)
        return status, body
    finally:
        writer.close()


async def diag(host: str, port: int) -> dict[str, int]:
    """The server's ``/diag``: live request/app contexts (its own included), pid, RSS."""
    status, body = await get(host, port, "/diag")
    if status != 200:
        raise RuntimeError(f"/diag answered {status}: {body[:200]!r}")
    answer: dict[str, int] = json.loads(body)
    return answer


class _Run:
    """Shared state of one load: the next request number, the tally, the samples."""

    def __init__(self, load: Load, result: SoakResult) -> None:
        self.load = load
        self.result = result
        self.next = 0
        self.running = True
        self.refused = 0  # connection attempts failed in a row

    def take(self) -> int | None:
        if self.next >= self.load.requests:
            return None
        self.next += 1
        return self.next - 1

    def failed(self, kind: str) -> None:
        self.result.cycles += 1
        self.result.error(kind)


async def _connection(run: _Run) -> None:
    load = run.load
    host = f"{load.host}:{load.port}"
    index = run.take()
    while index is not None:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(load.host, load.port), TIMEOUT
            )
        except (OSError, asyncio.TimeoutError):
            run.result.error("connect")  # not a request: the same one is sent on retry
            run.refused += 1
            if run.refused >= GIVE_UP:
                raise RuntimeError(f"{host} refused {GIVE_UP} connections in a row") from None
            await asyncio.sleep(0.05)
            continue
        run.refused = 0
        try:
            while index is not None:
                rid = f"s{index}"
                view = load.views[index % len(load.views)]
                writer.write(f"GET /{view}/{rid} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
                try:
                    status, body, keep = await asyncio.wait_for(read_response(reader), TIMEOUT)
                except asyncio.TimeoutError:
                    run.failed("timeout")
                    index = run.take()
                    break
                except (
                    OSError,
                    asyncio.IncompleteReadError,
                    asyncio.LimitOverrunError,
                    ValueError,
                ):
                    run.failed("read")
                    index = run.take()
                    break
                run.result.count(rid, status, body)
                index = run.take()
                if not keep:
                    break
        finally:
            writer.close()


async def _sampler(
    run: _Run, pid: int, started: float, progress: Callable[[SoakResult], object]
) -> None:
    load = run.load
    count = 0
    while run.running:
        await asyncio.sleep(load.sample_every)
        count += 1
        live: tuple[int | None, int | None] = (None, None)
        if count % load.diag_every == 0:
            try:
                found = await diag(load.host, load.port)
                live = (found["request"] - 1, found["app"] - 1)  # less the probe's own
            except (OSError, asyncio.TimeoutError, RuntimeError, ValueError):
                run.result.error("diag")
        run.result.samples.append(
            Sample(time.perf_counter() - started, run.result.cycles, rss_bytes(pid), *live)
        )
        progress(run.result)


def _thin(samples: list[Sample], keep: int) -> list[Sample]:
    """At most ``keep`` samples, evenly spaced, first and last always kept (and every probe)."""
    if len(samples) <= keep:
        return samples
    step = len(samples) / (keep - 1)
    chosen = {round(i * step) for i in range(keep - 1)} | {len(samples) - 1}
    return [s for i, s in enumerate(samples) if i in chosen or s.live_request is not None]


async def _settled(load: Load) -> dict[str, int]:
    """``/diag`` once the server has finished its last requests.

    Teardown runs after the answer has gone out, so the last requests may still hold
    their contexts for a moment: wait (5 s at most) for the counts to come down to the
    probe's own context.
    """
    found = await diag(load.host, load.port)
    for _ in range(25):
        if found["request"] <= 1 and found["app"] <= 1:
            break
        await asyncio.sleep(0.2)
        found = await diag(load.host, load.port)
    return found


async def run_load(
    load: Load, result: SoakResult, *, progress: Callable[[SoakResult], object] = lambda _: None
) -> SoakResult:
    """Send ``load.requests`` checked requests; fill ``result`` (samples included).

    ``progress`` is called with ``result`` after each sample.
    """
    pid = (await diag(load.host, load.port))["pid"]
    run = _Run(load, result)
    started = time.perf_counter()
    result.samples.append(Sample(0.0, 0, rss_bytes(pid)))
    sampler = asyncio.ensure_future(_sampler(run, pid, started, progress))
    try:
        await asyncio.gather(*(_connection(run) for _ in range(load.connections)))
    finally:
        run.running = False
        await sampler
    result.wall = time.perf_counter() - started
    found = await _settled(load)
    result.live_end = {"request": found["request"] - 1, "app": found["app"] - 1}
    if found["pid"] != pid:  # a restarted worker would hide what the old one kept
        result.error("worker restarted")
    end = Sample(
        time.perf_counter() - started,
        result.cycles,
        rss_bytes(pid),
        result.live_end["request"],
        result.live_end["app"],
    )
    result.samples.append(end)
    result.samples = _thin(result.samples, load.max_samples)
    return result
