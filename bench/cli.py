"""Command-line interface of the benchmark suite."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from bench.suites import DEFAULT, SUITES

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def _suite_list(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in SUITES]
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"unknown suite {', '.join(unknown) or text!r}; choose from {', '.join(SUITES)}"
        )
    return names


def build_parser() -> argparse.ArgumentParser:
    """The orchestrator's parser (pyperf's own options belong to ``--suite`` runs)."""
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Run ctxcore's benchmark suites with pyperf and write a report.",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--fast", action="store_true", help="quick run (a few minutes)")
    mode.add_argument("--rigorous", action="store_true", help="more processes and values")
    parser.add_argument(
        "--only",
        type=_suite_list,
        metavar="SUITE[,SUITE]",
        help=f"run only these suites ({', '.join(SUITES)}; default: all but soak)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="where to write results (default: a new folder under bench/results/)",
    )
    parser.add_argument(
        "--python",
        type=lambda text: [part.strip() for part in text.split(",") if part.strip()],
        metavar="PY[,PY]",
        help=(
            "run the suites on each of these interpreters (paths, commands or versions such "
            "as 3.12; each needs ctxcore and pyperf installed) into one report"
        ),
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="run every benchmark once, without pyperf's calibration (a check, not a measurement)",
    )
    return parser


def build_compare_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench compare",
        description="Compare two result folders benchmark by benchmark.",
    )
    parser.add_argument("before", type=Path, metavar="DIR_A")
    parser.add_argument("after", type=Path, metavar="DIR_B")
    return parser


def default_out() -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return RESULTS / stamp


def main(argv: list[str]) -> int:
    """Dispatch to a suite runner, ``compare``, or the orchestrator."""
    if "--suite" in argv or any(arg.startswith("--suite=") for arg in argv):
        from bench.worker import run_suite

        return run_suite()
    if argv and argv[0] == "compare":
        from bench.compare import compare

        args = build_compare_parser().parse_args(argv[1:])
        return compare(args.before, args.after)
    args = build_parser().parse_args(argv)
    from bench.orchestrate import run_all

    mode = (
        "smoke"
        if args.smoke
        else "fast"
        if args.fast
        else "rigorous"
        if args.rigorous
        else "default"
    )
    suites = args.only or list(DEFAULT)
    if args.python:
        from bench.versions import run_versions

        return run_versions(args.python, suites, args.out or default_out(), mode)
    return run_all(suites, args.out or default_out(), mode)
