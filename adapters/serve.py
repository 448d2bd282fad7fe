"""Serve an app with a real server: :func:`serve` from code, ``serve`` on the command line.

Servers: ``werkzeug`` (the default: threaded, for development), ``gunicorn`` (sync,
gthread or gevent workers), ``gevent`` (gevent's WSGI server, monkey patched first),
``uvicorn`` and ``hypercorn`` (ASGI, asyncio or uvloop loop).

:func:`serve` takes an App, a dispatcher (``DispatcherMiddleware`` for the WSGI servers,
``ASGIDispatcher`` for the ASGI ones), any WSGI or ASGI callable, or an import string,
and runs the server in this process until it stops. ``python -m ctxcore serve
module:app --server NAME`` execs the external servers (gunicorn, uvicorn, hypercorn)
with equivalent arguments instead, so signals reach them directly; targets they cannot
import themselves (a factory call) are served in-process.

Nothing here imports a server, click or ``socket`` at module level: under gevent the
process must be patched before any of them loads.
"""

from __future__ import annotations

import inspect
import os
import re
import sys
from contextlib import suppress
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import subprocess

    import click

__all__ = [
    "DEFAULT_GEVENT_BACKLOG",
    "HOST",
    "SERVERS",
    "command",
    "free_port",
    "make_command",
    "serve",
    "stop_process_group",
]

SERVERS = ("werkzeug", "gunicorn", "gevent", "uvicorn", "hypercorn")
WSGI_SERVERS = ("werkzeug", "gunicorn", "gevent")
#: Where servers started for tests and benchmarks listen: loopback only.
HOST = "127.0.0.1"
#: gevent's own default listen backlog is 128: a burst of 1,000 connects overflows it,
#: and the kernel retries the dropped handshakes only after 1 s, 3 s, 7 s...
DEFAULT_GEVENT_BACKLOG = 2048
_SIMPLE_TARGET = re.compile(r"[\w.]+:[\w.]+")


def _is_asgi(app: object) -> bool:
    """Whether ``app`` is an ASGI callable (an ``async def`` function or ``__call__``)."""
    # The class's __call__, not the instance's: an instance attribute is no call slot.
    call = app if inspect.isroutine(app) else vars(type(app)).get("__call__")
    if call is None and not inspect.isroutine(app):
        call = next((vars(c)["__call__"] for c in type(app).__mro__ if "__call__" in vars(c)), None)
    return inspect.iscoroutinefunction(call)


def _wsgi_of(app: object, server: str) -> Any:
    if _is_asgi(app) or not callable(app):
        raise ValueError(
            f"{server} serves WSGI apps and {app!r} is not one: serve it with uvicorn or hypercorn"
        )
    return app


def _asgi_of(app: object, server: str) -> Any:
    if _is_asgi(app):
        return app
    asgi = getattr(app, "asgi", None)  # a ctxcore App: its ASGI entry
    if asgi is not None and _is_asgi(asgi):
        return asgi
    raise ValueError(
        f"{server} serves ASGI apps and {app!r} is WSGI only: serve it with werkzeug, "
        "gevent or gunicorn"
    )


def _one_process(server: str, workers: int) -> None:
    if workers != 1:
        raise ValueError(
            f"{server} serves an object in one process; for workers={workers} use gunicorn, "
            "or give uvicorn/hypercorn an import string on the command line"
        )


def serve(
    app: object,
    server: str = "werkzeug",
    host: str = HOST,
    port: int = 8000,
    *,
    workers: int = 1,
    threads: int = 1,
    worker_class: str | None = None,
    loop: str = "asyncio",
    backlog: int | None = None,
    access_log: bool = False,
    **options: Any,
) -> None:
    """Serve ``app`` with ``server`` in this process until the server stops.

    :param app: an App, a WSGI or ASGI callable (dispatchers included), or an import
        string (``"module:app"``, ``"module:create_app()"``).
    :param server: one of :data:`SERVERS`.
    :param workers: processes (gunicorn; uvicorn and hypercorn only from an import
        string on the command line).
    :param threads: threads per gunicorn worker (gthread when more than one).
    :param worker_class: gunicorn's (``sync``, ``gthread``, ``gevent``).
    :param loop: the ASGI servers' event loop, ``asyncio`` or ``uvloop``.
    :param backlog: the listen backlog (default: the server's; gevent's
        :data:`DEFAULT_GEVENT_BACKLOG`). Not for werkzeug.
    :param access_log: log each request (off by default, for every server).
    :param options: passed to the server (``run_simple``'s, ``WSGIServer``'s,
        ``uvicorn.Config``'s or gunicorn's settings).

    Raises ``ValueError`` for a server or option that does not fit (the message says
    what does). Under gevent, call ``ctxcore.adapters.gevent.patch()`` before importing
    the app: ``python -m ctxcore serve`` does.
    """
    if server not in SERVERS:
        raise ValueError(f"unknown server {server!r}: one of {', '.join(SERVERS)}")
    if server == "gevent":
        from .gevent import patch

        patch()  # before an import string's module loads; a no-op if already patched
    if isinstance(app, str):
        from ctxcore.cli import load_target

        app = load_target(app)
    if server == "werkzeug":
        _werkzeug(_wsgi_of(app, server), host, port, workers, backlog, access_log, options)
    elif server == "gevent":
        _one_process(server, workers)
        from .gevent import serve as gevent_serve

        options.setdefault("backlog", backlog or DEFAULT_GEVENT_BACKLOG)
        if not access_log:
            options.setdefault("log", None)
        gevent_serve(_wsgi_of(app, server), host, port, **options)
    elif server == "gunicorn":
        settings = {
            "bind": [f"{host}:{port}"],
            "workers": workers,
            "threads": threads,
            "worker_class": worker_class or ("gthread" if threads > 1 else "sync"),
            "graceful_timeout": 5,
            "accesslog": "-" if access_log else None,
            **({"backlog": backlog} if backlog else {}),
            **options,
        }
        _gunicorn(_wsgi_of(app, server), settings)
    elif server == "uvicorn":
        _one_process(server, workers)
        import uvicorn

        extra: dict[str, Any] = {"backlog": backlog} if backlog else {}
        config = uvicorn.Config(
            _asgi_of(app, server), host=host, port=port, loop=loop, lifespan="on",
            access_log=access_log, **extra, **options,
        )  # fmt: skip
        uvicorn.Server(config).run()
    else:
        _one_process(server, workers)
        _hypercorn(_asgi_of(app, server), host, port, loop, backlog, access_log, options)


def _werkzeug(
    app: Any,
    host: str,
    port: int,
    workers: int,
    backlog: int | None,
    access_log: bool,
    options: dict[str, Any],
) -> None:
    from werkzeug.serving import WSGIRequestHandler, run_simple

    if backlog is not None:
        raise ValueError("werkzeug's development server has no backlog setting")
    _one_process("werkzeug", workers)

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            pass  # no access log unless asked; errors are still logged

    if not access_log:
        options.setdefault("request_handler", QuietHandler)
    options.setdefault("threaded", True)
    run_simple(host, port, app, **options)


def _gunicorn(app: Any, settings: dict[str, Any]) -> None:
    from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]

    class Application(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return app

    Application().run()


def _hypercorn(
    app: Any,
    host: str,
    port: int,
    loop: str,
    backlog: int | None,
    access_log: bool,
    options: dict[str, Any],
) -> None:
    import asyncio

    from hypercorn.asyncio import serve as hypercorn_serve
    from hypercorn.config import Config

    config = Config()
    config.bind = [f"{host}:{port}"]
    if backlog:
        config.backlog = backlog
    config.accesslog = "-" if access_log else None
    for key, value in options.items():
        setattr(config, key, value)
    if loop == "uvloop":
        import uvloop

        uvloop.run(hypercorn_serve(app, config))
    else:
        asyncio.run(hypercorn_serve(app, config))


def command(
    target: str,
    server: str,
    host: str = HOST,
    port: int = 8000,
    *,
    workers: int = 1,
    threads: int = 1,
    worker_class: str | None = None,
    loop: str = "asyncio",
    backlog: int | None = None,
    access_log: bool = False,
) -> list[str] | None:
    """The command line of an external server for ``target``, or ``None`` for in-process
    servers. ``target`` is what the server imports (``module:app.asgi`` for uvicorn)."""
    bind = f"{host}:{port}"
    python = [sys.executable, "-m"]
    queue = ["--backlog", str(backlog)] if backlog else []
    if server == "gunicorn":
        worker = worker_class or ("gthread" if threads > 1 else "sync")
        return [
            *python, "gunicorn", "--bind", bind, "--workers", str(workers),
            "--threads", str(threads), "--worker-class", worker,
            "--graceful-timeout", "5", *queue,
            *(["--access-logfile", "-"] if access_log else []), target,
        ]  # fmt: skip
    if server == "uvicorn":
        return [
            *python, "uvicorn", target, "--host", host, "--port", str(port),
            "--workers", str(workers), "--loop", loop, "--lifespan", "on", *queue,
            "--access-log" if access_log else "--no-access-log",
        ]  # fmt: skip
    if server == "hypercorn":
        return [
            *python, "hypercorn", target, "--bind", bind, "--workers", str(workers),
            "--worker-class", loop, *queue,
            *(["--access-logfile", "-"] if access_log else []),
        ]  # fmt: skip
    return None


def make_command() -> click.Command:
    """The ``serve`` command of ``python -m ctxcore`` (a click command)."""
    import click

    from ctxcore.cli import ScriptInfo, load_target

    @click.command("serve", short_help="Serve the app with a real server.")
    @click.argument("target", required=False, metavar="[module:app]")
    @click.option("--server", type=click.Choice(SERVERS), default="werkzeug", show_default=True)
    @click.option("--host", default=HOST, show_default=True)
    @click.option("--port", type=int, default=8000, show_default=True)
    @click.option(
        "--workers", type=int, default=1, help="Processes (gunicorn, uvicorn, hypercorn)."
    )
    @click.option("--threads", type=int, default=1, help="Threads per gunicorn worker (gthread).")
    @click.option(
        "--worker-class",
        type=click.Choice(("sync", "gthread", "gevent")),
        help="gunicorn's worker class (default: gthread with --threads > 1, else sync).",
    )
    @click.option("--loop", type=click.Choice(("asyncio", "uvloop")), default="asyncio",
                  help="The ASGI servers' event loop.")  # fmt: skip
    @click.option("--backlog", type=click.IntRange(1), default=None,
                  help=f"Listen backlog (gevent's here: {DEFAULT_GEVENT_BACKLOG}).")  # fmt: skip
    @click.option("--access-log/--no-access-log", default=False, help="Log every request.")
    @click.pass_obj
    def serve_command(info: ScriptInfo | None, /, target: str | None, **settings: Any) -> None:
        """Serve TARGET (default: --app) with --server until stopped.

        gunicorn, uvicorn and hypercorn replace this process, so signals reach them.
        """
        spec = target or (info.import_path() if info is not None else None)
        try:
            app = load_target(spec) if spec else info.load_app() if info else None
            if app is None:
                raise click.UsageError("serve needs a target: 'serve module:app' or --app")
            if spec and _SIMPLE_TARGET.fullmatch(spec) and settings["server"] != "gevent":
                name = settings["server"]
                entry = _wsgi_of(app, name) if name in WSGI_SERVERS else _asgi_of(app, name)
                external = command(spec + (".asgi" if entry is not app else ""), **settings)
                if external is not None:
                    sys.stdout.flush()
                    os.execv(sys.executable, external)  # signals now go to the server
            serve(app, **settings)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
        except (RuntimeError, OSError) as exc:  # a refused ident, a port in use
            raise click.ClickException(f"{type(exc).__name__}: {exc}") from None

    return serve_command


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
