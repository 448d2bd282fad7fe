"""``python -m bench --python A,B,...``: the same suites on several interpreters, one report.

Each interpreter runs the chosen suites as ``python -m bench`` would on its own (it needs
ctxcore and pyperf installed, e.g. a virtualenv per version), into a subfolder of the
output named after its Python version and ctxcore implementation. The top folder's
``report.md`` then holds one section: every goal, one column per interpreter, followed
by links to each interpreter's full report. ``python -m bench compare`` works between
any two of the subfolders.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.goals import MISSED, NOT_MEASURED, check_goals, check_references, measured_text
from bench.report import implementation_of, load_times
from bench.suites import load

MODE_OPTIONS = {"fast": ["--fast"], "rigorous": ["--rigorous"], "smoke": ["--smoke"], "default": []}


def resolve(spec: str) -> str | None:
    """An interpreter from ``--python``: a path, a command on PATH, or a version (``3.12``)."""
    if os.sep in spec:
        return spec if Path(spec).exists() else None
    return shutil.which(spec) or shutil.which(f"python{spec}")


def _describe(interpreter: str) -> dict[str, str]:
    probe = (
        "import json, platform, ctxcore; print(json.dumps({'python': platform.python_version(),"
        " 'ctxcore': ctxcore.implementation()}))"
    )
    result = subprocess.run([interpreter, "-c", probe], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{interpreter} cannot import ctxcore: {result.stderr.strip()}")
    described: dict[str, str] = json.loads(result.stdout)
    return described


def run_versions(interpreters: list[str], suites: list[str], out: Path, mode: str) -> int:
    """Run ``suites`` on each interpreter into ``out/<version>-<impl>`` and summarise."""
    if out.exists() and any(out.iterdir()):
        print(f"error: {out} already holds files; choose an empty or new --out", file=sys.stderr)
        return 2
    resolved = []
    for spec in interpreters:
        interpreter = resolve(spec)
        if interpreter is None:
            print(f"error: no interpreter {spec!r}", file=sys.stderr)
            return 2
        resolved.append(interpreter)
    out.mkdir(parents=True, exist_ok=True)
    runs: list[dict[str, Any]] = []
    status = 0
    for interpreter in resolved:
        described = _describe(interpreter)
        folder = out / f"python-{described['python']}-{described['ctxcore']}"
        print(f"== {interpreter}: Python {described['python']}, ctxcore {described['ctxcore']}")
        cmd = [interpreter, "-m", "bench", *MODE_OPTIONS[mode], "--only", ",".join(suites)]
        code = subprocess.run(
            [*cmd, "--out", str(folder)], cwd=Path(__file__).resolve().parent.parent, check=False
        ).returncode
        status = status or code
        runs.append({"interpreter": interpreter, "folder": folder.name, **described})
    (out / "versions.json").write_text(json.dumps({"mode": mode, "runs": runs}, indent=2))
    report = out / "report.md"
    report.write_text(render(out, runs, suites))
    print(f"wrote {report}")
    return status


def render(out: Path, runs: list[dict[str, Any]], suites: list[str]) -> str:
    """The cross-version section: each goal's measured figure per interpreter."""
    headers = []
    for run in runs:
        meta_path = out / run["folder"] / "meta.json"
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else None
        impl = implementation_of(meta) if meta else run["ctxcore"]
        headers.append(f"{run['python']} {impl}")
    lines = [
        "# ctxcore benchmark report: several Pythons",
        "",
        "## Goals per Python version",
        "",
        "Each column is one interpreter's run (its Python version and the ctxcore "
        "implementation it measured); each figure is that run's ratio, as the goal states it.",
        "",
        "| suite | goal | " + " | ".join(headers) + " |",
        "|---|---|" + "---|" * len(headers),
    ]
    for suite_name in suites:
        suite = load(suite_name)
        goals = getattr(suite, "GOALS", ())
        references = getattr(suite, "REFERENCES", ())
        per_run = []
        per_run_references = []
        for run in runs:
            path = out / run["folder"] / f"{suite_name}.json"
            times = load_times(path) if path.exists() else {}
            per_run.append(check_goals(goals, times))
            per_run_references.append(check_references(references, times))
        for index, goal in enumerate(goals):
            cells = []
            for results in per_run:
                result = results[index]
                if result.verdict == NOT_MEASURED:
                    cells.append(NOT_MEASURED)
                    continue
                verdict = result.verdict.upper() if result.verdict == MISSED else result.verdict
                cells.append(f"{measured_text(result)}: {verdict}")
            lines.append(f"| {suite_name} | {goal.text} | " + " | ".join(cells) + " |")
        for index, line in enumerate(references):  # what bounds the goals: no verdict
            cells = [measured_text(found[index]) for found in per_run_references]
            lines.append(f"| {suite_name} | *{line.text}* | " + " | ".join(cells) + " |")
    lines += ["", "Full reports:", ""]
    for header, run in zip(headers, runs, strict=True):
        lines.append(f"- [{header}]({run['folder']}/report.md)")
    return "\n".join(lines) + "\n"
