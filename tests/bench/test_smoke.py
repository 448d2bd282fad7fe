"""The benchmark suite runs end to end in smoke mode and renders its report.

The runs of the suite are in the slow group (``python -m pytest -m slow``; CI runs them
once); its command-line checks run by default.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=500,
        check=False,
    )


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Every default suite run once in smoke mode: (the result folder, the console output)."""
    out = tmp_path_factory.mktemp("smoke") / "run"
    result = bench("--smoke", "--out", str(out))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out, result.stdout


# The smoke run (every suite once, real servers included) is set up by whichever of
# these runs first, and counts against its timeout.
SMOKE_TIMEOUT = pytest.mark.timeout(600)


@pytest.mark.slow
@SMOKE_TIMEOUT
def test_smoke_run_writes_every_artifact(smoke_run: tuple[Path, str]) -> None:
    out, stdout = smoke_run
    for name in ("lookup", "proxy", "stack", "context", "json", "isolation", "e2e"):
        assert (out / f"{name}.json").stat().st_size > 0
        assert (out / "charts" / f"{name}.png").stat().st_size > 0
    assert (out / "charts" / "e2e-latency.png").stat().st_size > 0
    report = (out / "report.md").read_text()
    for needle in ("threading.local", "werkzeug Local", "asgiref Local", "gevent.local", "Goals"):
        assert needle in report
    html = (out / "report.html").read_text()
    assert html.startswith("<!doctype html>")
    assert "data:image/png;base64," in html
    assert "[1/7] suite 'lookup'" in stdout
    assert report.startswith('# ctxcore benchmark report\n\n<a id="summary"></a>\n\n## Summary')
    assert "Wrong answers per batch from the unlocked global: threads" in report
    _check_context(out, report)
    _check_e2e(out, report)


def _check_context(out: Path, report: str) -> None:
    """The JSON cases ran for every framework, and the calls table has a row for each."""
    import json

    import pyperf

    from bench.calls import IMPLEMENTATIONS

    suite = pyperf.BenchmarkSuite.load(str(out / "context.json"))
    names = {bench.get_name() for bench in suite.get_benchmarks()}
    for case, impls in (
        ("asgi json, async view", ("ctxcore", "starlette", "fastapi", "quart")),
        ("asgi json, sync view", ("ctxcore", "starlette", "fastapi")),
        ("wsgi json", ("ctxcore", "flask")),
    ):
        for impl in impls:
            assert f"{case} | {impl}" in names
    counted = json.loads((out / "context-calls.json").read_text())
    assert [row["label"] for row in counted["rows"]] == [item.label for item in IMPLEMENTATIONS]
    assert all(min(row["counts"]) > 0 for row in counted["rows"])
    assert "**Python calls per request, GET /hello/ada?q=1" in report
    for goal in ("ASGI JSON endpoint within 2x Starlette's time", "WSGI JSON endpoint >= 2x Flask"):
        assert goal in report
    phases = json.loads((out / "context-phases.json").read_text())
    assert [variant["key"] for variant in phases["variants"]] == ["wsgi", "asgi-async", "asgi-sync"]
    assert "**Where a ctxcore request's time goes: µs per request" in report
    assert (out / "charts" / "context-phases.png").stat().st_size > 0


def _check_e2e(out: Path, report: str) -> None:
    """Every server and framework was loaded through a real server, without errors."""
    import json

    import pyperf

    for server in (
        "uvicorn uvloop, json", "gunicorn gthread, json", "granian asgi, json",
        "granian wsgi, json", "gunicorn gthread", "gevent", "uvicorn uvloop", "uvicorn asyncio",
    ):  # fmt: skip
        assert f"**{server}: throughput and latency (ms)**" in report
    names = set()
    for bench in pyperf.BenchmarkSuite.load(str(out / "e2e.json")).get_benchmarks():
        names.add(bench.get_name())
        for run in bench.get_runs():
            meta = run.get_metadata()
            assert meta["e2e_requests"] > 0
            assert sum(json.loads(meta["e2e_errors"]).values()) == 0, bench.get_name()
            latency = list(json.loads(meta["e2e_latency_us"]).values())
            assert latency == sorted(latency)  # a distribution: percentiles never fall
    for framework in ("ctxcore", "Flask", "Quart", "Starlette", "FastAPI"):
        assert any(name.endswith(f"| {framework}") for name in names), framework
    assert "Load generator: wrk" in report or "Load generator: python" in report


@pytest.mark.slow
def test_compare_reports_ratios(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        assert bench("--smoke", "--only", "stack", "--out", str(out)).returncode == 0
    result = bench("compare", str(first), str(second))
    assert result.returncode == 0, result.stderr
    assert "push+pop | werkzeug" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--only", "nosuch"], "unknown suite"),
        (["--fast", "--rigorous"], "not allowed with argument"),
        (["compare", "/nonexistent/a", "/nonexistent/b"], "is not a result folder"),
    ],
)
def test_bad_options_give_a_usage_error(args: list[str], message: str) -> None:
    result = bench(*args)
    assert result.returncode == 2
    assert message in result.stderr


def test_existing_output_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("x")
    result = bench("--smoke", "--out", str(tmp_path))
    assert result.returncode == 2
    assert "already holds files" in result.stderr


def test_ci_has_wrk() -> None:
    """CI measures e2e with wrk (the Python client is the fallback for other machines)."""
    import os
    import shutil

    if not os.environ.get("CI"):
        pytest.skip("outside CI the Python client stands in when wrk is missing")
    assert shutil.which("wrk"), "CI must have wrk: .ci/run installs it"


@pytest.mark.slow
@SMOKE_TIMEOUT
def test_report_renders_in_headless_chromium(smoke_run: tuple[Path, str]) -> None:
    """The HTML report loads in a real browser, produces its screenshots, and its
    summary (every default suite) fits in the first screen."""
    import os
    import shutil

    from bench.render import FIRST_SCREEN, summary_bottom

    if shutil.which("chromium") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have chromium: .ci/run installs it")
        pytest.skip("chromium is not installed here (apt-get install chromium)")
    out, _ = smoke_run
    result = subprocess.run(
        [sys.executable, "-m", "bench.render", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for name in ("report.png", "report-first-screen.png"):
        png = out / name
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert png.stat().st_size > 10_000
    assert "fits in a 1280x900 first screen" in result.stdout
    assert 200 < summary_bottom(out / "report.html") <= FIRST_SCREEN[1]
