"""Measuring in a child process: one interpreter per measured thing, its answer as JSON.

Imports, caches, threads and event loops that one framework or variant leaves behind
would change the next one's figures; each is measured by ``python -m MODULE ARGS`` in a
process of its own, which prints its result as JSON on its last line.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

__all__ = ["json_from_child"]

ROOT = Path(__file__).resolve().parent.parent


def json_from_child(module: str, *args: str, what: str, timeout: float = 120) -> Any:
    """Run ``python -m module args`` from the repository root; return the JSON its last
    line of output holds. Raises ``RuntimeError`` (naming ``what``) if it fails."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.splitlines()[-1])
