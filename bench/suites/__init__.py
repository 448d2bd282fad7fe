"""The benchmark suites, each comparing ctxcore with what a user would pick instead.

A suite module defines ``TITLE``, ``DESCRIPTION``, ``CASES`` (the measured cases, with
the implementation used as the 100% reference; pyperf times each implementation's
``loop``), optionally ``GOALS`` (one per measure) and ``REFERENCES`` (floors and
ceilings shown beside them), ``report_notes()`` and ``details(json_path, out)`` for
its report section, ``HEADLINE`` (the case the report's summary leads with) and
``rates(json_path)`` (rates per benchmark: the summary then shows the suite as a
table of them, e2e's requests per second), ``COMMAND`` when it measures with its own
runner instead of pyperf workers (e2e, soak), and ``TIME_TABLES = False`` when its
``details()`` replace the per-case time tables and ratio chart (soak), and
``EXTRA_COMMANDS`` (a key -> ``python`` arguments) for what it measures besides times:
each runs after the suite's workers with ``--output <suite>-<key>.json --mode MODE``
(context: Python calls per request; where a request's time goes), and
``goal_times(json_path)`` for figures its goals compare besides the benchmarks' times
(e2e: each app's median and p99 latency, ``"<case> | <app> p99"``, as the goal table
reads them; ``GOAL_FIGURES`` lists those labels). ``HEADLINE`` may name several cases (a tuple):
the summary leads with each. Benchmark names are ``"<case> | <implementation>"``.

``python -m bench`` runs :data:`DEFAULT`; the opt-in suites (soak: twenty minutes at the
issue's sizes) run only when named with ``--only``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

SUITES: tuple[str, ...] = (
    "lookup", "proxy", "stack", "context", "json", "isolation", "e2e", "soak",
)  # fmt: skip
#: What runs when no ``--only`` is given.
DEFAULT: tuple[str, ...] = tuple(name for name in SUITES if name != "soak")


def load(name: str) -> ModuleType:
    """Import the suite module ``name``."""
    if name not in SUITES:
        raise KeyError(name)
    return importlib.import_module(f"bench.suites.{name}")
