"""``python -m bench.instructions --output FILE``: CPU instructions per request.

Not a timing: the machine instructions one request of the JSON endpoint executes,
counted by valgrind's callgrind, which a busy machine does not change (times on a shared
machine move by 10-50% between runs; these counts move by well under 1%). Instructions
are not time — cache misses, branch mispredictions and a thread hop's wake-up cost time
without instructions — but for the same endpoint in the same interpreter they are close
to it, so their ratios are the goal ratios a noisy run cannot settle.

Each implementation of :data:`bench.calls.IMPLEMENTATIONS` (the calls table's rows) is
run twice under callgrind in a child process, as the calls table runs it: built, checked,
warmed up, then 0 and then :data:`REQUESTS` more requests. The difference divided by
the requests is the figure, so start-up, imports and warm-up cancel out. The hash seed
is fixed, so two runs of one commit give the same counts. Without valgrind on PATH
(``apt-get install valgrind``), and in ``--fast`` runs (minutes under valgrind), the
table is left out of the report, with a note saying why.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench import calls, driving
from bench.peers import missing
from bench.suites._base import Table

__all__ = ["FAST_KEYS", "REQUESTS", "count", "main", "table"]

#: Requests counted per implementation (after :data:`WARMUPS`).
REQUESTS = {"smoke": 20, "fast": 100, "default": 300, "rigorous": 1000}
#: The modes the bench runs without counting (minutes under valgrind), unless ``--all``.
_SKIPPED_MODES = ("smoke", "fast")
WARMUPS = 20
#: The rows counted by ``--fast`` runs: ctxcore and the peer of each of its goals.
FAST_KEYS = (
    "ctxcore-wsgi",
    "ctxcore-asgi-async",
    "ctxcore-asgi-sync",
    "flask",
    "starlette-async",
    "driver-asgi",
    "driver-wsgi",
)
_COLLECTED = re.compile(r"Collected : (\d+)")
_ROOT = Path(__file__).resolve().parent.parent


def _requests(item: calls.Counted, requests: int) -> None:
    """Build ``item``'s app as the calls table does, warm it up, make ``requests`` more."""
    call = calls._caller(item)
    for _ in range(WARMUPS):
        call()
    for _ in range(requests):
        call()


def _instructions(key: str, requests: int) -> int:
    """The instructions of a child making ``requests`` requests of ``key`` after warm-up."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         sys.executable, "-m", "bench.instructions", "--one", key, "--requests", str(requests)],
        cwd=_ROOT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    found = _COLLECTED.findall(done.stderr)
    if done.returncode != 0 or not found:
        raise RuntimeError(f"{key}: callgrind failed:\n{done.stderr[-2000:]}")
    return int(found[-1])


def count(item: calls.Counted, requests: int) -> int:
    """Instructions per request of ``item`` (the difference of two runs, see the module)."""
    with ThreadPoolExecutor(2) as pool:  # the two runs are independent: one per CPU
        base, loaded = pool.map(_instructions, (item.key, item.key), (0, requests))
    return max(0, loaded - base) // requests


def table(path: Path) -> Table | None:
    """The report's instructions table from a counts file (``None`` when there is none)."""
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    if not data.get("rows"):
        return None
    by_key = {row["key"]: row for row in data["rows"]}
    rows = []
    for row in data["rows"]:
        driver = by_key.get("driver-asgi" if row["protocol"] == "asgi" else "driver-wsgi")
        own = ""
        if driver is not None and not row["key"].startswith("driver"):
            own = f"{(row['instructions'] - driver['instructions']) / 1000:,.0f}k"
        rows.append((row["label"], f"{row['instructions'] / 1000:,.0f}k", own))
    return Table(
        f"CPU instructions per request, GET {calls.apps.PATH} (valgrind callgrind, "
        f"{data['requests']} requests after {data['warmups']} warm-up, hash seed 0; "
        f"ASGI on {data['loop']}); 'without the driver' subtracts the driver-alone row",
        ("implementation", "instructions", "without the driver"),
        tuple(rows),
    )


def skipped_note(path: Path) -> str | None:
    """Why the instructions table is missing from a run that tried to make it."""
    if not path.exists():
        return None
    reason: str | None = json.loads(path.read_text()).get("skipped")
    return reason


def main(argv: list[str] | None = None) -> int:
    """Count the installed implementations (``--output``), or run one (``--one KEY``)."""
    parser = argparse.ArgumentParser(prog="python -m bench.instructions")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--output", type=Path)
    group.add_argument("--one", choices=[item.key for item in calls.IMPLEMENTATIONS])
    parser.add_argument("--requests", type=int, default=REQUESTS["default"])
    parser.add_argument("--mode", default="default", choices=sorted(REQUESTS))
    parser.add_argument(
        "--all", action="store_true", help="count in fast and smoke modes too (the bench does not)"
    )
    args = parser.parse_args(argv)
    if args.one:
        _requests(
            next(item for item in calls.IMPLEMENTATIONS if item.key == args.one), args.requests
        )
        return 0
    result: dict[str, Any] = {"loop": driving.LOOP_NAME, "warmups": WARMUPS, "rows": []}
    if args.mode in _SKIPPED_MODES and not args.all:
        result["skipped"] = (
            f"no instruction counts in a --{args.mode} run (they take minutes under valgrind): "
            "run without it, or python -m bench.instructions --all --mode fast"
        )
        print(result["skipped"], flush=True)
        args.output.write_text(json.dumps(result, indent=2))
        return 0
    if shutil.which("valgrind") is None:
        result["skipped"] = (
            "valgrind is not installed (apt-get install valgrind): no instruction counts"
        )
        print(result["skipped"], flush=True)
        args.output.write_text(json.dumps(result, indent=2))
        return 0
    requests = REQUESTS[args.mode]
    result["requests"] = requests
    for item in calls.IMPLEMENTATIONS:
        if args.mode == "fast" and item.key not in FAST_KEYS:
            continue
        absent = missing(*item.needs)
        if absent:
            print(f"{item.label}: skipped (not installed: {', '.join(absent)})", flush=True)
            continue
        figure = count(item, requests)
        print(f"{item.label}: {figure:,} instructions per request", flush=True)
        result["rows"].append(
            {
                "key": item.key,
                "label": item.label,
                "protocol": item.protocol,
                "instructions": figure,
            }
        )
    args.output.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
