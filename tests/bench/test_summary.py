"""The report's first screen, derived from what the suites declare."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

from bench import summary
from bench.report import Section, build_section, case_rows
from bench.suites._base import Case, Goal, Impl
from bench.summary import suite_line

from .results import write_run, write_suite

US = 1e-6


def section_of(tmp_path: Path, name: str, figures: dict[str, tuple[float, float]]) -> Section:
    out = write_run(tmp_path / "run", {name: figures})
    return build_section(name, out, json.loads((out / "meta.json").read_text()))


def test_the_strongest_peer_is_never_ctxcore_nor_a_reference(tmp_path: Path) -> None:
    """proxy: the bare var.get().value is faster, but it is a floor, not a peer."""
    section = section_of(
        tmp_path,
        "proxy",
        {
            "attr via ContextVar | ctxcore": (0.10 * US, 0.02),
            "attr via ContextVar | ctxcore (python)": (0.05 * US, 0.02),
            "attr via ContextVar | werkzeug": (2.0 * US, 0.02),
            "attr via ContextVar | var.get().value": (0.08 * US, 0.02),
        },
    )
    line = suite_line(section)
    assert line.comparisons() == ("attr via ContextVar: 20.0x faster than werkzeug", "—")


def test_the_weakest_case_is_named_beside_the_headline(tmp_path: Path) -> None:
    section = section_of(
        tmp_path,
        "lookup",
        {
            "read | ctxcore context": (50e-9, 0.02),
            "read | threading.local": (100e-9, 0.02),
            "write | ctxcore context": (300e-9, 0.02),
            "write | threading.local": (100e-9, 0.02),
            "write | ContextVar.set": (200e-9, 0.02),
        },
    )
    assert suite_line(section).comparisons() == (
        "read: 2.00x faster than threading.local",
        "write: 3.00x slower than threading.local",
    )


def test_a_suite_may_name_its_headline_case(tmp_path: Path) -> None:
    """json's HEADLINE is the patched json.dumps, not its first (direct) case."""
    section = section_of(
        tmp_path,
        "json",
        {
            "dumps direct | orjson": (3 * US, 0.02),
            "dumps direct | stdlib": (30 * US, 0.02),
            "patched json.dumps | ctxcore patch orjson": (5 * US, 0.02),
            "patched json.dumps | stdlib (unpatched)": (30 * US, 0.02),
            "app.json.dumps | ctxcore orjson": (6 * US, 0.02),
            "app.json.dumps | stdlib provider": (36 * US, 0.02),
        },
    )
    headline, weakest = suite_line(section).comparisons()
    assert headline == "patched json.dumps: 6.00x faster than stdlib (unpatched)"
    assert weakest == "the same case"


def test_missed_goals_are_named_and_noisy_ones_counted_as_uncertain(tmp_path: Path) -> None:
    section = section_of(
        tmp_path,
        "stack",
        {
            "push+pop | ctxcore context": (1.0 * US, 0.30),  # noisy
            "push+pop | werkzeug": (2.0 * US, 0.30),
            "push+pop | two ContextVar.set": (0.9 * US, 0.01),
        },
    )
    verdicts = [result.verdict for result in section.goals]
    assert verdicts == ["missed", "uncertain (noisy)"]  # 2x < 3x even with the noise
    assert suite_line(section).goals() == (
        "0 of 2 met; missed: push+pop >= 3x faster than werkzeug (2.00x ± 42%); "
        "uncertain (noisy): push+pop <= 1.3x its two bare ContextVar.set() (1.11x ± 30%)"
    )
    lines = summary.markdown(json.loads((section.path.parent / "meta.json").read_text()), [section])
    assert "**Goals: 0 met, 1 missed, 1 uncertain (noisy)** of 2" in "\n".join(lines)


def _later_suite(out: Path) -> ModuleType:
    """A suite as someone might add it later: a new server, a new peer, rates."""
    suite = ModuleType("later")
    suite.TITLE = "Later servers"  # type: ignore[attr-defined]
    suite.CASES = (  # type: ignore[attr-defined]
        Case(
            "granian", "GET /", (Impl("ctxcore"), Impl("FastAPI"), Impl("Starlette")), "per request"
        ),
        Case("uvicorn", "GET /", (Impl("ctxcore"), Impl("Flask")), "per request"),
    )

    def rates(path: Path) -> dict[str, float]:
        return {"granian | ctxcore": 4000.0, "granian | FastAPI": 5000.0, "uvicorn | Flask": 900.0}

    suite.rates = rates  # type: ignore[attr-defined]
    suite.GOALS = (Goal("uvicorn", "ctxcore", "Flask", "faster", 1.5, "uvicorn: 1.5x Flask"),)  # type: ignore[attr-defined]
    return suite


def test_cases_and_peers_added_later_show_up_without_a_change(tmp_path: Path) -> None:
    """The summary is derived: a new case, a new peer (FastAPI) and a suite's rates."""
    from bench.goals import check_goals

    suite = _later_suite(tmp_path)
    figures = {
        "granian | ctxcore": (250 * US, 0.01),
        "granian | FastAPI": (200 * US, 0.01),
        "granian | Starlette": (180 * US, 0.01),
        "uvicorn | ctxcore": (300 * US, 0.01),
        "uvicorn | Flask": (1100 * US, 0.01),
    }
    write_suite(tmp_path / "later.json", figures)
    times = {name: (mean, mean * spread) for name, (mean, spread) in figures.items()}
    section = Section(
        name="later",
        suite=suite,
        path=tmp_path / "later.json",
        cases=[(case, case_rows(case, times)) for case in suite.CASES],
        goals=check_goals(suite.GOALS, times),
        references=[],
    )
    meta: dict[str, Any] = {
        "mode": "fast",
        "started": "2026-01-02 03:04:05",
        "machine": {
            "python": "3.12.1",
            "implementation": "CPython",
            "platform": "Linux",
            "cpus": 2,
        },
    }
    text = "\n".join(summary.markdown(meta, [section]))
    assert (
        "| [later](#later) | granian: 1.39x slower than Starlette | the same case | 1 of 1 met |"
        in text
    )
    assert "| | ctxcore | FastAPI | Starlette | Flask |" in text
    assert "| granian | 4,000 | 5,000 |  |  |" in text
    assert "| uvicorn |  |  |  | 900 |" in text
    assert "**Goals: 1 met, 0 missed** of 1" in text
    page = "".join(summary.html(meta, [section]))
    assert "<th>FastAPI</th>" in page
    assert "<a href='#later'" in page


def test_the_summary_opens_the_report_and_links_every_section(tmp_path: Path) -> None:
    from bench.report import write_report

    out = write_run(
        tmp_path / "run",
        {
            "stack": {
                "push+pop | ctxcore context": (1 * US, 0.01),
                "push+pop | werkzeug": (4 * US, 0.01),
            },
            "lookup": {
                "read | ctxcore context": (50e-9, 0.01),
                "read | threading.local": (900e-9, 0.01),
            },
        },
    )
    write_report(out)
    markdown = (out / "report.md").read_text()
    assert markdown.index("## Summary") < markdown.index("## stack: ")
    assert "Python 3.11.7 (CPython), ctxcore compiled · Linux-6.1-x86_64, 2 CPUs" in markdown
    assert "Sections: [stack](#stack) · [lookup](#lookup) · [about this run](#about)" in markdown
    assert '<a id="stack"></a>' in markdown
    page = (out / "report.html").read_text()
    assert page.index("id='summary'") < page.index("id='stack'")
    assert "read: 18.0x faster than threading.local" in page


def test_context_leads_with_asgi_against_starlette_and_wsgi_against_flask(tmp_path: Path) -> None:
    """Two headline cases, each against its strongest peer; the weakest is one of them."""
    section = section_of(
        tmp_path,
        "context",
        {
            "asgi json, async view | ctxcore": (150 * US, 0.02),
            "asgi json, async view | starlette": (100 * US, 0.02),
            "asgi json, async view | fastapi": (200 * US, 0.02),
            "wsgi json | ctxcore": (50 * US, 0.02),
            "wsgi json | flask": (125 * US, 0.02),
        },
    )
    assert suite_line(section).comparisons() == (
        "asgi json, async view: 1.50x slower than starlette; wsgi json: 2.50x faster than flask",
        "asgi json, async view (the headline's)",
    )


def test_a_noisy_comparison_shows_its_spread_and_no_winner_when_it_crosses_one(
    tmp_path: Path,
) -> None:
    section = section_of(
        tmp_path,
        "context",
        {
            "asgi json, async view | ctxcore": (110 * US, 0.20),  # 1.10x slower ± 28%
            "asgi json, async view | starlette": (100 * US, 0.20),
            "wsgi json | ctxcore": (50 * US, 0.20),  # 3x faster ± 28%: clear
            "wsgi json | flask": (150 * US, 0.20),
        },
    )
    headline, _ = suite_line(section).comparisons()
    assert headline == (
        "asgi json, async view: no clear winner against starlette (1.10x slower than starlette"
        " ± 28%); wsgi json: 3.00x faster than flask ± 28%"
    )
