"""The report's first screen: what ctxcore is good at, by how much, and where it is not.

Everything here is derived from what the suites declare, so a suite, a case or a peer
added later shows up without a change to this module:

- the environment in one line;
- the goals' verdicts over all suites (met, missed, uncertain; reference lines are
  not goals and are not counted);
- one row per suite: ctxcore against its strongest peer in the suite's headline case
  (``HEADLINE``, a case name or a tuple of them, else the first case whose first row is
  ctxcore's and that has a peer), and in its weakest case when that is another one;
  then the suite's goals, the missed and the uncertain ones named with their figures.
  The strongest peer is the fastest row that is neither ctxcore's
  (:func:`~bench.suites._base.is_ctxcore`) nor a reference. A comparison shows its
  spread when the run was noisy (:data:`NOISY`), and says that the run cannot tell
  which is faster when the ratio plus or minus its spread reaches across 1;
- a table for each suite that declares ``rates(path)`` (e2e: requests per second),
  its cases as rows and its implementations as columns;
- links down to each section.
"""

from __future__ import annotations

import html as _html
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bench.goals import (
    MET,
    MISSED,
    NOT_MEASURED,
    UNCERTAIN,
    factor_text,
    figure_text,
    ratio_spread,
)
from bench.suites._base import Case, bench_name, is_ctxcore

if TYPE_CHECKING:
    from bench.report import Row, Section

__all__ = [
    "CSS_CLASS",
    "NOISY",
    "Comparison",
    "SuiteLine",
    "comparison",
    "html",
    "markdown",
    "suite_line",
]


#: A comparison's relative spread from which the summary shows it ("± 12%").
NOISY = 0.10


@dataclass(frozen=True)
class Comparison:
    """ctxcore's row in one case against the strongest peer there."""

    case: Case
    ours: Row
    peer: Row

    @property
    def gain(self) -> float:
        """How many times faster ctxcore is (below 1: slower)."""
        return self.peer.mean / self.ours.mean

    @property
    def spread(self) -> float | None:
        """The gain's relative spread (both rows' combined), ``None`` when unknown."""
        return ratio_spread((self.ours.mean, self.ours.stdev), (self.peer.mean, self.peer.stdev))

    @property
    def uncertain(self) -> bool:
        """Whether the run cannot tell which of the two is faster."""
        spread = self.spread
        return spread is not None and self.gain * (1 - spread) <= 1 <= self.gain * (1 + spread)

    def text(self) -> str:
        """``"read: 1.70x faster than threading.local"``; with its spread when noisy
        (``"... ± 25%"``), and as "no clear winner" when the spread reaches across 1."""
        if self.gain >= 1:
            figure = f"{factor_text(self.gain)} faster than {self.peer.impl}"
        else:
            figure = f"{factor_text(1 / self.gain)} slower than {self.peer.impl}"
        spread = self.spread
        if spread is not None and spread >= NOISY:
            figure += f" ± {spread:.0%}"
        if self.uncertain:
            return f"{self.case.name}: no clear winner against {self.peer.impl} ({figure})"
        return f"{self.case.name}: {figure}"


def comparison(case: Case, rows: list[Row]) -> Comparison | None:
    """ctxcore's first row against the fastest peer, if the case has both."""
    if not rows or rows[0].impl != case.impls[0].name or not is_ctxcore(rows[0].impl):
        return None
    peers = [row for row in rows[1:] if not is_ctxcore(row.impl) and not row.reference]
    if not peers or rows[0].mean <= 0:
        return None
    return Comparison(case, rows[0], min(peers, key=lambda row: row.mean))


@dataclass(frozen=True)
class SuiteLine:
    """A suite's row in the summary."""

    name: str
    title: str
    headlines: tuple[Comparison, ...]
    weakest: Comparison | None  # None when it is a headline
    cases: int  # how many cases compare ctxcore with a peer
    verdicts: Counter[str]
    missed: list[str]  # the missed goals, with their figures
    uncertain: list[str]  # the goals this run cannot judge, with their figures
    failed: bool

    @property
    def headline(self) -> Comparison | None:
        """The first headline comparison (``None`` when the suite has none)."""
        return self.headlines[0] if self.headlines else None

    def comparisons(self) -> tuple[str, str]:
        """The headlines and the weakest case in words (a dash where there is none)."""
        if not self.headlines:
            return "—", "—"
        headlines = "; ".join(c.text() for c in self.headlines)
        if self.weakest is not None:
            return headlines, self.weakest.text()
        if self.cases <= 1:
            return headlines, "—"
        if len(self.headlines) == 1:
            return headlines, "the same case"
        lowest = min(self.headlines, key=lambda c: c.gain)
        return headlines, f"{lowest.case.name} (the headline's)"

    def goal_parts(self) -> list[tuple[str, str]]:
        """The suite's verdict as (kind, text) parts: goals met, the missed ones by name,
        how many are uncertain or not measured; kind is a verdict or ``""``."""
        total = sum(self.verdicts.values())
        if self.failed:
            return [(MISSED, "the suite failed; see its section")]
        if not total:
            return [("", "no goals")]
        parts = [(MET, f"{self.verdicts[MET]} of {total} met")]
        if self.missed:
            parts.append((MISSED, "missed: " + ", ".join(self.missed)))
        if self.uncertain:
            parts.append((UNCERTAIN, f"{UNCERTAIN}: " + ", ".join(self.uncertain)))
        if self.verdicts[NOT_MEASURED]:
            parts.append(("", f"{self.verdicts[NOT_MEASURED]} {NOT_MEASURED}"))
        return parts

    def goals(self) -> str:
        """:meth:`goal_parts` in one line."""
        return "; ".join(text for _, text in self.goal_parts())


def _named(section: Section, verdict: str) -> list[str]:
    return [
        f"{result.goal.text} ({figure_text(result)})"
        for result in section.goals
        if result.verdict == verdict
    ]


def suite_line(section: Section) -> SuiteLine:
    """The summary row of one suite (see the module docstring)."""
    found = [c for c in (comparison(case, rows) for case, rows in section.cases) if c]
    declared = getattr(section.suite, "HEADLINE", ())
    names = (declared,) if isinstance(declared, str) else tuple(declared)
    by_name = {c.case.name: c for c in found}
    headlines = tuple(by_name[name] for name in names if name in by_name)
    if not headlines and found:
        headlines = (found[0],)
    weakest = min(found, key=lambda c: c.gain) if found else None
    return SuiteLine(
        name=section.name,
        title=section.suite.TITLE,
        headlines=headlines,
        weakest=None if weakest in headlines else weakest,
        cases=len(found),
        verdicts=Counter(result.verdict for result in section.goals),
        missed=_named(section, MISSED),
        uncertain=_named(section, UNCERTAIN),
        failed=section.failed,
    )


def _environment(meta: dict[str, Any]) -> str:
    from bench.report import implementation_of

    machine = meta["machine"]
    return (
        f"Python {machine['python']} ({machine['implementation']}), ctxcore "
        f"{implementation_of(meta)} · {machine['platform'].split('-with-')[0]}, "
        f"{machine['cpus']} CPUs · "
        f"{meta['mode']} run, {meta['started']}"
    )


def _totals(sections: list[Section]) -> tuple[str, str]:
    """(the counts in bold, the rest of the sentence)."""
    verdicts = Counter(result.verdict for section in sections for result in section.goals)
    total = sum(verdicts.values())
    if not total:
        return "No goals in these suites.", ""
    counts = f"Goals: {verdicts[MET]} met, {verdicts[MISSED]} missed"
    if verdicts[UNCERTAIN]:
        counts += f", {verdicts[UNCERTAIN]} {UNCERTAIN}"
    if verdicts[NOT_MEASURED]:
        counts += f", {verdicts[NOT_MEASURED]} {NOT_MEASURED}"
    return counts, f" of {total} (reference lines are not goals and are not counted)."


@dataclass(frozen=True)
class RateTable:
    """A suite's rates, its cases by its implementations."""

    section: str
    title: str
    unit: str
    columns: list[str]
    rows: list[tuple[str, list[str]]]


def _rate_tables(sections: list[Section]) -> list[RateTable]:
    tables = []
    for section in sections:
        rates_of = getattr(section.suite, "rates", None)
        if rates_of is None or not section.path.exists():
            continue
        rates: dict[str, float] = rates_of(section.path)
        cases = [case for case, _ in section.cases]
        columns: list[str] = []
        for case in cases:
            columns += [impl.name for impl in case.impls if impl.name not in columns]
        columns.sort(key=lambda name: not is_ctxcore(name))  # ctxcore's first, else in order
        rows = []
        for case in cases:
            known = {impl.name: rates.get(bench_name(case, impl)) for impl in case.impls}
            cells = [f"{known[c]:,.0f}" if known.get(c) else "" for c in columns]
            if any(cells):
                rows.append((case.name, cells))
        unit = "req/s" if cases and cases[0].unit == "per request" else "per second"
        if rows:
            tables.append(RateTable(section.name, section.suite.TITLE, unit, columns, rows))
    return tables


#: The CSS class of each verdict in the HTML report.
CSS_CLASS = {MET: "met", MISSED: "missed", UNCERTAIN: "uncertain", NOT_MEASURED: "not-measured"}
HEADERS = ("suite", "ctxcore against its strongest peer", "where it is weakest", "goals")


def markdown(meta: dict[str, Any], sections: list[Section]) -> list[str]:
    """The summary as Markdown lines."""
    lines = ['<a id="summary"></a>', "", "## Summary", ""]
    lines += [f"{_environment(meta)} ([details](#about))", ""]
    if meta["mode"] == "smoke":
        lines += ["> Smoke mode: one value per benchmark; a check, not a measurement.", ""]
    counts, rest = _totals(sections)
    lines += [f"**{counts}**{rest}", ""]
    lines += ["| " + " | ".join(HEADERS) + " |", "|---|---|---|---|"]
    for section in sections:
        line = suite_line(section)
        headline, weakest = line.comparisons()
        lines.append(f"| [{line.name}](#{line.name}) | {headline} | {weakest} | {line.goals()} |")
    lines.append("")
    for table in _rate_tables(sections):
        lines += [f"**{table.section}: {table.unit}** ([details](#{table.section}))", ""]
        lines += ["| | " + " | ".join(table.columns) + " |", "|---|" + "---:|" * len(table.columns)]
        lines += [f"| {name} | " + " | ".join(cells) + " |" for name, cells in table.rows]
        lines.append("")
    links = " · ".join(f"[{section.name}](#{section.name})" for section in sections)
    lines += [f"Sections: {links} · [about this run](#about)", ""]
    return lines


def html(meta: dict[str, Any], sections: list[Section]) -> list[str]:
    """The summary as HTML fragments (a ``<section id="summary">``)."""
    esc = _html.escape
    parts = ["<section id='summary'>"]
    parts.append(f"<p>{esc(_environment(meta))} (<a href='#about'>details</a>)</p>")
    if meta["mode"] == "smoke":
        parts.append("<p class='note'>Smoke mode: one value per benchmark, not a measurement.</p>")
    counts, rest = _totals(sections)
    parts.append(f"<p><strong>{esc(counts)}</strong>{esc(rest)}</p>")
    parts.append("<table><tr>" + "".join(f"<th>{esc(h)}</th>" for h in HEADERS) + "</tr>")
    for section in sections:
        line = suite_line(section)
        headline, weakest = line.comparisons()
        goals = "; ".join(
            f"<span class='{CSS_CLASS.get(kind, '')}'>{esc(text)}</span>"
            for kind, text in line.goal_parts()
        )
        parts.append(
            f"<tr><td><a href='#{esc(line.name)}' title='{esc(line.title)}'>{esc(line.name)}</a>"
            f"</td><td>{esc(headline)}</td><td>{esc(weakest)}</td><td>{goals}</td></tr>"
        )
    parts.append("</table>")
    for table in _rate_tables(sections):
        parts.append(
            f"<p><strong>{esc(table.section)}: {esc(table.unit)}</strong> "
            f"(<a href='#{esc(table.section)}'>details</a>)</p><table><tr><th></th>"
        )
        parts.extend(f"<th>{esc(column)}</th>" for column in table.columns)
        parts.append("</tr>")
        for name, cells in table.rows:
            row = "".join(f"<td class='num'>{esc(cell)}</td>" for cell in cells)
            parts.append(f"<tr><td>{esc(name)}</td>{row}</tr>")
        parts.append("</table>")
    links = " · ".join(
        f"<a href='#{esc(section.name)}'>{esc(section.name)}</a>" for section in sections
    )
    parts.append(f"<p>Sections: {links} · <a href='#about'>about this run</a></p></section>")
    return parts
