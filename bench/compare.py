"""``python -m bench compare DIR_A DIR_B``: ratios per benchmark, significance from pyperf."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def _measured_on(folder: Path) -> str:
    """Say which Python and ctxcore implementation a result folder measured."""
    meta_path = folder / "meta.json"
    if not meta_path.exists():
        return "no meta.json"
    machine = json.loads(meta_path.read_text())["machine"]
    implementation = machine.get("ctxcore_implementation", "?")
    return f"Python {machine['python']} ({machine['implementation']}), ctxcore {implementation}"


def compare(before: Path, after: Path) -> int:
    """Print, for every suite in both folders, pyperf's comparison table."""
    for folder in (before, after):
        if not folder.is_dir():
            print(f"error: {folder} is not a result folder", file=sys.stderr)
            return 2
    shared = sorted(
        path.name
        for path in before.glob("*.json")
        if path.name != "meta.json" and (after / path.name).exists()
    )
    if not shared:
        print(f"error: {before} and {after} share no suite results", file=sys.stderr)
        return 2
    for folder in (before, after):
        print(f"{folder}: {_measured_on(folder)}")
    status = 0
    for name in shared:
        print(f"## {name.removesuffix('.json')}  ({before} -> {after})", flush=True)
        # pyperf prints each benchmark's ratio and whether the change is significant.
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pyperf",
                "compare_to",
                str(before / name),
                str(after / name),
                "--table",
            ],
            check=False,
        )
        status = status or result.returncode
    return status
