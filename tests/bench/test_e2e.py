"""The e2e suite's parts against real servers: apps, answer checks, both load generators."""

from __future__ import annotations

import http.client
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.e2e import load
from bench.e2e.run import run_metadata
from bench.e2e.servers import (
    HOST,
    JSON,
    SERVERS,
    Contender,
    Running,
    check_answer,
    serving,
    start,
    stop,
    wait_ready,
)
from bench.goals import MET, MISSED, check_goals
from bench.peers import missing
from bench.suites.e2e import GOALS as E2E_GOALS
from bench.suites.e2e import goal_times, summarize

UVLOOP = next(server for server in SERVERS if server.name == "uvicorn uvloop")
GEVENT = next(server for server in SERVERS if server.name == "gevent")
UVLOOP_JSON = next(server for server in SERVERS if server.name == "uvicorn uvloop, json")
GTHREAD_JSON = next(server for server in SERVERS if server.name == "gunicorn gthread, json")
GRANIAN_ASGI = next(server for server in SERVERS if server.name == "granian asgi, json")
GRANIAN_WSGI = next(server for server in SERVERS if server.name == "granian wsgi, json")


@pytest.fixture(scope="module")
def ctxcore_server() -> Iterator[Running]:
    contender = next(c for c in UVLOOP.contenders if c.name == "ctxcore")
    with serving(UVLOOP, (contender,)) as (running,):
        yield running


GENERATORS = [
    "python",
    pytest.param(
        "wrk", marks=pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk not installed")
    ),
]


@pytest.mark.parametrize("client", GENERATORS)
def test_load_generator_measures_a_real_server(ctxcore_server: Running, client: str) -> None:
    before = ctxcore_server.cpu_seconds()
    started = time.monotonic()
    result = load.run_load(ctxcore_server.url, connections=4, duration=1, client=client)
    wall = time.monotonic() - started
    used = ctxcore_server.cpu_seconds()
    assert result.requests > 50
    assert result.error_count == 0, result.errors
    # It ran for the second asked, and reports no more time than passed (a busy machine
    # makes the call longer, never the report wrong).
    assert 0.9 < result.duration <= wall
    curve = [result.percentiles_us[p] for p in load.PERCENTILES]
    assert curve == sorted(curve)
    assert curve[0] > 0
    assert result.max_us >= curve[-1]
    assert result.client_cpu > 0
    assert before is not None
    assert used is not None
    assert used > before


def test_run_metadata_round_trips_into_the_summary(ctxcore_server: Running) -> None:
    result = load.run_load(ctxcore_server.url, connections=2, duration=1, client="python")
    meta = run_metadata("uvicorn uvloop | ctxcore", result, 0.5, "python")
    figures = summarize([meta, meta])
    assert figures["rps"] == pytest.approx(result.rps)
    assert figures["latency_us"][50.0] == result.percentiles_us[50.0]
    assert figures["server_cpu"] == pytest.approx(0.5 / result.duration)
    assert figures["errors"] == result.errors


def test_a_wrong_answer_is_refused_before_measuring() -> None:
    """An app that does not answer the e2e request correctly is never measured."""
    wrong = Contender("not the e2e app", "tests.adapters.stress:app")
    running = start(GEVENT, wrong)
    try:
        with pytest.raises(RuntimeError, match="expected 200"):
            wait_ready(running)
    finally:
        stop(running)
    assert running.proc.poll() is not None


def test_every_app_gives_the_same_answer() -> None:
    """The apps do the same work: same JSON, and a session cookie from each."""
    for server in (GEVENT, UVLOOP):
        with serving(server, server.contenders) as started:
            # serving() raised if any answer differed; check one again from here.
            for running in started:
                assert running.proc.poll() is None
                check_answer(running)


def test_the_json_endpoint_is_served_by_each_framework() -> None:
    """uvicorn + uvloop: ctxcore (async and sync views), Starlette, FastAPI and Quart;
    gunicorn gthread: ctxcore and Flask. Each answers the plain JSON endpoint."""
    assert [c.name for c in UVLOOP_JSON.contenders] == [
        "ctxcore", "ctxcore, sync view", "Starlette", "FastAPI", "Quart",
    ]  # fmt: skip
    assert [c.name for c in GTHREAD_JSON.contenders] == ["ctxcore", "Flask"]
    for server in (UVLOOP_JSON, GTHREAD_JSON):
        assert not server.endpoint.session
        installed = tuple(c for c in server.contenders if not missing(*c.needs))
        with serving(server, installed) as started:
            for running in started:
                assert running.url.endswith("/hello/ada?q=1")
                check_answer(running)


def test_the_json_goal_is_starlettes_rate() -> None:
    """>= 0.85x Starlette's req/s is ctxcore's time per request <= 1/0.85 Starlette's."""
    (goal,) = (g for g in E2E_GOALS if g.case == UVLOOP_JSON.name and g.peer == "Starlette")
    assert (goal.subject, goal.peer, goal.kind) == ("ctxcore", "Starlette", "at_most")
    assert goal.factor == pytest.approx(1 / 0.85, abs=0.01)


def _server_header(running: Running) -> str:
    conn = http.client.HTTPConnection(HOST, running.port, timeout=10)
    try:
        conn.request("GET", running.endpoint.path)
        response = conn.getresponse()
        response.read()
        return response.getheader("server") or ""
    finally:
        conn.close()


def test_granian_serves_the_json_endpoint_over_asgi_and_wsgi() -> None:
    """granian's ASGI interface: ctxcore (async and sync views) and Starlette; its WSGI
    interface: ctxcore and Flask. granian answers each with the expected JSON."""
    assert [c.name for c in GRANIAN_ASGI.contenders] == [
        "ctxcore",
        "ctxcore, sync view",
        "Starlette",
    ]
    assert [c.name for c in GRANIAN_WSGI.contenders] == ["ctxcore", "Flask"]
    for server in (GRANIAN_ASGI, GRANIAN_WSGI):
        assert server.endpoint is JSON
        if missing(*server.needs):
            pytest.skip(f"not installed: {missing(*server.needs)}")
        installed = tuple(c for c in server.contenders if not missing(*c.needs))
        with serving(server, installed) as started:
            for running in started:
                check_answer(running)
                assert _server_header(running) == "granian"


def _option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_granian_runs_one_worker_with_the_documented_threads() -> None:
    """One worker and one runtime thread each; WSGI runs the app on 4 Python threads
    (gunicorn gthread's), ASGI on the loop (uvloop)."""
    asgi = GRANIAN_ASGI.command("bench.e2e.apps:starlette_json", 8000)
    wsgi = GRANIAN_WSGI.command("bench.e2e.apps:flask_json", 8000)
    for command, interface, threads in ((asgi, "asgi", "1"), (wsgi, "wsgi", "4")):
        assert _option(command, "--interface") == interface
        assert _option(command, "--workers") == "1"
        assert _option(command, "--runtime-threads") == "1"
        assert _option(command, "--blocking-threads") == threads
        assert _option(command, "--loop") == "uvloop"


def _e2e_results(path: Path, p50_us: float, p99_us: float) -> None:
    """An e2e result file: ctxcore under uvicorn + uvloop (json), two rounds."""
    import pyperf

    result = load.LoadResult(
        requests=1000, duration=1.0, mean_us=p50_us, max_us=p99_us * 2,
        percentiles_us={p: p50_us if p <= 50 else p99_us for p in load.PERCENTILES},
        errors={}, client_cpu=0.2,
    )  # fmt: skip
    name = f"{UVLOOP_JSON.name} | ctxcore"
    runs = [
        pyperf.Run([1e-3], metadata=run_metadata(name, result, 0.9, "wrk"), collect_metadata=False)
        for _ in range(2)
    ]
    pyperf.BenchmarkSuite([pyperf.Benchmark(runs)]).dump(str(path))


@pytest.mark.parametrize(("p99_us", "verdict"), [(2000.0, MET), (3000.0, MISSED)])
def test_the_tail_goal_is_ctxcores_p99_over_its_median(
    tmp_path: Path, p99_us: float, verdict: str
) -> None:
    """Under uvicorn + uvloop (json): ctxcore's p99 latency <= 2.5x its median."""
    (goal,) = (g for g in E2E_GOALS if g.case == UVLOOP_JSON.name and g.peer != "Starlette")
    assert (goal.kind, goal.factor) == ("at_most", 2.5)
    path = tmp_path / "e2e.json"
    _e2e_results(path, 1000.0, p99_us)
    times = goal_times(path)
    assert times[f"{UVLOOP_JSON.name} | ctxcore median"] == (pytest.approx(1e-3), 0.0)
    (result,) = check_goals((goal,), times)
    assert result.measured == pytest.approx(p99_us / 1000.0)
    assert result.verdict == verdict


def test_the_client_choice_is_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTXCORE_BENCH_CLIENT", "ab")
    with pytest.raises(ValueError, match="must be 'wrk' or 'python'"):
        load.generator()
    monkeypatch.setenv("CTXCORE_BENCH_CLIENT", "python")
    assert load.generator() == "python"
    with pytest.raises(ValueError, match="at least 1"):
        load.run_load("http://127.0.0.1:1/", connections=0, duration=1, client="python")
