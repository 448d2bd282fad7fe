"""Serve an app with a real server: :func:`serve` from code, ``serve`` on the command line.

Servers: ``werkzeug`` (the default: threaded, for development), ``gunicorn`` (sync,
gthread or gevent workers), ``gevent`` (gevent's WSGI server, monkey patched first),
``uvicorn`` and ``hypercorn`` (ASGI, asyncio or uvloop loop), ``granian`` (ASGI for an
App or an ASGI callable, WSGI for a WSGI callable).

:func:`serve` takes an App, a dispatcher (``DispatcherMiddleware`` for the WSGI servers,
``ASGIDispatcher`` for the ASGI ones), any WSGI or ASGI callable, or an import string,
and runs the server in this process until it stops. ``python -m ctxcore serve
module:app --server NAME`` (:mod:`ctxcore.adapters.serve_command`) execs the external
servers (gunicorn, uvicorn, hypercorn, granian) with equivalent arguments instead, so
signals reach them directly; targets they cannot import themselves (a factory call) are
served in-process.

Nothing here imports a server, click or ``socket`` at module level: under gevent the
process must be patched before any of them loads.
"""

from __future__ import annotations

import importlib.util
import inspect
import os
import sys
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from .limits import Limits, check_fields, limited_asgi, limited_wsgi, linger, refusal

if TYPE_CHECKING:
    import subprocess

__all__ = [
    "DEFAULT_GEVENT_BACKLOG",
    "EXTRAS",
    "HOST",
    "SERVERS",
    "TARGET_VAR",
    "ListenError",
    "MissingServer",
    "check_listen",
    "free_port",
    "require",
    "serve",
    "stop_process_group",
]

SERVERS = ("werkzeug", "gunicorn", "gevent", "uvicorn", "hypercorn", "granian")
WSGI_SERVERS = ("werkzeug", "gunicorn", "gevent")
#: What each server (and loop or worker) needs installed: ``{name: (module, extra)}``;
#: ``pip install "ctxcore[extra]"`` brings it (``ctxcore[servers]``: all of them).
EXTRAS = {
    "gunicorn": ("gunicorn", "gunicorn"),
    "gevent": ("gevent", "gevent"),
    "uvicorn": ("uvicorn", "uvicorn"),
    "hypercorn": ("hypercorn", "hypercorn"),
    "granian": ("granian", "granian"),
    "uvloop": ("uvloop", "uvloop"),
}
#: Where servers started for tests and benchmarks listen: loopback only.
HOST = "127.0.0.1"
#: gevent's own default listen backlog is 128: a burst of 1,000 connects overflows it,
#: and the kernel retries the dropped handshakes only after 1 s, 3 s, 7 s...
DEFAULT_GEVENT_BACKLOG = 2048
#: Names what :mod:`ctxcore.adapters.target` loads in an external server's workers.
TARGET_VAR = "CTXCORE_SERVE_TARGET"


def _is_asgi(app: object) -> bool:
    """Whether ``app`` is an ASGI callable (an ``async def`` function or ``__call__``)."""
    # The class's __call__, not the instance's: an instance attribute is no call slot.
    call = app if inspect.isroutine(app) else vars(type(app)).get("__call__")
    if call is None and not inspect.isroutine(app):
        call = next((vars(c)["__call__"] for c in type(app).__mro__ if "__call__" in vars(c)), None)
    return inspect.iscoroutinefunction(call)


class MissingServer(ImportError):
    """A server (or its loop or worker) is not installed; the message names the extra."""


class ListenError(OSError):
    """The address cannot be listened on (in use, out of range, unknown host)."""


def require(server: str, loop: str = "asyncio", worker_class: str | None = None) -> None:
    """Raise :class:`MissingServer` unless what ``server`` needs is installed."""
    needed = [server] if server in EXTRAS else []
    if loop == "uvloop" and server in ("uvicorn", "hypercorn", "granian"):
        needed.append("uvloop")
    if server == "gunicorn" and worker_class == "gevent":
        needed.append("gevent")
    missing = [name for name in needed if not _installed(EXTRAS[name][0])]
    if missing:
        modules = " and ".join(EXTRAS[name][0] for name in missing)
        extras = ",".join(EXTRAS[name][1] for name in missing)
        raise MissingServer(
            f"--server {server} needs {modules}, which is not installed: "
            f'pip install "ctxcore[{extras}]"'
        )


def _installed(module: str) -> bool:
    if module in sys.modules:  # None there: an import that is known to fail
        return sys.modules[module] is not None
    return importlib.util.find_spec(module) is not None


def check_listen(host: str, port: int) -> None:
    """Raise :class:`ListenError` unless a server can listen on ``host:port`` now.

    Servers report these failures each their own way (a traceback, exit status 3, five
    retries over 5 s, a random port for an out-of-range one): checking first gives one
    message. A server may still lose the port to another process in between.
    """
    import socket

    where = f"{host}:{port}"
    if not 0 <= port <= 65535:
        raise ListenError(f"cannot listen on {where}: a port is a number from 0 to 65535")
    if os.environ.get("WERKZEUG_SERVER_FD"):
        return  # werkzeug's reloader child: its parent holds the socket already
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do
            sock.bind(address)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ListenError(f"cannot listen on {where}: {reason}") from None


def _serves_asgi(app: object) -> bool:
    """Whether granian should serve ``app`` over ASGI (an App's ``asgi``, or ASGI)."""
    return _is_asgi(app) or _is_asgi(getattr(app, "asgi", None))


def _wsgi_of(app: object, server: str) -> Any:
    if _is_asgi(app) or not callable(app):
        raise ValueError(
            f"{server} serves WSGI apps and {app!r} is not one: serve it with uvicorn, "
            "hypercorn or granian"
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
        "gevent, gunicorn or granian"
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
    limits: Limits | None = None,
    **options: Any,
) -> None:
    """Serve ``app`` with ``server`` in this process until the server stops.

    :param app: an App, a WSGI or ASGI callable (dispatchers included), or an import
        string (``"module:app"``, ``"module:create_app()"``).
    :param server: one of :data:`SERVERS`.
    :param workers: processes (gunicorn, granian; uvicorn and hypercorn only from an
        import string on the command line).
    :param threads: threads per gunicorn worker (gthread when more than one).
    :param worker_class: gunicorn's (``sync``, ``gthread``, ``gevent``).
    :param loop: the ASGI servers' event loop, ``asyncio`` or ``uvloop``.
    :param backlog: the listen backlog (default: the server's; gevent's
        :data:`DEFAULT_GEVENT_BACKLOG`). Not for werkzeug.
    :param access_log: log each request (off by default, for every server).
    :param limits: the request limits (default: :meth:`Limits.from_env`), the same
        under every server: see :mod:`ctxcore.adapters.limits`.
    :param options: passed to the server (``run_simple``'s, ``WSGIServer``'s,
        ``uvicorn.Config``'s, gunicorn's or granian's settings).

    Raises ``ValueError`` for a server or option that does not fit (the message says
    what does), :class:`MissingServer` when the server is not installed (naming the
    extra), :class:`ListenError` when ``host:port`` cannot be listened on. Under gevent,
    call ``ctxcore.adapters.gevent.patch()`` before importing the app: ``python -m
    ctxcore serve`` does.
    """
    if server not in SERVERS:
        raise ValueError(f"unknown server {server!r}: one of {', '.join(SERVERS)}")
    require(server, loop, worker_class)
    check_listen(host, port)
    explicit = limits is not None
    limits = limits or Limits.from_env()
    if server == "gevent":
        from .gevent import patch

        patch()  # before an import string's module loads; a no-op if already patched
    if isinstance(app, str):
        from ctxcore.cli import load_target

        app = load_target(app)
    if server == "werkzeug":
        wsgi = limited_wsgi(_wsgi_of(app, server), limits)
        _werkzeug(wsgi, limits, host, port, workers, backlog, access_log, options)
    elif server == "gevent":
        _one_process(server, workers)
        from .gevent import serve as gevent_serve

        options.setdefault("backlog", backlog or DEFAULT_GEVENT_BACKLOG)
        if not access_log:
            options.setdefault("log", None)
        gevent_serve(_wsgi_of(app, server), host, port, limits=limits, **options)
    elif server == "gunicorn":
        settings = {
            "bind": [f"{host}:{port}"],
            "workers": workers,
            "threads": threads,
            "worker_class": worker_class or ("gthread" if threads > 1 else "sync"),
            "graceful_timeout": 5,
            "accesslog": "-" if access_log else None,
            **({"backlog": backlog} if backlog else {}),
            **_gunicorn_limits(limits),
            **options,
        }
        _gunicorn(limited_wsgi(_wsgi_of(app, server), limits), settings)
    elif server == "granian":
        _granian(app, limits, explicit, host, port, workers, loop, backlog, access_log, options)
    elif server == "uvicorn":
        _one_process(server, workers)
        import uvicorn

        extra: dict[str, Any] = {"backlog": backlog} if backlog else {}
        extra["h11_max_incomplete_event_size"] = _h11_buffer(limits)
        config = uvicorn.Config(
            limited_asgi(_asgi_of(app, server), limits, replace=explicit), host=host, port=port,
            loop=loop, lifespan="on", access_log=access_log, **extra, **options,
        )  # fmt: skip
        uvicorn.Server(config).run()
    else:
        _one_process(server, workers)
        entry = limited_asgi(_asgi_of(app, server), limits, replace=explicit)
        _hypercorn(entry, host, port, loop, backlog, access_log, options)


def _h11_buffer(limits: Limits) -> int:
    """uvicorn's buffer for a request head under h11 (when httptools is not installed):
    the header section's limit plus room for a long request line, so the limits' 431
    answers first; past it, uvicorn answers 400 itself."""
    return limits.header_size + 8192


def _gunicorn_limits(limits: Limits) -> dict[str, int]:
    """gunicorn's own header limits, set to ``limits``: a field longer than the whole
    section may be is refused by gunicorn with the same 431."""
    return {
        "limit_request_field_size": limits.header_size,
        "limit_request_fields": min(limits.header_fields, 32768),  # gunicorn's maximum
    }


def _werkzeug(
    app: Any,
    limits: Limits,
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

    class Handler(WSGIRequestHandler):
        def run_wsgi(self) -> None:
            # The raw fields: werkzeug's environ keeps the last of two Content-Lengths.
            status = check_fields(self.headers.items(), limits)
            if status is None:
                super().run_wsgi()
                return
            line, headers, body = refusal(status)
            self.send_response(status, line.split(" ", 1)[1])
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            self.close_connection = True
            linger(self.connection)

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            if access_log:  # else errors are still logged
                super().log_request(code, size)

    options.setdefault("request_handler", Handler)
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


def _granian(
    app: object,
    limits: Limits,
    explicit: bool,
    host: str,
    port: int,
    workers: int,
    loop: str,
    backlog: int | None,
    access_log: bool,
    options: dict[str, Any],
) -> None:
    """granian: ASGI for an App or an ASGI callable, WSGI for a WSGI callable. Its
    workers are processes forked from this one, each handed the object built here."""
    from granian import Granian
    from granian.constants import Interfaces, Loops

    asgi = _serves_asgi(app)
    entry: Any
    if asgi:
        entry = limited_asgi(_asgi_of(app, "granian"), limits, replace=explicit)
    else:
        entry = limited_wsgi(_wsgi_of(app, "granian"), limits)
    settings: dict[str, Any] = {
        "address": host,
        "port": port,
        "interface": Interfaces.ASGI if asgi else Interfaces.WSGI,
        "workers": workers,
        "loop": Loops(loop),
        "log_access": access_log,
        **({"backlog": backlog} if backlog else {}),
        **options,
    }
    # The target is named (granian's process title shows it), not imported: the
    # loader below hands each worker the object built here.
    server = Granian("ctxcore.adapters.target:" + ("asgi" if asgi else "wsgi"), **settings)
    server.serve(target_loader=lambda: entry, wrap_loader=False)


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
