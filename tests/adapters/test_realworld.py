"""Flask-style apps with thread-bound databases under real servers (see realworld_apps.py).

One server per configuration (gunicorn gthread, gevent, uvicorn with uvloop and with
asyncio, hypercorn), started once for the module's tests and stopped after them:

* 60 concurrent clients send 60 requests (300 in the slow group) mixing sqlite and
  SQLAlchemy routes, each with a sync JSON view, an ``async def`` view and a sync
  streaming view. Zero errors (every answer 200 with the right body, nothing raised or
  logged in the server), zero stale SQLAlchemy sessions, and zero thread hops: all of
  one request's sync code (hooks, view, every generator chunk, teardown) ran on one
  thread, and no other request's sync code ran on that thread meanwhile; under ASGI
  that thread is not the event loop's, and the ``async def`` views ran on the loop.
* 6 concurrent requests whose ``teardown_request`` sleeps until a ping lets it go: every
  response arrives while the teardowns sleep, all 6 sleep at once (none waits for
  another's), and the ping is answered while they sleep. Checked by what the server
  saw, not by wall-clock time, so a busy machine cannot fail it.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.adapters.realworld_apps import SEED_ROWS, expected_stream
from tests.adapters.servers import HOST, running_server
from tests.sizes import sizes

TARGET = "tests.adapters.realworld_apps:app"
KINDS = ("sqlite-sync", "sqlite-async", "sqlite-stream", "orm-sync", "orm-async", "orm-stream")
CLIENTS = 60
SLOW_REQUESTS = 6  # fewer than gunicorn's 8 threads: a thread stays free for the ping
#: Stages that are not sync code of the request (they run on the loop under ASGI).
ASYNC_STAGES = {"async_view"}


@dataclass(frozen=True)
class Served:
    label: str
    port: int
    asgi: bool

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


SERVERS = [
    pytest.param(
        ("gunicorn-gthread", "gunicorn", ("--threads", "8", "--worker-class", "gthread"), False),
        id="gunicorn-gthread",
    ),
    pytest.param(("gevent", "gevent", (), False), id="gevent"),
    pytest.param(("uvicorn-uvloop", "uvicorn", ("--loop", "uvloop"), True), id="uvicorn-uvloop"),
    pytest.param(("uvicorn-asyncio", "uvicorn", ("--loop", "asyncio"), True), id="uvicorn-asyncio"),
    pytest.param(
        ("hypercorn-asyncio", "hypercorn", ("--loop", "asyncio"), True), id="hypercorn-asyncio"
    ),
]


@pytest.fixture(scope="module", params=SERVERS)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """One server (one worker process: the records live in it) for the module's tests."""
    label, server, extra, asgi = request.param
    db = Path(tmp_path_factory.mktemp("realworld")) / "app.sqlite"
    env = {"CTXCORE_REALWORLD_DB": str(db)}
    with running_server(TARGET, server, *extra, env=env) as (port, _):
        yield Served(label, port, asgi)


# -- the client side ---------------------------------------------------------------------


def _expected_json(kind: str, rid: str) -> dict[str, Any]:
    db, flavour = kind.split("-")
    if flavour == "async":
        return {"rid": rid, "g_rid": rid, "before": rid, "seed_count": len(SEED_ROWS)}
    expected: dict[str, Any] = {
        "rid": rid,
        "g_rid": rid,
        "rows": [[rid, f"note-{rid}"]],
        "seed_count": len(SEED_ROWS),
    }
    if db == "orm":
        expected["session_tag"] = rid
    return expected


async def _one(client: httpx.AsyncClient, kind: str, rid: str) -> str | None:
    """Send one request of ``kind``; return what was wrong with the answer, if anything."""
    db, flavour = kind.split("-")
    try:
        if flavour == "sync":
            path = f"/sqlite/items/{rid}" if db == "sqlite" else f"/orm/hits/{rid}"
            response = await client.post(path, json={"note": f"note-{rid}"})
        else:
            response = await client.get(f"/{db}/{flavour}/{rid}")
    except httpx.HTTPError as exc:
        return f"{rid}: {type(exc).__name__}: {exc}"
    if response.status_code != 200:
        return f"{rid}: HTTP {response.status_code}: {response.text[:300]}"
    if flavour == "stream":
        body = response.text
        if body != expected_stream(rid):
            return f"{rid}: wrong stream ({len(body)} chars), ends {body[-120:]!r}"
        return None
    data = response.json()
    expected = _expected_json(kind, rid)
    if data != expected:
        return f"{rid}: got {data!r}, expected {expected!r}"
    return None


@dataclass
class Traffic:
    rids: list[str] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    ok: int = 0
    elapsed: float = 0.0


async def _drive(url: str, per_kind: int) -> Traffic:
    """CLIENTS concurrent clients share the requests (kinds interleaved)."""
    # Ids name the run's size too: both sizes may run against one server.
    plan = [(kind, f"{kind}-{n}-of-{per_kind}") for n in range(per_kind) for kind in KINDS]
    traffic = Traffic(rids=[rid for _, rid in plan], kinds={rid: kind for kind, rid in plan})
    pending = list(reversed(plan))
    # gunicorn closes a keep-alive connection idle for 2 s; on a busy machine a worker
    # may reuse one just as it closes (a ReadError). Idle ones are dropped after 1 s here.
    limits = httpx.Limits(
        max_connections=CLIENTS, max_keepalive_connections=CLIENTS, keepalive_expiry=1.0
    )

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:

        async def worker() -> None:
            while pending:
                kind, rid = pending.pop()
                problem = await _one(client, kind, rid)
                if problem is None:
                    traffic.ok += 1
                else:
                    traffic.errors.append(problem)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CLIENTS)))
        traffic.elapsed = time.perf_counter() - start
    return traffic


def _report(url: str, rids: list[str], timeout: float = 10.0) -> dict[str, Any]:
    """The server's records, once every request in ``rids`` has finished its teardown."""
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=url, timeout=10) as client:
        while True:
            report: dict[str, Any] = client.get("/report").raise_for_status().json()
            records = report["records"]
            unfinished = [
                rid
                for rid in rids
                if not any(stage[0] == "done" for stage in records.get(rid, {}).get("stages", ()))
            ]
            if not unfinished or time.monotonic() > deadline:
                report["unfinished"] = unfinished
                return report
            time.sleep(0.05)


# -- what the server recorded ----------------------------------------------------------------


@dataclass
class Findings:
    errors: list[str] = field(default_factory=list)  # raised or logged in the server
    stale: list[str] = field(default_factory=list)  # sessions of another request
    hops: list[str] = field(default_factory=list)  # sync code of one request on 2+ threads
    loop: list[str] = field(default_factory=list)  # sync code on the loop / async off it
    shared: list[str] = field(default_factory=list)  # two requests' sync code on one thread
    missing: list[str] = field(default_factory=list)  # stages that never ran
    threads: int = 0  # distinct threads that ran sync code

    def problems(self) -> dict[str, list[str]]:
        return {
            name: values
            for name, values in vars(self).items()
            if isinstance(values, list) and values
        }

    def summary(self) -> str:
        lists = {name: v for name, v in vars(self).items() if isinstance(v, list)}
        counts = ", ".join(f"{name}={len(values)}" for name, values in lists.items())
        return f"{counts}, sync threads={self.threads}"


def _expected_stages(kind: str) -> set[str]:
    if kind.startswith("slow"):
        return {"before_request", "view", "slow_teardown_end", "teardown_request", "done"}
    db, flavour = kind.split("-")
    view = "async_view" if flavour == "async" else "view"
    stages = {"before_request", f"{db}_before_request", view, "teardown_request", "done"}
    stages |= {"close_db", "remove_session"}
    if flavour == "stream":
        stages.add("chunk")
    return stages


def _examine(report: dict[str, Any], kinds: dict[str, str], asgi: bool) -> Findings:
    found = Findings()
    loop = report["loop"]["ident"]
    if asgi and loop is None:
        found.loop.append("the lifespan startup hook never recorded the loop's thread")
    found.errors.extend(f"(no request) {text}" for text in report["unattributed"])
    found.missing.extend(f"{rid}: teardown never finished" for rid in report["unfinished"])
    spans: dict[int, list[tuple[float, float, str]]] = defaultdict(list)
    for rid, kind in kinds.items():
        entry = report["records"].get(rid)
        if entry is None:
            found.missing.append(f"{rid}: nothing recorded")
            continue
        found.errors.extend(f"{rid}: {text}" for text in entry["errors"])
        found.stale.extend(f"{rid}: {text}" for text in entry["stale"])
        stages = entry["stages"]
        names = [stage[0] for stage in stages]
        absent = _expected_stages(kind) - set(names)
        if absent:
            found.missing.append(f"{rid}: {sorted(absent)} never ran (ran: {names})")
        if kind.endswith("stream") and names.count("chunk") != len(SEED_ROWS) // 5 + 1:
            found.missing.append(f"{rid}: {names.count('chunk')} chunks recorded")
        sync = [stage for stage in stages if stage[0] not in ASYNC_STAGES]
        idents = {stage[1] for stage in sync}
        if len(idents) > 1:
            where = ", ".join(f"{name}@{thread}" for name, _, _, thread in sync)
            found.hops.append(f"{rid}: sync code on {len(idents)} threads: {where}")
        if asgi:
            on_loop = [f"{name}@{thread}" for name, ident, _, thread in sync if ident == loop]
            if on_loop:
                found.loop.append(f"{rid}: sync code on the event loop's thread: {on_loop}")
            off_loop = [
                f"{name}@{thread}"
                for name, ident, _, thread in stages
                if name in ASYNC_STAGES and ident != loop
            ]
            if off_loop:
                found.loop.append(f"{rid}: async view off the loop's thread: {off_loop}")
        for ident in idents:
            times = [stage[2] for stage in sync if stage[1] == ident]
            spans[ident].append((min(times), max(times), rid))
    found.threads = len(spans)
    for ident, intervals in spans.items():
        intervals.sort()
        for (_, end, rid), (start, _, other) in itertools.pairwise(intervals):
            if start < end:
                found.shared.append(f"thread {ident}: {rid} and {other} ran sync code at once")
    return found


def _failure(label: str, extra: dict[str, Any], found: Findings) -> str:
    lines = [f"{label}: {found.summary()}", *(f"{k}: {v}" for k, v in extra.items())]
    for name, values in found.problems().items():
        lines.append(f"--- {name} ({len(values)}), first ones:")
        lines.extend(f"    {value}" for value in values[:8])
    return "\n".join(lines)


# -- the tests ------------------------------------------------------------------------------


@pytest.mark.timeout(60)
@pytest.mark.parametrize("per_kind", sizes(10, 50))
def test_concurrent_sqlite_and_sqlalchemy_requests(served: Served, per_kind: int) -> None:
    traffic = asyncio.run(_drive(served.url, per_kind))
    report = _report(served.url, traffic.rids)
    found = _examine(report, traffic.kinds, served.asgi)
    found.errors[:0] = [f"client: {problem}" for problem in traffic.errors]
    print(  # shown with -rP: the per-server counts
        f"{served.label}: {traffic.ok}/{len(traffic.rids)} ok in {traffic.elapsed:.2f}s, "
        f"{found.summary()}"
    )
    detail = {"answered ok": f"{traffic.ok}/{len(traffic.rids)}"}
    assert found.problems() == {}, _failure(served.label, detail, found)
    assert traffic.ok == len(traffic.rids)


async def _slow_burst(url: str, rids: list[str]) -> tuple[list[str], int]:
    """The slow requests at once (one connection each), then a ping on a new connection.

    The teardowns sleep until the ping lets them go, so the responses must come back
    while they sleep (a response held until its teardown ends would only come after
    ``SLOW_TEARDOWN``), and the ping tells how many were sleeping at once.
    """
    limits = httpx.Limits(max_connections=len(rids), keepalive_expiry=1.0)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        responses = await asyncio.gather(
            *(client.get(f"/slow/{rid}") for rid in rids), return_exceptions=True
        )
        async with httpx.AsyncClient(base_url=url, timeout=30) as fresh:
            ping = await fresh.get("/ping", params={"teardowns": len(rids)})
    problems = []
    for rid, response in zip(rids, responses, strict=True):
        if isinstance(response, BaseException):
            problems.append(f"{rid}: {type(response).__name__}: {response}")
        elif response.status_code != 200 or response.json() != {"rid": rid, "g_rid": rid}:
            problems.append(f"{rid}: HTTP {response.status_code}: {response.text[:300]}")
    return problems, int(ping.json()["sleeping"])


@pytest.mark.timeout(60)
def test_slow_teardown_neither_blocks_nor_serializes(served: Served) -> None:
    rids = [f"slow-{n}" for n in range(SLOW_REQUESTS)]
    problems, sleeping = asyncio.run(_slow_burst(served.url, rids))
    report = _report(served.url, rids)
    found = _examine(report, dict.fromkeys(rids, "slow"), served.asgi)
    found.errors[:0] = [f"client: {problem}" for problem in problems]
    seen = {"teardowns sleeping when the ping was answered": f"{sleeping}/{SLOW_REQUESTS}"}
    print(f"{served.label}: {seen}, {found.summary()}")
    assert found.problems() == {}, _failure(served.label, seen, found)
    # Every response came back and the ping was answered while all the teardowns slept:
    # serialized teardowns (one thread, or on the loop) would have one asleep at a time,
    # and a ping held up behind them would find none.
    assert sleeping == SLOW_REQUESTS, seen
