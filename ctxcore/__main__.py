"""``python -m ctxcore``: the engine's command manager plus ``serve``.

This script is the program on top of the layers: it puts the engine's commands
(:mod:`ctxcore.cli`) and the server adapters' ``serve`` (:mod:`ctxcore.adapters.serve`)
behind one command line. The engine never imports the adapters; only this entry point
joins them.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``serve ...`` with the server adapters, anything else with the command manager."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["serve"]:
        # Before any app (or the engine) is imported: the gevent server patches first.
        from ctxcore.adapters.serve import run  # type: ignore[import-not-found]

        return int(run(args[1:]))
    from ctxcore.cli import main as manage

    return manage(args)


if __name__ == "__main__":
    sys.exit(main())
