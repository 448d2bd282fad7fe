"""``python -m ctxcore serve module:app --server NAME``: run an App under a real server.

Servers: ``werkzeug`` (the default: threaded, for development), ``gunicorn`` (sync,
gthread or gevent workers), ``gevent`` (gevent's WSGI server, monkey patched first),
``uvicorn`` and ``hypercorn`` (ASGI, asyncio or uvloop loop). The external servers are
exec'd with equivalent arguments, so signals reach them directly.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from contextlib import suppress
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import subprocess

__all__ = [
    "HOST",
    "SERVERS",
    "build_parser",
    "command",
    "free_port",
    "run",
    "stop_process_group",
]

SERVERS = ("werkzeug", "gunicorn", "gevent", "uvicorn", "hypercorn")
#: Where servers started for tests and benchmarks listen: loopback only.
HOST = "127.0.0.1"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ctxcore serve", description="Serve a ctxcore App with a real server."
    )
    parser.add_argument("target", metavar="module:app", help="where the App is")
    parser.add_argument("--server", choices=SERVERS, default="werkzeug")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--workers", type=int, default=1, help="processes (gunicorn, uvicorn, hypercorn)"
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per gunicorn worker (gthread)"
    )
    parser.add_argument(
        "--worker-class",
        choices=("sync", "gthread", "gevent"),
        help="gunicorn worker class (default: gthread with --threads > 1, else sync)",
    )
    parser.add_argument(
        "--loop", choices=("asyncio", "uvloop"), default="asyncio", help="ASGI event loop"
    )
    return parser


def command(args: argparse.Namespace) -> list[str] | None:
    """The command line of an external server, or ``None`` for in-process servers."""
    target = args.target
    bind = f"{args.host}:{args.port}"
    python = [sys.executable, "-m"]
    if args.server == "gunicorn":
        worker = args.worker_class or ("gthread" if args.threads > 1 else "sync")
        return [
            *python, "gunicorn", "--bind", bind, "--workers", str(args.workers),
            "--threads", str(args.threads), "--worker-class", worker,
            "--graceful-timeout", "5", target,
        ]  # fmt: skip
    if args.server == "uvicorn":
        return [
            *python, "uvicorn", f"{target}.asgi", "--host", args.host, "--port", str(args.port),
            "--workers", str(args.workers), "--loop", args.loop,
            "--no-access-log", "--lifespan", "on",
        ]  # fmt: skip
    if args.server == "hypercorn":
        return [
            *python, "hypercorn", f"{target}.asgi", "--bind", bind, "--workers", str(args.workers),
            "--worker-class", args.loop,
        ]  # fmt: skip
    return None


def _load_app(target: str) -> object:
    from ctxcore.app import App
    from ctxcore.cli import load_target

    manager = load_target(target)
    app: App = manager.app
    return app


def run(argv: Sequence[str]) -> int:
    """Parse ``serve`` arguments and run the server (returns only for in-process ones)."""
    args = build_parser().parse_args(argv)
    if ":" not in args.target:
        print("error: serve needs module:app, e.g. myproject.web:app", file=sys.stderr)
        return 2
    external = command(args)
    if external is not None:
        sys.stdout.flush()
        os.execv(sys.executable, external)  # replaces this process: signals go to the server
    if args.server == "gevent":
        from .gevent import patch, serve

        patch()  # before the app (and what it imports) is loaded
        serve(_load_app(args.target), args.host, args.port)
        return 0
    from werkzeug.serving import run_simple

    run_simple(args.host, args.port, _load_app(args.target), threaded=True, use_reloader=False)  # type: ignore[arg-type]
    return 0


def free_port(host: str = HOST) -> int:
    """Return a TCP port on ``host`` that nothing listens on right now."""
    import socket  # not at module level: the gevent server patches socket first

    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def stop_process_group(proc: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    """Stop a server started with ``start_new_session=True``, its workers with it.

    Sends SIGTERM to the process group, waits up to ``timeout`` (SIGKILL after), and
    returns once every process of the group is gone: workers may outlive the master.
    """
    import signal
    import subprocess
    import time

    pgid = proc.pid
    with suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        proc.wait(10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    with suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
