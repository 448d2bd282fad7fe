"""The table of CPU instructions per request: counts that repeat, the driver subtracted."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench import calls, instructions
from bench.suites.context import details

ROOT = Path(__file__).resolve().parents[2]


def _row(key: str, figure: int) -> dict[str, object]:
    item = next(item for item in calls.IMPLEMENTATIONS if item.key == key)
    return {"key": key, "label": item.label, "protocol": item.protocol, "instructions": figure}


def test_the_table_subtracts_each_protocols_driver(tmp_path: Path) -> None:
    path = tmp_path / "context-instructions.json"
    rows = [
        _row("ctxcore-wsgi", 170_000),
        _row("ctxcore-asgi-async", 320_000),
        _row("driver-asgi", 100_000),
        _row("driver-wsgi", 20_000),
    ]
    path.write_text(json.dumps({"loop": "uvloop", "warmups": 20, "requests": 100, "rows": rows}))
    table = instructions.table(path)
    assert table is not None
    assert table.headers == ("implementation", "instructions", "without the driver")
    assert table.rows[0] == ("ctxcore, WSGI", "170k", "150k")
    assert table.rows[1] == ("ctxcore, ASGI, async view", "320k", "220k")
    assert table.rows[2] == ("driver alone, ASGI", "100k", "")
    assert "callgrind" in table.title
    assert "uvloop" in table.title


def test_a_run_without_valgrind_says_why(tmp_path: Path) -> None:
    path = tmp_path / "context-instructions.json"
    path.write_text(json.dumps({"skipped": "valgrind is not installed", "rows": []}))
    assert instructions.table(path) is None
    assert instructions.skipped_note(path) == "valgrind is not installed"
    assert instructions.skipped_note(tmp_path / "absent.json") is None


@pytest.mark.parametrize("mode", ["fast", "smoke"])
def test_a_fast_or_smoke_run_skips_the_counts_and_says_so(tmp_path: Path, mode: str) -> None:
    path = tmp_path / "context-instructions.json"
    assert instructions.main(["--output", str(path), "--mode", mode]) == 0
    note = instructions.skipped_note(path)
    assert note is not None
    assert f"--{mode}" in note
    assert note in details(tmp_path / "context.json", tmp_path).notes


def test_one_implementation_runs_its_requests() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.instructions", "--one", "ctxcore-wsgi", "--requests", "3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
def test_counts_repeat_and_grow_with_the_work() -> None:
    # CI installs valgrind (.ci/run); a machine without it cannot run this group's check.
    assert shutil.which("valgrind") is not None, "apt-get install valgrind"
    driver = next(item for item in calls.IMPLEMENTATIONS if item.key == "driver-wsgi")
    app = next(item for item in calls.IMPLEMENTATIONS if item.key == "ctxcore-wsgi")
    first, second = instructions.count(driver, 20), instructions.count(driver, 20)
    assert first > 0
    assert abs(first - second) <= 0.01 * first  # the same work counts the same
    assert instructions.count(app, 20) > 2 * first  # a framework's request does more
