"""Entry point: ``python -m bench [--fast|--rigorous] [--only S1,S2] [--out DIR]``.

Also ``python -m bench compare DIR_A DIR_B``. With ``--suite NAME`` the process is a
pyperf runner for one suite (started by the orchestrator, and by pyperf for workers).
"""

from __future__ import annotations

import sys

from bench.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
