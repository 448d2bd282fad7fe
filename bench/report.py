"""Turn a result folder (pyperf JSON per suite + meta.json) into report.md and report.html.

The report opens with a summary (:mod:`bench.summary`) a person reads in one screen,
then one section per suite: its time tables (each time ± its standard deviation, and
its ratio to the case's first row), the suite's own tables and notes, its goals and
reference lines (:mod:`bench.goals`), and its charts (:mod:`bench.charts`).
"""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from bench import summary
from bench.charts import ratio_chart
from bench.goals import (
    MISSED,
    UNCERTAIN,
    GoalResult,
    ReferenceResult,
    Times,
    check_goals,
    check_references,
    measured_text,
    target_text,
)
from bench.suites import load
from bench.suites._base import Case, Details, bench_name

__all__ = [
    "Row",
    "Section",
    "case_rows",
    "format_time",
    "implementation_of",
    "load_times",
    "render_html",
    "render_markdown",
    "write_report",
]


@dataclass(frozen=True)
class Row:
    """One implementation's figures in one case."""

    impl: str
    mean: float
    stdev: float | None
    ratio: float | None  # mean / the case's first row's mean
    reference: bool = False  # a floor or baseline, not a peer (see Impl)


@dataclass
class Section:
    """One suite's results, as the report shows them."""

    name: str
    suite: ModuleType
    path: Path
    cases: list[tuple[Case, list[Row]]]
    goals: list[GoalResult]
    references: list[ReferenceResult]
    details: Details = field(default_factory=Details)
    notes: list[str] = field(default_factory=list)
    chart: Path | None = None
    skipped: list[dict[str, str]] = field(default_factory=list)
    failed: bool = False

    @property
    def time_tables(self) -> bool:
        """Whether the time tables and ratio chart are shown (soak replaces them)."""
        return bool(getattr(self.suite, "TIME_TABLES", True))


def implementation_of(meta: dict[str, Any]) -> str:
    """Which ctxcore implementation a run measured ("c"/"py"; older runs: "compiled"/"python")."""
    return str(meta["machine"].get("ctxcore_implementation", "?"))


def format_time(seconds: float) -> str:
    """A time with three significant digits and a unit (s, ms, us, ns)."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def _time_cell(row: Row) -> str:
    spread = f" ± {format_time(row.stdev)}" if row.stdev else ""
    return f"{format_time(row.mean)}{spread}"


def load_times(path: Path) -> Times:
    """Map benchmark name to (mean, stdev) seconds from a pyperf JSON file."""
    import pyperf

    times: Times = {}
    for bench in pyperf.BenchmarkSuite.load(str(path)).get_benchmarks():
        values = bench.get_values()
        stdev = bench.stdev() if len(values) > 1 else None
        times[bench.get_name()] = (bench.mean(), stdev)
    return times


def case_rows(case: Case, times: Times) -> list[Row]:
    """The measured rows of a case; the ratio is against its first row."""
    reference = times.get(bench_name(case, case.impls[0]))
    rows = []
    for impl in case.impls:
        measured = times.get(bench_name(case, impl))
        if measured is None:
            continue
        ratio = measured[0] / reference[0] if reference else None
        rows.append(Row(impl.name, measured[0], measured[1], ratio, impl.reference))
    return rows


def _ratio_header(case: Case) -> str:
    return f"x {case.impls[0].name}"


def _reading(rows: list[Row]) -> str:
    if len(rows) < 2:
        return ""
    ordered = sorted(rows, key=lambda row: row.mean)
    reference = rows[0]
    place = ordered.index(reference) + 1
    fastest = ordered[0]
    parts = [f"{reference.impl} is {place} of {len(rows)}"]
    if fastest is not reference:
        parts.append(f"{fastest.impl} is fastest at {reference.mean / fastest.mean:.2f}x less time")
    slowest = ordered[-1]
    if slowest is not reference and reference.mean:
        parts.append(f"{slowest.impl} takes {slowest.mean / reference.mean:.1f}x its time")
    return "; ".join(parts) + "."


def build_section(name: str, out: Path, meta: dict[str, Any]) -> Section:
    """Read one suite's results from ``out``."""
    suite = load(name)
    path = out / f"{name}.json"
    times = load_times(path) if path.exists() else {}
    goal_times = getattr(suite, "goal_times", None)
    if goal_times is not None and path.exists():
        # Figures a suite's goals compare besides its times (e2e: latency percentiles).
        times = {**times, **goal_times(path)}
    notes_of = getattr(suite, "report_notes", None)
    details_of = getattr(suite, "details", None)
    details = details_of(path, out) if details_of is not None else Details()
    section = Section(
        name=name,
        suite=suite,
        path=path,
        cases=[(case, case_rows(case, times)) for case in suite.CASES],
        goals=check_goals(getattr(suite, "GOALS", ()), times),
        references=check_references(getattr(suite, "REFERENCES", ()), times),
        details=details,
        notes=[*(notes_of() if notes_of is not None else []), *details.notes],
        skipped=meta["skipped"].get(name, []),
        failed=name in meta.get("failed", []),
    )
    if section.time_tables:
        section.chart = ratio_chart(name, section.cases, out)
    return section


def write_report(out: Path) -> list[Path]:
    """Write report.md and report.html for the results in ``out``; return their paths."""
    meta = json.loads((out / "meta.json").read_text())
    sections = [build_section(name, out, meta) for name in meta["suites"]]
    md = out / "report.md"
    md.write_text(render_markdown(meta, sections, out))
    page = out / "report.html"
    page.write_text(render_html(meta, sections))
    return [md, page]


def _about(meta: dict[str, Any]) -> list[str]:
    """The run's full description and how to read the tables (below the summary)."""
    machine = meta["machine"]
    libraries = ", ".join(f"{k} {v}" for k, v in machine["libraries"].items() if v)
    return [
        f"Mode `{meta['mode']}`; started {meta['started']}, finished {meta.get('finished', '?')}.",
        f"Machine: {machine['platform']}, {machine['cpus']} CPUs, Python {machine['python']} "
        f"({machine['implementation']}); ctxcore implementation: {implementation_of(meta)}.",
        f"Libraries: {libraries}.",
        "Times are pyperf means ± standard deviation; the 'x NAME' column divides each time "
        "by the case's first row's (below 1: faster than that row). A goal is "
        f"'{UNCERTAIN}' when its ratio ± the two sides' spreads combined reaches "
        "across the goal's line: this run cannot tell. A reference line bounds a goal "
        "(a floor or a ceiling no implementation passes) and has no verdict.",
    ]


def render_markdown(meta: dict[str, Any], sections: list[Section], out: Path) -> str:
    """The report as Markdown (charts linked from ``out/charts``)."""
    lines = ["# ctxcore benchmark report", "", *summary.markdown(meta, sections), ""]
    lines += ['<a id="about"></a>', "", "## About this run", ""]
    for paragraph in _about(meta):
        lines += [paragraph, ""]
    for section in sections:
        suite = section.suite
        lines += [f'<a id="{section.name}"></a>', ""]
        lines += [f"## {section.name}: {suite.TITLE}", "", suite.DESCRIPTION, ""]
        if section.failed:
            lines += ["**This suite failed (or found problems); see the console output.**", ""]
        for case, rows in section.cases if section.time_tables else []:
            lines += [f"### {case.name} — `{case.title}` ({case.unit})", ""]
            lines += [f"| implementation | time | {_ratio_header(case)} |", "|---|---:|---:|"]
            for row in rows:
                ratio = f"{row.ratio:.2f}" if row.ratio is not None else "—"
                lines.append(f"| {row.impl} | {_time_cell(row)} | {ratio} |")
            reading = _reading(rows)
            lines += ["", reading, ""] if reading else [""]
        for table in section.details.tables:
            lines += [f"**{table.title}**", "", "| " + " | ".join(table.headers) + " |"]
            lines.append("|---|" + "---:|" * (len(table.headers) - 1))
            lines += ["| " + " | ".join(row) + " |" for row in table.rows]
            lines.append("")
        for note in section.notes:
            lines += [note, ""]
        lines += _goal_lines(section)
        if section.skipped:
            lines += [
                "Skipped: "
                + "; ".join(f"{s['benchmark']} ({s['reason']})" for s in section.skipped),
                "",
            ]
        for path in (section.chart, *section.details.charts):
            if path is not None:
                lines += [f"![{section.name}]({path.relative_to(out)})", ""]
    return "\n".join(lines)


def _goal_lines(section: Section) -> list[str]:
    if not section.goals and not section.references:
        return []
    lines = ["**Goals**", "", "| goal | target | measured | result |", "|---|---|---|---|"]
    for result in section.goals:
        verdict = result.verdict.upper() if result.verdict == MISSED else result.verdict
        lines.append(
            f"| {result.goal.text} | {target_text(result.goal)} "
            f"| {measured_text(result)} | {verdict} |"
        )
    for line in section.references:
        lines.append(f"| *{line.reference.text}* | | {measured_text(line)} | reference |")
    return [*lines, ""]


def _img(path: Path | None) -> str:
    if path is None:
        return ""
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<img alt="chart" src="data:image/png;base64,{data}">'


STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:1200px;margin:.8em auto;padding:0 1em;"
    "color:#222;line-height:1.3}"
    "h1{margin:.2em 0 .2em;font-size:1.7em}h2{margin-top:1.6em}"
    "table{border-collapse:collapse;margin:.5em 0 1em}"
    "td,th{border:1px solid #ccc;padding:.25em .55em;vertical-align:top}"
    "td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    ".missed{color:#b00;font-weight:bold}.met{color:#070}.uncertain{color:#a05a00}"
    ".reference{color:#555;font-style:italic}"
    "img{max-width:100%}.note{background:#fff7d6;padding:.5em}"
    "#summary{font-size:.9em}#summary p{margin:.3em 0}#summary table{margin:.3em 0 .5em}"
    "#summary td,#summary th{padding:.15em .45em}"
)


def render_html(meta: dict[str, Any], sections: list[Section]) -> str:
    """The report as one self-contained HTML page (charts inline)."""
    esc = html.escape
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>ctxcore benchmark report</title><style>{STYLE}</style></head><body>",
        "<h1>ctxcore benchmark report</h1>",
        *summary.html(meta, sections),
        "<h2 id='about'>About this run</h2>",
        *(f"<p>{esc(paragraph).replace('`', '')}</p>" for paragraph in _about(meta)),
    ]
    for section in sections:
        suite = section.suite
        parts.append(
            f"<h2 id='{esc(section.name)}'>{esc(section.name)}: {esc(suite.TITLE)}</h2>"
            f"<p>{esc(suite.DESCRIPTION)}</p>"
        )
        if section.failed:
            parts.append("<p class='note'>This suite failed (or found problems).</p>")
        for case, rows in section.cases if section.time_tables else []:
            parts.append(f"<h3>{esc(case.name)} — <code>{esc(case.title)}</code></h3><table>")
            parts.append(
                f"<tr><th>implementation</th><th>time ({esc(case.unit)})</th>"
                f"<th>{esc(_ratio_header(case))}</th></tr>"
            )
            for row in rows:
                ratio = f"{row.ratio:.2f}" if row.ratio is not None else "—"
                parts.append(
                    f"<tr><td>{esc(row.impl)}</td><td class='num'>{esc(_time_cell(row))}</td>"
                    f"<td class='num'>{ratio}</td></tr>"
                )
            parts.append(f"</table><p>{esc(_reading(rows))}</p>")
        for table in section.details.tables:
            parts.append(f"<h4>{esc(table.title)}</h4><table><tr>")
            parts.extend(f"<th>{esc(header)}</th>" for header in table.headers)
            parts.append("</tr>")
            for cells in table.rows:
                row_html = [f"<td>{esc(cells[0])}</td>"]
                row_html += [f"<td class='num'>{esc(cell)}</td>" for cell in cells[1:]]
                parts.append("<tr>" + "".join(row_html) + "</tr>")
            parts.append("</table>")
        parts.extend(f"<p>{esc(note)}</p>" for note in section.notes)
        parts.extend(_goal_html(section))
        if section.skipped:
            skipped = "; ".join(f"{s['benchmark']} ({s['reason']})" for s in section.skipped)
            parts.append(f"<p>Skipped: {esc(skipped)}</p>")
        parts.append(_img(section.chart))
        parts.extend(_img(path) for path in section.details.charts)
    parts.append("</body></html>")
    return "\n".join(parts)


def _goal_html(section: Section) -> list[str]:
    if not section.goals and not section.references:
        return []
    esc = html.escape
    parts = ["<table><tr><th>goal</th><th>target</th><th>measured</th><th>result</th></tr>"]
    for result in section.goals:
        parts.append(
            f"<tr><td>{esc(result.goal.text)}</td><td>{esc(target_text(result.goal))}</td>"
            f"<td>{esc(measured_text(result))}</td>"
            f"<td class='{summary.CSS_CLASS[result.verdict]}'>{esc(result.verdict)}</td></tr>"
        )
    for line in section.references:
        parts.append(
            f"<tr class='reference'><td>{esc(line.reference.text)}</td><td></td>"
            f"<td>{esc(measured_text(line))}</td><td>reference</td></tr>"
        )
    parts.append("</table>")
    return parts
