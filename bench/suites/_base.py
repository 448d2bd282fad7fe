"""What a suite is made of: cases, implementations and the goals set for them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.loops import INNER
from bench.peers import missing


def is_ctxcore(name: str) -> bool:
    """Whether an implementation's row is ctxcore's own (its name starts with "ctxcore")."""
    return name.startswith("ctxcore")


@dataclass(frozen=True)
class Impl:
    """One implementation of a case: how to build its arguments and time it.

    ``setup`` and ``loop`` are what pyperf times; a suite with its own runner (e2e,
    which measures through servers) leaves them ``None`` and names only the peers.
    Rows named "ctxcore..." are ctxcore's (:func:`is_ctxcore`); the others are peers,
    what a user would pick instead, unless ``reference`` is set: a floor or a baseline
    that shows a cost (a bare ``ContextVar.set``, a global with no lock), which the
    report's summary never names as ctxcore's strongest peer.
    """

    name: str
    setup: Callable[[], tuple[Any, ...]] | None = None
    loop: Callable[..., float] | None = None
    needs: tuple[str, ...] = ()
    inner_loops: int = INNER
    reference: bool = False

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
    """A speed target, checked in the report against one run.

    ``kind="at_most"``: subject time <= factor x peer time.
    ``kind="faster"``: peer time >= factor x subject time.
    A suite holds one goal per measure (case, subject, peer): the current one. ``text``
    says what it promises of the product, in a few words.
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
class Reference:
    """A reference line beside the goals: one time over another, with no verdict.

    What bounds a goal (a floor no implementation can go below, a ceiling on what any
    can gain), shown so a reader sees why the goal is where it is.
    """

    case: str
    numerator: str
    denominator: str
    text: str

    def measure(self, numerator_time: float, denominator_time: float) -> float:
        """The figure: the numerator's time over the denominator's."""
        return numerator_time / denominator_time


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
