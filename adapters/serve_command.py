"""``python -m ctxcore serve``: the command, and the command lines of the servers it execs.

``serve module:app --server gunicorn`` (or uvicorn, hypercorn, granian) replaces this
process with the server, so signals reach it directly. The server imports
:mod:`ctxcore.adapters.target`, which loads ``module:app`` in each worker within the
request limits passed on in the environment. gevent, werkzeug, and targets a server
cannot import itself (a factory call) are served in this process by
:func:`ctxcore.adapters.serve.serve`.
"""

from __future__ import annotations

import os
import re
import sys
from typing import TYPE_CHECKING, Any

from .limits import Limits
from .serve import (
    DEFAULT_GEVENT_BACKLOG,
    HOST,
    SERVERS,
    TARGET_VAR,
    WSGI_SERVERS,
    _asgi_of,
    _gunicorn_limits,
    _h11_buffer,
    _serves_asgi,
    _wsgi_of,
    check_listen,
    require,
    serve,
)

if TYPE_CHECKING:
    import click

__all__ = ["command", "make_command"]

_SIMPLE_TARGET = re.compile(r"[\w.]+:[\w.]+")


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
    limits: Limits | None = None,
    interface: str = "asgi",
) -> list[str] | None:
    """The command line of an external server for ``target``, or ``None`` for in-process
    servers. ``target`` is what the server imports (``module:app.asgi`` for uvicorn);
    ``interface`` is granian's (``asgi`` or ``wsgi``)."""
    bind = f"{host}:{port}"
    python = [sys.executable, "-m"]
    queue = ["--backlog", str(backlog)] if backlog else []
    if server == "gunicorn":
        worker = worker_class or ("gthread" if threads > 1 else "sync")
        own = _gunicorn_limits(limits or Limits.from_env())
        return [
            *python, "gunicorn", "--bind", bind, "--workers", str(workers),
            "--threads", str(threads), "--worker-class", worker,
            "--graceful-timeout", "5", *queue,
            "--limit-request-field_size", str(own["limit_request_field_size"]),
            "--limit-request-fields", str(own["limit_request_fields"]),
            *(["--access-logfile", "-"] if access_log else []), target,
        ]  # fmt: skip
    if server == "uvicorn":
        return [
            *python, "uvicorn", target, "--host", host, "--port", str(port),
            "--workers", str(workers), "--loop", loop, "--lifespan", "on", *queue,
            "--h11-max-incomplete-event-size", str(_h11_buffer(limits or Limits.from_env())),
            "--access-log" if access_log else "--no-access-log",
        ]  # fmt: skip
    if server == "hypercorn":
        return [
            *python, "hypercorn", target, "--bind", bind, "--workers", str(workers),
            "--worker-class", loop, *queue,
            *(["--access-logfile", "-"] if access_log else []),
        ]  # fmt: skip
    if server == "granian":
        return [
            *python, "granian", "--interface", interface, "--host", host,
            "--port", str(port), "--workers", str(workers), "--loop", loop, *queue,
            "--access-log" if access_log else "--no-access-log", target,
        ]  # fmt: skip
    return None


def _exec(spec: str, app: object, settings: dict[str, Any]) -> None:
    """Replace this process with the external server for ``spec``, if it has one.

    The server imports :mod:`ctxcore.adapters.target`, which loads ``spec`` in each
    worker and applies the limits passed on in the environment.
    """
    name = settings["server"]
    wsgi = name in WSGI_SERVERS or (name == "granian" and not _serves_asgi(app))
    if wsgi:
        _wsgi_of(app, name)
    else:
        _asgi_of(app, name)
    interface = "wsgi" if wsgi else "asgi"
    external = command(f"ctxcore.adapters.target:{interface}", interface=interface, **settings)
    if external is None:
        return
    os.environ.update((settings["limits"] or Limits.from_env()).to_env())
    os.environ[TARGET_VAR] = spec
    sys.stdout.flush()
    os.execv(sys.executable, external)  # signals now go to the server


def make_command() -> click.Command:
    """The ``serve`` command of ``python -m ctxcore`` (a click command)."""
    import click

    from ctxcore.cli import ScriptInfo, load_target

    defaults = Limits()
    size = click.IntRange(1)

    @click.command("serve", short_help="Serve the app with a real server.")
    @click.argument("target", required=False, metavar="[module:app]")
    @click.option("--server", type=click.Choice(SERVERS), default="werkzeug", show_default=True)
    @click.option("--host", default=HOST, show_default=True)
    @click.option("--port", type=int, default=8000, show_default=True)
    @click.option(
        "--workers", type=int, default=1,
        help="Processes (gunicorn, uvicorn, hypercorn, granian).",
    )  # fmt: skip
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
    @click.option("--max-body-size", type=size, envvar="CTXCORE_MAX_BODY_SIZE",
                  help=f"Largest request body, bytes [{defaults.body_size}].")  # fmt: skip
    @click.option("--max-header-size", type=size, envvar="CTXCORE_MAX_HEADER_SIZE",
                  help=f"Largest header section, bytes [{defaults.header_size}].")  # fmt: skip
    @click.option("--max-header-fields", type=size, envvar="CTXCORE_MAX_HEADER_FIELDS",
                  help=f"Most header fields [{defaults.header_fields}].")  # fmt: skip
    @click.pass_obj
    def serve_command(
        info: ScriptInfo | None,
        /,
        target: str | None,
        max_body_size: int | None,
        max_header_size: int | None,
        max_header_fields: int | None,
        **settings: Any,
    ) -> None:
        """Serve TARGET (default: --app) with --server until stopped.

        gunicorn, uvicorn, hypercorn and granian replace this process, so signals reach
        them.
        """
        spec = target or (info.import_path() if info is not None else None)
        try:
            settings["limits"] = Limits(
                body_size=max_body_size or defaults.body_size,
                header_size=max_header_size or defaults.header_size,
                header_fields=max_header_fields or defaults.header_fields,
            )
            server = settings["server"]
            require(server, settings["loop"], settings["worker_class"])
            if server == "gevent":
                from .gevent import patch

                patch()  # before the app's module loads (python -m ctxcore has already)
            check_listen(settings["host"], settings["port"])
            app = load_target(spec) if spec else info.load_app() if info else None
            if app is None:
                raise click.UsageError("serve needs a target: 'serve module:app' or --app")
            if spec and _SIMPLE_TARGET.fullmatch(spec):
                _exec(spec, app, settings)
            serve(app, **settings)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
        except (ImportError, OSError) as exc:  # not installed, cannot listen
            raise click.ClickException(str(exc)) from None
        except RuntimeError as exc:  # a refused ident
            raise click.ClickException(f"{type(exc).__name__}: {exc}") from None

    return serve_command
