"""One suite under pyperf: registers its benchmarks with a ``pyperf.Runner``."""

from __future__ import annotations

from collections.abc import Callable
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
                bench_name(case, impl), _timed(impl.setup, impl.loop), inner_loops=impl.inner_loops
            )
    return 0


def _timed(setup: Callable[[], tuple[Any, ...]], loop: Callable[..., float]) -> Any:
    """``loop`` with the arguments ``setup()`` builds on its first call.

    pyperf registers every benchmark in every process it starts, but a worker times only
    one: building all of a suite's apps there (frameworks imported, event loops made)
    would cost each worker seconds for nothing. ``loop`` measures its own time, so the
    setup on the first call is never part of a value.
    """
    built: list[tuple[Any, ...]] = []

    def time_func(loops: int) -> float:
        if not built:
            built.append(setup())
        return loop(loops, *built[0])

    return time_func
