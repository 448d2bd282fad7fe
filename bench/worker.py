"""One suite under pyperf: registers its benchmarks with a ``pyperf.Runner``."""

from __future__ import annotations

from typing import Any

from bench.suites import SUITES, load
from bench.suites._base import bench_name


def _add_suite_args(cmd: list[str], args: Any) -> None:
    # pyperf starts workers with "-m bench" and these; they must find the same suite.
    cmd.extend(["--suite", args.suite])


def run_suite() -> int:
    """Run the suite named by ``--suite`` (all other options are pyperf's)."""
    import pyperf

    runner = pyperf.Runner(program_args=("-m", "bench"), add_cmdline_args=_add_suite_args)
    runner.argparser.add_argument("--suite", required=True, choices=SUITES)
    args = runner.parse_args()
    suite = load(args.suite)
    runner.metadata["ctxcore_suite"] = args.suite
    for case in suite.CASES:
        for impl in case.impls:
            if impl.skipped():
                continue
            if impl.setup is None or impl.loop is None:
                raise TypeError(f"{bench_name(case, impl)} has nothing for pyperf to time")
            runner.bench_time_func(
                bench_name(case, impl), impl.loop, *impl.setup(), inner_loops=impl.inner_loops
            )
    return 0
