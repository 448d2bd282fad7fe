"""Result folders made by hand: chosen figures for chosen benchmarks, as a run writes them.

The report and its summary read pyperf JSON and ``meta.json``; these helpers write both
with the means and spreads a test needs, so the report's judgement can be checked
without a measurement (which a busy machine would make uncertain).
"""

from __future__ import annotations

import json
from pathlib import Path

#: Benchmark name -> (mean seconds, relative spread): three values mean*(1-r), mean,
#: mean*(1+r), whose mean is ``mean`` and standard deviation ``mean * r``.
Figures = dict[str, tuple[float, float]]

MACHINE = {
    "python": "3.11.7",
    "implementation": "CPython",
    "ctxcore_implementation": "compiled",
    "platform": "Linux-6.1-x86_64-with-glibc2.36",
    "machine": "x86_64",
    "cpus": 2,
    "libraries": {"ctxcore": "0.1.0", "werkzeug": "3.1.9"},
}


def write_suite(path: Path, figures: Figures) -> None:
    """A pyperf JSON file holding one benchmark per entry of ``figures``."""
    import pyperf

    benchmarks = []
    for name, (mean, spread) in figures.items():
        values = [mean * (1 - spread), mean, mean * (1 + spread)]
        run = pyperf.Run(values, metadata={"name": name, "unit": "second"}, collect_metadata=False)
        benchmarks.append(pyperf.Benchmark([run]))
    pyperf.BenchmarkSuite(benchmarks).dump(str(path))


def write_run(out: Path, suites: dict[str, Figures], mode: str = "fast") -> Path:
    """A result folder (meta.json and one JSON file per suite) under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    for name, figures in suites.items():
        write_suite(out / f"{name}.json", figures)
    meta = {
        "mode": mode,
        "suites": list(suites),
        "started": "2026-01-02 03:04:05",
        "finished": "2026-01-02 03:08:05",
        "machine": MACHINE,
        "skipped": {name: [] for name in suites},
        "failed": [],
    }
    (out / "meta.json").write_text(json.dumps(meta))
    return out
