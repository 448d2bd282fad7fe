"""``python -m ctxcore``: the engine's command line plus the server adapters' ``serve``.

This script is the program on top of the layers: it puts the engine's commands
(:mod:`ctxcore.cli`) and the server adapters (:mod:`ctxcore.adapters.serve`) behind one
command line: ``serve`` is the adapters' command, and ``run --server NAME`` (or a
manage.py's ``runserver --server NAME``, under ``--script``) serves through them. The
engine never imports the adapters; only this entry point joins them.

Nothing is imported at module level: a gevent server must monkey-patch the standard
library before anything (click included) imports ``threading`` or ``socket``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def _asks_for_gevent(args: Sequence[str]) -> bool:
    """Whether the command line serves with gevent (``--server gevent`` anywhere)."""
    for i, arg in enumerate(args):
        if arg == "--server=gevent" or (arg == "--server" and args[i + 1 : i + 2] == ["gevent"]):
            return True
    return False


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line: ``python -m ctxcore [--app IMPORT] COMMAND ...``, or
    ``python -m ctxcore --script manage.py ARGS...``: the script as ``python manage.py
    ARGS...`` would run it, its Manager's ``runserver --server NAME`` served by the server
    adapters (a plain ``python manage.py`` hands such a command over to this)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if _asks_for_gevent(args):
        from ctxcore.adapters.serve import MissingServer, require  # type: ignore[import-not-found]

        try:
            require("gevent")
        except MissingServer as exc:  # click is not loaded yet: its one line, by hand
            print(f"Error: {exc}", file=sys.stderr)
            return 1
        from ctxcore.adapters.gevent import patch  # type: ignore[import-not-found, unused-ignore]

        patch()  # before the app, click, or anything they import is loaded
    from ctxcore.adapters.serve import serve  # type: ignore[import-not-found, unused-ignore]
    from ctxcore.adapters.serve_command import make_command  # type: ignore[import-not-found]

    if args[:1] == ["--script"]:
        from ctxcore.cli import run_script

        return run_script(args[1:], serve=serve)
    from ctxcore.cli import main as run_cli

    return run_cli(args, serve=serve, commands=[make_command()])


if __name__ == "__main__":
    sys.exit(main())
