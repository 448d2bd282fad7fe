"""What one soak target measured, the figures the report derives from it, and its verdict.

A run is a series of samples taken while requests go through: RSS of the
process that serves them and, where it can be read without a request in flight, how
many idents still hold a pushed request / app context. The first ``warmup`` cycles
fill caches, pools and allocator arenas; memory is judged from the first sample after
them (the baseline) to the end: the run is flat when no later sample is further than
:data:`RSS_BOUND` from the baseline.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "MARKER", "MB", "RSS_BOUND", "Figures", "Progress", "Sample", "SoakResult", "classify",
    "figures", "tenths", "verdict",
]  # fmt: skip

#: Starts the line on which a target's process prints its result (JSON).
MARKER = "CTXCORE-SOAK "
MB = 1024 * 1024
#: The issue's bound: RSS after warm-up stays within this of its baseline.
RSS_BOUND = 5 * MB


def classify(rid: str, status: int, body: bytes) -> str | None:
    """What one answer of the soak app was: None (clean), ``"leak"``, or an error kind.

    An error is a failed request (not 200, not the app's JSON); a leak is an answer
    that is the app's but names another request or says it saw something not its own.
    """
    if status != 200:
        return f"status {status}"
    try:
        answer = json.loads(body)
    except ValueError:
        return "body"
    if not isinstance(answer, dict) or "ok" not in answer:
        return "body"
    if answer.get("rid") != rid or answer["ok"] is not True:
        return "leak"
    return None


@dataclass(frozen=True)
class Sample:
    """One point of a run: when, how many cycles done, RSS, live idents (None: not read)."""

    t: float  # seconds since the first cycle started
    cycles: int
    rss: int | None  # bytes
    live_request: int | None = None
    live_app: int | None = None

    def row(self) -> list[Any]:
        return [round(self.t, 3), self.cycles, self.rss, self.live_request, self.live_app]

    @classmethod
    def from_row(cls, row: list[Any]) -> Sample:
        return cls(float(row[0]), int(row[1]), row[2], row[3], row[4])


@dataclass
class SoakResult:
    """One target's whole run."""

    target: str
    setup: str  # how the load was applied, for the report ("4 threads", "32 connections")
    cycles: int = 0  # requests answered (correctly or not)
    wall: float = 0.0  # seconds from the first request to the last answer
    leaks: int = 0  # answers that saw another request's values or leftovers
    warmup: int = 0  # cycles before the memory baseline
    errors: dict[str, int] = field(default_factory=dict)
    samples: list[Sample] = field(default_factory=list)
    # Idents holding a pushed context once the load has stopped (the probe's own excluded).
    live_end: dict[str, int] = field(default_factory=dict)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def error(self, kind: str, count: int = 1) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + count

    def count(self, rid: str, status: int, body: bytes) -> None:
        """Count one answered request (see :func:`classify`)."""
        self.cycles += 1
        kind = classify(rid, status, body)
        if kind == "leak":
            self.leaks += 1
        elif kind is not None:
            self.error(kind)

    def merge(self, other: SoakResult) -> None:
        """Add the cycles, leaks and errors counted in ``other``."""
        self.cycles += other.cycles
        self.leaks += other.leaks
        for kind, count in other.errors.items():
            self.error(kind, count)

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "setup": self.setup,
            "cycles": self.cycles,
            "wall": self.wall,
            "leaks": self.leaks,
            "warmup": self.warmup,
            "errors": self.errors,
            "samples": [s.row() for s in self.samples],
            "live_end": self.live_end,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SoakResult:
        return cls(
            target=data["target"],
            setup=data["setup"],
            cycles=int(data["cycles"]),
            wall=float(data["wall"]),
            leaks=int(data["leaks"]),
            warmup=int(data["warmup"]),
            errors={k: int(v) for k, v in data["errors"].items()},
            samples=[Sample.from_row(row) for row in data["samples"]],
            live_end={k: int(v) for k, v in data["live_end"].items()},
        )

    def metadata(self, name: str) -> dict[str, Any]:
        """pyperf run metadata (the report reads the ``soak_`` keys back)."""
        return {"name": name, "unit": "second", "soak_result": json.dumps(self.to_json())}


@dataclass(frozen=True)
class Figures:
    """What the report shows of a run (bytes; None where RSS could not be read)."""

    rss_start: int | None
    rss_warm: int | None  # the baseline: first sample at or after the warm-up
    rss_end: int | None
    rss_max: int | None
    drift: int | None  # the sample after warm-up furthest from the baseline, signed


def figures(result: SoakResult) -> Figures:
    """Derive the memory figures of ``result``."""
    measured = [s for s in result.samples if s.rss is not None]
    if not measured:
        return Figures(None, None, None, None, None)
    after = [s for s in measured if s.cycles >= result.warmup] or measured[-1:]
    base = after[0].rss
    assert base is not None
    drift = max((s.rss - base for s in after if s.rss is not None), key=abs)
    return Figures(
        rss_start=measured[0].rss,
        rss_warm=base,
        rss_end=measured[-1].rss,
        rss_max=max(s.rss for s in measured if s.rss is not None),
        drift=drift,
    )


def verdict(result: SoakResult, bound: int = RSS_BOUND) -> str:
    """One line: ``"flat"`` when nothing is wrong, else what went wrong."""
    problems = []
    if result.leaks:
        problems.append(f"{result.leaks:,} leaks")
    if result.error_count:
        problems.append(f"{result.error_count:,} errors")
    left = max(result.live_end.values(), default=0)
    if left:
        problems.append(f"{left} contexts left pushed")
    if not result.live_end:
        problems.append("live contexts not read")
    drift = figures(result).drift
    if drift is not None and abs(drift) > bound:
        grew = "grew" if drift > 0 else "shrank"
        problems.append(f"{grew} by {abs(drift) / MB:.1f} MB")
    if problems:
        return "; ".join(problems)
    if drift is None:
        return "flat (RSS not measured)"
    return f"flat (RSS within {abs(drift) / MB:.2f} MB after warm-up)"


#: Called with a run's result so far after each sample.
Progress = Callable[[SoakResult], object]


def tenths(total: int) -> Progress:
    """A progress callback printing one line per tenth of ``total`` cycles."""
    shown = [0]

    def progress(result: SoakResult) -> None:
        tenth = result.cycles * 10 // max(total, 1)
        if tenth > shown[0]:
            shown[0] = tenth
            rss = result.samples[-1].rss if result.samples else None
            memory = f", RSS {rss / MB:.1f} MB" if rss is not None else ""
            print(
                f"{result.cycles:,} cycles, {result.leaks} leaks, {result.error_count} errors"
                f"{memory}",
                flush=True,
            )

    return progress
