"""``python -m bench.phases.run --output FILE --mode MODE``: where a request's time goes.

Run by the ``context`` suite after its pyperf workers (its ``EXTRA_COMMANDS``): each
variant (WSGI; ASGI with an ``async def`` view; ASGI with a sync view) is timed in a
process of its own (``--one KEY``), so one variant's threads, loop and caches never
touch another's figures. In that process each phase is timed (:mod:`bench.phases.timing`)
after the whole request is, and the whole request once more at the end: the whole
request gets as many quiet moments as the phases together (the fastest is kept), and
drift on a busy machine shows as the spread of those figures. The file written holds every
variant's figures; :mod:`bench.phases.breakdown` turns it into the report's table and
chart.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import driving
from bench.child import json_from_child
from bench.phases.timing import PLANS, Phase, Timer
from bench.phases.variant import Variant

__all__ = ["VARIANTS", "main", "measure"]


def _wsgi() -> Variant:
    from bench.phases import wsgi

    return wsgi.build()


def _asgi_async() -> Variant:
    from bench.phases import asgi

    return asgi.build("async")


def _asgi_sync() -> Variant:
    from bench.phases import asgi

    return asgi.build("sync")


#: Variant key -> its builder, in the report's order.
VARIANTS: dict[str, Callable[[], Variant]] = {
    "wsgi": _wsgi,
    "asgi-async": _asgi_async,
    "asgi-sync": _asgi_sync,
}


def measure(key: str, mode: str) -> dict[str, Any]:
    """Time variant ``key``'s whole request and each of its phases."""
    variant = VARIANTS[key]()
    try:
        timer = Timer(PLANS[mode], variant.loop)
        whole = Phase("whole request", lambda _: variant.whole(), "the driver calling the app")
        wholes = []
        phases = []
        for phase in variant.phases:
            wholes.append(timer.time(whole))
            phases.append({"name": phase.name, "call": phase.call, **timer.time(phase).as_dict()})
        wholes.append(timer.time(whole))
    finally:
        variant.close()
    return {
        "key": variant.key,
        "label": variant.label,
        "whole": min(wholes, key=lambda figure: figure.best).as_dict(),
        "whole_runs": [figure.best for figure in wholes],
        "phases": phases,
        "overhead": {"sync": timer.overhead[False], "async": timer.overhead[True]},
    }


def _measure_in_child(key: str, mode: str) -> dict[str, Any]:
    data: dict[str, Any] = json_from_child(
        "bench.phases.run", "--one", key, "--mode", mode,
        what=f"{key}: timing the phases", timeout=600,
    )  # fmt: skip
    return data


def main(argv: list[str] | None = None) -> int:
    """Time every variant (``--output``), or one (``--one KEY``: JSON on stdout)."""
    parser = argparse.ArgumentParser(prog="python -m bench.phases.run")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--output", type=Path)
    group.add_argument("--one", choices=sorted(VARIANTS))
    parser.add_argument("--mode", choices=sorted(PLANS), default="default")
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.one, args.mode)))
        return 0
    variants = []
    for key in VARIANTS:
        found = _measure_in_child(key, args.mode)
        total = sum(phase["best"] for phase in found["phases"])
        print(
            f"phases, {found['label']}: whole {found['whole']['best'] * 1e6:.2f} us, "
            f"sum of {len(found['phases'])} phases {total * 1e6:.2f} us",
            flush=True,
        )
        variants.append(found)
    plan = PLANS[args.mode]
    args.output.write_text(
        json.dumps(
            {"mode": args.mode, "repeats": plan.repeats, "loop": driving.LOOP_NAME,
             "variants": variants},
            indent=2,
        )
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
