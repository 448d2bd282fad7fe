"""The cross-version goals table of ``python -m bench --python``, from result folders."""

from __future__ import annotations

from pathlib import Path

from bench.versions import render

from .results import write_run

US = 1e-6


def test_each_goal_and_reference_line_has_a_figure_per_interpreter(tmp_path: Path) -> None:
    runs = []
    for version, werkzeug in (("3.10.13", 4.0), ("3.12.1", 2.0)):
        folder = f"python-{version}-compiled"
        figures = {
            "push+pop | ctxcore context": (1.0 * US, 0.01),
            "push+pop | werkzeug": (werkzeug * US, 0.01),
            "push+pop | two ContextVar.set": (0.9 * US, 0.01),
        }
        write_run(tmp_path / folder, {"stack": figures})
        runs.append({"folder": folder, "python": version, "ctxcore": "compiled"})
    table = render(tmp_path, runs, ["stack"])
    assert "| suite | goal | 3.10.13 compiled | 3.12.1 compiled |" in table
    assert "| stack | push+pop >= 3x faster than werkzeug | 4.0x faster ± 1%: met | " in table
    assert "2.0x faster ± 1%: MISSED |" in table
    assert "| stack | *ceiling: werkzeug's push+pop ÷ two bare ContextVar.set()* | 4.44x" in table
