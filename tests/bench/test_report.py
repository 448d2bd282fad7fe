"""report.md and report.html from a result folder: tables, spreads, goals, references."""

from __future__ import annotations

import pytest

from bench.report import write_report

from .results import write_run

US = 1e-6


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A written report (Markdown, HTML) of two suites with chosen figures."""
    out = write_run(
        tmp_path_factory.mktemp("report") / "run",
        {
            "json": {
                "dumps direct | orjson": (3 * US, 0.1),
                "dumps direct | ujson": (12 * US, 0.1),
                "dumps direct | stdlib": (31 * US, 0.1),
            },
            "lookup": {
                "write | ctxcore context": (300e-9, 0.02),
                "write | threading.local": (100e-9, 0.02),
                "write | ContextVar.set": (250e-9, 0.02),
            },
        },
    )
    write_report(out)
    return (out / "report.md").read_text(), (out / "report.html").read_text()


def test_the_ratio_column_names_the_row_it_divides_by(report: tuple[str, str]) -> None:
    """The JSON tables' 1.00 row is orjson: the column says so (not 'x ctxcore')."""
    markdown, page = report
    assert "| implementation | time | x orjson |" in markdown
    assert "| implementation | time | x ctxcore context |" in markdown
    assert "<th>x orjson</th>" in page
    assert "x ctxcore |" not in markdown


def test_html_tables_show_the_spread_as_markdown_does(report: tuple[str, str]) -> None:
    markdown, page = report
    assert "| ujson | 12 us ± 1.2 us | 4.00 |" in markdown
    assert "<td class='num'>12 us ± 1.2 us</td>" in page


def test_a_floor_is_a_reference_line_not_a_missed_goal(report: tuple[str, str]) -> None:
    """A bare ContextVar.set over threading.local bounds the write goal: no verdict."""
    markdown, page = report
    floor = (
        "*floor: a bare ContextVar.set() ÷ a threading.local write* | | 2.50x ± 3% | reference |"
    )
    assert floor in markdown
    assert "<tr class='reference'><td>floor: a bare ContextVar.set()" in page
    assert "| write <= 1.5x threading.local | <= 1.5x threading.local's time " in markdown
    # The floor is not counted; goals without both figures are not measured.
    assert "**Goals: 1 met, 1 missed, 11 not measured** of 13 " in markdown


def test_each_section_has_its_chart(report: tuple[str, str]) -> None:
    markdown, page = report
    assert "![json](charts/json.png)" in markdown
    assert "![lookup](charts/lookup.png)" in markdown
    assert page.count("data:image/png;base64,") == 2
