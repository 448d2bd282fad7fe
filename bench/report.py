"""Turn a result folder (pyperf JSON per suite + meta.json) into report.md and report.html."""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.suites import load
from bench.suites._base import Case, Details, Goal, bench_name


@dataclass(frozen=True)
class Row:
    """One implementation's figures in one case."""

    impl: str
    mean: float
    stdev: float | None
    ratio: float | None  # mean / reference mean


def implementation_of(meta: dict[str, Any]) -> str:
    """Which ctxcore implementation a run measured ("compiled"/"python"; older runs: "?")."""
    return str(meta["machine"].get("ctxcore_implementation", "?"))


def _format_time(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def load_times(path: Path) -> dict[str, tuple[float, float | None]]:
    """Map benchmark name to (mean, stdev) seconds from a pyperf JSON file."""
    import pyperf

    times: dict[str, tuple[float, float | None]] = {}
    for bench in pyperf.BenchmarkSuite.load(str(path)).get_benchmarks():
        values = bench.get_values()
        stdev = bench.stdev() if len(values) > 1 else None
        times[bench.get_name()] = (bench.mean(), stdev)
    return times


def case_rows(case: Case, times: dict[str, tuple[float, float | None]]) -> list[Row]:
    """The measured rows of a case; the ratio is against its first (ctxcore) row."""
    reference = times.get(bench_name(case, case.impls[0]))
    rows = []
    for impl in case.impls:
        measured = times.get(bench_name(case, impl))
        if measured is None:
            continue
        ratio = measured[0] / reference[0] if reference else None
        rows.append(Row(impl.name, measured[0], measured[1], ratio))
    return rows


def goal_results(
    goals: tuple[Goal, ...], times: dict[str, tuple[float, float | None]]
) -> list[dict[str, Any]]:
    """Check each goal whose two benchmarks were measured."""
    results = []
    for goal in goals:
        subject = times.get(f"{goal.case} | {goal.subject}")
        peer = times.get(f"{goal.case} | {goal.peer}")
        if subject is None or peer is None:
            results.append({"goal": goal, "measured": None, "ok": None})
            continue
        measured, ok = goal.check(subject[0], peer[0])
        results.append({"goal": goal, "measured": measured, "ok": ok})
    return results


def _target(goal: Goal) -> str:
    if goal.kind == "at_most":
        return f"<= {goal.factor:g}x {goal.peer}'s time"
    return f">= {goal.factor:g}x faster than {goal.peer}"


def _measured(goal: Goal, measured: float | None) -> str:
    if measured is None:
        return "not measured"
    if goal.kind == "at_most":
        return f"{measured:.2f}x {goal.peer}'s time"
    return f"{measured:.1f}x faster"


def _reading(case: Case, rows: list[Row]) -> str:
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


def chart(suite_name: str, cases: list[tuple[Case, list[Row]]], out: Path) -> Path | None:
    """Bar chart of times relative to ctxcore per case (log axis for wide spreads), or None."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    measured = [(case, rows) for case, rows in cases if rows and rows[0].ratio]
    if not measured:
        return None
    fig, axes = plt.subplots(
        len(measured), 1, figsize=(8, 1.2 + 0.45 * sum(len(r) for _, r in measured)), squeeze=False
    )
    for ax, (case, rows) in zip(axes[:, 0], measured, strict=True):
        names = [row.impl for row in rows]
        ratios = [row.ratio or 0.0 for row in rows]
        colors = ["#2b6cb0" if name.startswith("ctxcore") else "#a0aec0" for name in names]
        ax.barh(names, ratios, color=colors)
        ax.axvline(1.0, color="#444", linewidth=0.8)
        if max(ratios) / max(min(ratios), 1e-12) > 5:  # wide spreads need a log axis
            ax.set_xscale("log")
        ax.invert_yaxis()
        ax.set_title(f"{case.name}: time relative to {rows[0].impl} (lower is faster)", fontsize=9)
        ax.tick_params(labelsize=8)
    fig.tight_layout()
    charts = out / "charts"
    charts.mkdir(exist_ok=True)
    path = charts / f"{suite_name}.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_report(out: Path) -> list[Path]:
    """Write report.md and report.html for the results in ``out``; return their paths."""
    meta = json.loads((out / "meta.json").read_text())
    sections = []
    for suite_name in meta["suites"]:
        suite = load(suite_name)
        path = out / f"{suite_name}.json"
        times = load_times(path) if path.exists() else {}
        cases = [(case, case_rows(case, times)) for case in suite.CASES]
        if not getattr(suite, "TIME_TABLES", True):
            cases = []  # the suite's details() replace the time tables and ratio chart
        notes_of = getattr(suite, "report_notes", None)
        details_of = getattr(suite, "details", None)
        details = details_of(path, out) if details_of is not None else Details()
        sections.append(
            {
                "notes": [*(notes_of() if notes_of is not None else []), *details.notes],
                "details": details,
                "name": suite_name,
                "suite": suite,
                "cases": cases,
                "goals": goal_results(getattr(suite, "GOALS", ()), times),
                "chart": chart(suite_name, cases, out),
                "skipped": meta["skipped"].get(suite_name, []),
                "failed": suite_name in meta.get("failed", []),
            }
        )
    md = out / "report.md"
    md.write_text(render_markdown(meta, sections, out))
    page = out / "report.html"
    page.write_text(render_html(meta, sections))
    return [md, page]


def render_markdown(meta: dict[str, Any], sections: list[dict[str, Any]], out: Path) -> str:
    lines = [
        "# ctxcore benchmark report",
        "",
        f"Mode: `{meta['mode']}`; started {meta['started']}, finished {meta.get('finished', '?')}.",
        f"Machine: {meta['machine']['platform']}, {meta['machine']['cpus']} CPUs, "
        f"Python {meta['machine']['python']} ({meta['machine']['implementation']}); "
        f"ctxcore implementation: {implementation_of(meta)}.",
        "Times are pyperf means (± standard deviation) per operation; "
        "'x ctxcore' is each time divided by the ctxcore row's "
        "(below 1 means faster than ctxcore).",
        "",
    ]
    if meta["mode"] == "smoke":
        lines += [
            "> Smoke mode: one value per benchmark. These figures prove the suite runs; "
            "they are not measurements.",
            "",
        ]
    lines += [
        "Libraries: " + ", ".join(f"{k} {v}" for k, v in meta["machine"]["libraries"].items() if v),
        "",
    ]
    for section in sections:
        suite = section["suite"]
        lines += [f"## {section['name']}: {suite.TITLE}", "", suite.DESCRIPTION, ""]
        if section["failed"]:
            lines += ["**This suite failed (or found problems); see the console output.**", ""]
        for case, rows in section["cases"]:
            lines += [f"### {case.name} — `{case.title}` ({case.unit})", ""]
            lines += ["| implementation | time | x ctxcore |", "|---|---:|---:|"]
            for row in rows:
                spread = f" ± {_format_time(row.stdev)}" if row.stdev else ""
                ratio = f"{row.ratio:.2f}" if row.ratio is not None else "—"
                lines.append(f"| {row.impl} | {_format_time(row.mean)}{spread} | {ratio} |")
            reading = _reading(case, rows)
            lines += ["", reading, ""] if reading else [""]
        details: Details = section["details"]
        for table in details.tables:
            lines += [f"**{table.title}**", "", "| " + " | ".join(table.headers) + " |"]
            lines.append("|---|" + "---:|" * (len(table.headers) - 1))
            lines += ["| " + " | ".join(row) + " |" for row in table.rows]
            lines.append("")
        for note in section["notes"]:
            lines += [note, ""]
        if section["goals"]:
            lines += ["**Goals**", "", "| goal | target | measured | result |", "|---|---|---|---|"]
            for result in section["goals"]:
                goal = result["goal"]
                verdict = {True: "met", False: "MISSED", None: "not measured"}[result["ok"]]
                lines.append(
                    f"| {goal.text} | {_target(goal)} "
                    f"| {_measured(goal, result['measured'])} | {verdict} |"
                )
            lines.append("")
        if section["skipped"]:
            lines += [
                "Skipped: "
                + "; ".join(f"{s['benchmark']} ({s['reason']})" for s in section["skipped"]),
                "",
            ]
        for path in (section["chart"], *details.charts):
            if path is not None:
                lines += [f"![{section['name']}]({path.relative_to(out)})", ""]
    return "\n".join(lines)


def _img(path: Path | None) -> str:
    if path is None:
        return ""
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<img alt="chart" src="data:image/png;base64,{data}">'


def render_html(meta: dict[str, Any], sections: list[dict[str, Any]]) -> str:
    esc = html.escape
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>ctxcore benchmark report</title><style>",
        "body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;"
        "padding:0 1em;color:#222}",
        "table{border-collapse:collapse;margin:.5em 0 1em}"
        "td,th{border:1px solid #ccc;padding:.3em .6em}",
        "td.num{text-align:right;font-variant-numeric:tabular-nums}.missed{color:#b00;font-weight:bold}",
        ".met{color:#070}img{max-width:100%}.note{background:#fff7d6;padding:.5em}",
        "</style></head><body><h1>ctxcore benchmark report</h1>",
        f"<p>Mode <code>{esc(meta['mode'])}</code>; started {esc(meta['started'])}. "
        f"{esc(meta['machine']['platform'])}, {meta['machine']['cpus']} CPUs, "
        f"Python {esc(meta['machine']['python'])}; "
        f"ctxcore implementation: {esc(implementation_of(meta))}.</p>",
    ]
    if meta["mode"] == "smoke":
        parts.append("<p class='note'>Smoke mode: one value per benchmark, not a measurement.</p>")
    for section in sections:
        suite = section["suite"]
        parts.append(
            f"<h2>{esc(section['name'])}: {esc(suite.TITLE)}</h2><p>{esc(suite.DESCRIPTION)}</p>"
        )
        for case, rows in section["cases"]:
            parts.append(f"<h3>{esc(case.name)} — <code>{esc(case.title)}</code></h3><table>")
            parts.append("<tr><th>implementation</th><th>time</th><th>x ctxcore</th></tr>")
            for row in rows:
                ratio = f"{row.ratio:.2f}" if row.ratio is not None else "—"
                parts.append(
                    f"<tr><td>{esc(row.impl)}</td>"
                    f"<td class='num'>{esc(_format_time(row.mean))}</td>"
                    f"<td class='num'>{ratio}</td></tr>"
                )
            parts.append(f"</table><p>{esc(_reading(case, rows))}</p>")
        details = section["details"]
        for table in details.tables:
            parts.append(f"<h4>{esc(table.title)}</h4><table><tr>")
            parts.extend(f"<th>{esc(header)}</th>" for header in table.headers)
            parts.append("</tr>")
            for row in table.rows:
                cells = [f"<td>{esc(row[0])}</td>"]
                cells += [f"<td class='num'>{esc(cell)}</td>" for cell in row[1:]]
                parts.append("<tr>" + "".join(cells) + "</tr>")
            parts.append("</table>")
        parts.extend(f"<p>{esc(note)}</p>" for note in section["notes"])
        if section["goals"]:
            parts.append(
                "<table><tr><th>goal</th><th>target</th><th>measured</th><th>result</th></tr>"
            )
            for result in section["goals"]:
                goal = result["goal"]
                verdict = {True: "met", False: "missed", None: "not measured"}[result["ok"]]
                parts.append(
                    f"<tr><td>{esc(goal.text)}</td><td>{esc(_target(goal))}</td>"
                    f"<td>{esc(_measured(goal, result['measured']))}</td>"
                    f"<td class='{verdict}'>{verdict}</td></tr>"
                )
            parts.append("</table>")
        if section["skipped"]:
            skipped = "; ".join(f"{s['benchmark']} ({s['reason']})" for s in section["skipped"])
            parts.append(f"<p>Skipped: {esc(skipped)}</p>")
        parts.append(_img(section["chart"]))
        parts.extend(_img(path) for path in details.charts)
    parts.append("</body></html>")
    return "\n".join(parts)
