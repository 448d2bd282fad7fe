"""The table of Python calls per request: one row per implementation, counts that repeat."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench import calls
from bench.suites.context import calls_path, details

ROOT = Path(__file__).resolve().parents[2]


def test_the_table_has_a_row_per_implementation_and_a_count_in_each(tmp_path: Path) -> None:
    rows = [{"label": item.label, "counts": [100] * 5} for item in calls.IMPLEMENTATIONS]
    rows[0]["counts"] = [120, 121, 120, 120, 120]
    path = tmp_path / "context-calls.json"
    path.write_text(json.dumps({"loop": "uvloop", "warmups": 3, "counted": 5, "rows": rows}))
    table = calls.table(path)
    assert table is not None
    assert table.headers == ("implementation", "Python calls")
    assert [row[0] for row in table.rows] == [item.label for item in calls.IMPLEMENTATIONS]
    assert table.rows[0][1] == "120 (up to 121)"
    assert all(row[1] == "100" for row in table.rows[1:])
    assert "sys.setprofile" in table.title
    assert "uvloop" in table.title


def test_the_report_section_shows_the_table_when_the_run_counted(tmp_path: Path) -> None:
    pyperf_json = tmp_path / "context.json"
    assert calls_path(pyperf_json) == tmp_path / "context-calls.json"
    assert details(pyperf_json, tmp_path).tables == ()
    calls_path(pyperf_json).write_text(
        json.dumps({"loop": "asyncio", "warmups": 3, "counted": 5, "rows": []})
    )
    (table,) = details(pyperf_json, tmp_path).tables
    assert table.rows == ()


def test_the_rows_cover_every_implementation_and_the_driver() -> None:
    labels = [item.label for item in calls.IMPLEMENTATIONS]
    for needed in (
        "ctxcore, WSGI", "ctxcore, ASGI, async view", "ctxcore, ASGI, sync view", "Flask, WSGI",
        "Starlette, async endpoint", "FastAPI, async endpoint", "Quart, async view",
        "driver alone, ASGI", "driver alone, WSGI",
    ):  # fmt: skip
        assert needed in labels
    assert len({item.key for item in calls.IMPLEMENTATIONS}) == len(labels)


def _count(key: str, *options: str) -> list[int]:
    """Count one implementation in its own process, as the suite does."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.calls", "--one", key, *options],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return list(json.loads(done.stdout.splitlines()[-1]))


def test_a_count_is_the_same_for_every_request_after_warm_up() -> None:
    """A deterministic figure: the machine's load does not change it."""
    counts = _count("ctxcore-wsgi")
    assert len(counts) == calls.COUNTED
    assert len(set(counts)) == 1
    assert counts[0] > 10  # the view, routing and the response, at least


def test_threads_started_after_the_profiler_are_counted() -> None:
    """A sync view under ASGI runs on a worker thread, whose calls count too (the
    view itself, at least, runs there)."""
    every = min(_count("ctxcore-asgi-sync"))
    loop_thread = min(_count("ctxcore-asgi-sync", "--main-thread-only"))
    assert every > loop_thread
