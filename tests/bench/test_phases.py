"""The phase breakdown: each phase makes a real engine call, the timer brackets only
``run``, and the report shows the table and the stacked bar chart."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.phases import breakdown
from bench.phases.run import VARIANTS, measure
from bench.phases.timing import PLANS, Phase, Plan, Timer
from bench.report import write_report

from .results import write_run

ROOT = Path(__file__).resolve().parents[2]
US = 1e-6
ONE_REPEAT = Plan(repeats=1, wall=0.0)


def test_the_timer_makes_and_undoes_each_call_s_state() -> None:
    """prepare() before each run(), finish() after it, with the state prepare made."""
    made: list[int] = []
    ran: list[int] = []
    undone: list[int] = []

    def prepare() -> int:
        made.append(len(made))
        return made[-1]

    phase = Phase("counted", ran.append, "ran.append(state)", prepare, undone.append)
    figure = Timer(ONE_REPEAT).time(phase)
    assert figure.calls > 0
    assert ran == made == undone
    assert figure.best >= 0


def test_an_async_phase_is_awaited_on_the_timer_s_loop() -> None:
    loop = asyncio.new_event_loop()
    seen: list[asyncio.AbstractEventLoop] = []

    async def run(state: Any) -> None:
        seen.append(asyncio.get_running_loop())

    async def finish(state: Any) -> None:
        seen.append(asyncio.get_running_loop())

    try:
        Timer(ONE_REPEAT, loop).time(Phase("async", run, "run()", finish=finish))
    finally:
        loop.close()
    assert seen
    assert set(seen) == {loop}


def test_an_async_phase_without_a_loop_is_refused() -> None:
    async def run(state: Any) -> None:
        return None

    with pytest.raises(RuntimeError, match="needs a loop"):
        Timer(ONE_REPEAT).time(Phase("async", run, "run()"))


def test_every_mode_has_a_plan() -> None:
    assert set(PLANS) == {"smoke", "fast", "default", "rigorous"}


@pytest.mark.parametrize("key", list(VARIANTS))
def test_each_variant_times_its_phases_and_the_whole_request(key: str) -> None:
    """Every phase runs against the engine (a wrong answer, a pop with teardown left or
    a changed ASGI path raises), in request order, and leaves no context pushed."""
    found = measure(key, "smoke")
    names = [phase["name"] for phase in found["phases"]]
    assert names == [name for name in breakdown.ORDER if name in names]
    expected = {"driver (bare app)", "request object", "context push", "routing (match)",
                "flow (hooks, dispatch)", "view", "response build (JSON)", "response out",
                "context pop (teardown)"}  # fmt: skip
    assert expected <= set(names)
    assert ("relay (run_relayed)" in names) == key.startswith("asgi")
    assert ("lane hop" in names) == (key == "asgi-sync")
    assert found["whole"]["best"] == min(found["whole_runs"]) > 0
    assert len(found["whole_runs"]) == len(names) + 1
    assert all(phase["best"] >= 0 and phase["call"] for phase in found["phases"])
    assert sum(phase["best"] for phase in found["phases"]) > 0


def _phase(name: str, best: float, call: str = "call()") -> dict[str, Any]:
    return {"name": name, "call": call, "best": best, "median": best, "calls": 10}


DATA = {
    "mode": "fast",
    "repeats": 7,
    "loop": "uvloop",
    "variants": [
        {
            "key": "wsgi",
            "label": "WSGI",
            "whole": {"best": 40 * US, "median": 41 * US, "calls": 10},
            "whole_runs": [40 * US, 44 * US, 42 * US],
            "phases": [_phase("request object", 10 * US), _phase("view", 20 * US, "view()")],
        },
        {
            "key": "asgi-sync",
            "label": "ASGI, sync view",
            "whole": {"best": 100 * US, "median": 100 * US, "calls": 10},
            "whole_runs": [100 * US, 100 * US],
            "phases": [_phase("lane hop", 50 * US), _phase("view", 30 * US, "await view()")],
        },
    ],
}


def test_the_table_sets_each_phase_beside_the_whole_request() -> None:
    pyperf_times = {"wsgi json | ctxcore": (45 * US, None)}
    table = breakdown.table(DATA, pyperf_times)
    rows = {row[0]: row[1:] for row in table.rows}
    assert table.headers == ("phase", "WSGI", "ASGI, sync view", "timed call")
    assert rows["request object"] == ("10.00 (25%)", "—", "call()")
    assert rows["lane hop"] == ("—", "50.00 (50%)", "call()")
    assert rows["view"] == ("20.00 (50%)", "30.00 (30%)", "view() / await view()")
    assert rows["sum of phases"][:2] == ("30.00 (75%)", "80.00 (80%)")
    assert rows["whole request, timed here"][:2] == ("40.00", "100.00")
    assert rows["unaccounted (whole - sum)"][:2] == ("10.00 (25%)", "20.00 (20%)")
    assert rows["whole request, pyperf (json case)"][:2] == ("45.00", "—")
    # Request order: the request object before the lane hop before the view.
    assert [row[0] for row in table.rows][:3] == ["request object", "lane hop", "view"]


def test_the_notes_say_how_far_the_whole_request_drifted() -> None:
    (note,) = breakdown.notes(DATA)
    assert "WSGI 10%" in note
    assert "ASGI, sync view 0%" in note
    assert "uvloop" in note


def test_the_chart_is_a_png(tmp_path: Path) -> None:
    path = breakdown.chart(DATA, tmp_path)
    assert path == tmp_path / "charts" / "context-phases.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_report_shows_the_breakdown_in_the_context_section(tmp_path: Path) -> None:
    out = write_run(
        tmp_path / "run",
        {"context": {"wsgi json | ctxcore": (45 * US, 0.05), "wsgi json | flask": (90 * US, 0.05)}},
    )
    (out / "context-phases.json").write_text(json.dumps(DATA))
    write_report(out)
    markdown = (out / "report.md").read_text()
    page = (out / "report.html").read_text()
    assert "**Where a ctxcore request's time goes: µs per request" in markdown
    assert "| whole request, pyperf (json case) | 45.00 | — | mean of the pyperf runs |" in markdown
    assert "![context](charts/context-phases.png)" in markdown
    assert "Where a ctxcore request&#x27;s time goes" in page
    assert page.count("data:image/png;base64,") >= 2  # the ratio chart and the phases'


def test_a_run_without_phases_has_no_breakdown(tmp_path: Path) -> None:
    out = write_run(tmp_path / "run", {"context": {"wsgi json | ctxcore": (45 * US, 0.05)}})
    write_report(out)
    assert "Where a ctxcore request" not in (out / "report.md").read_text()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_the_runner_writes_every_variant(tmp_path: Path) -> None:
    """``python -m bench.phases.run``: one child process per variant, one file."""
    output = tmp_path / "context-phases.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench.phases.run", "--output", str(output), "--mode", "smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads(output.read_text())
    assert [variant["key"] for variant in data["variants"]] == list(VARIANTS)
    assert "phases, WSGI: whole" in done.stdout
