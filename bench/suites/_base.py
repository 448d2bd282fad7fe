"""What a suite is made of: cases, implementations and the goals set for them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.loops import INNER
from bench.peers import missing


@dataclass(frozen=True)
class Impl:
    """One implementation of a case: how to build its arguments and time it.

    ``setup`` and ``loop`` are what pyperf times; a suite with its own runner (e2e,
    which measures through servers) leaves them ``None`` and names only the peers.
    """

    name: str
    setup: Callable[[], tuple[Any, ...]] | None = None
    loop: Callable[..., float] | None = None
    needs: tuple[str, ...] = ()
    inner_loops: int = INNER

    def skipped(self) -> list[str]:
        """The peers this implementation needs that are not installed."""
        return missing(*self.needs)


@dataclass(frozen=True)
class Case:
    """Something measured for several implementations (ctxcore first)."""

    name: str
    title: str
    impls: tuple[Impl, ...]
    unit: str = "per operation"


@dataclass(frozen=True)
class Goal:
    """A speed target from the issues, checked in the report against one run.

    ``kind="at_most"``: subject time <= factor x peer time.
    ``kind="faster"``: peer time >= factor x subject time.
    """

    case: str
    subject: str
    peer: str
    kind: str
    factor: float
    text: str = field(default="")

    def check(self, subject_time: float, peer_time: float) -> tuple[float, bool]:
        """Return the measured figure (as the goal states it) and whether it holds."""
        if self.kind == "at_most":
            ratio = subject_time / peer_time
            return ratio, ratio <= self.factor
        ratio = peer_time / subject_time
        return ratio, ratio >= self.factor


@dataclass(frozen=True)
class Table:
    """An extra table a suite adds to its report section (cells already formatted)."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Details:
    """What a suite adds to its report section beyond the time table and ratio chart."""

    tables: tuple[Table, ...] = ()
    charts: tuple[Path, ...] = ()
    notes: tuple[str, ...] = ()


def bench_name(case: Case, impl: Impl) -> str:
    """The pyperf benchmark name of ``impl`` in ``case``."""
    return f"{case.name} | {impl.name}"
