"""The servers of the e2e suite, the apps each one runs, and starting and stopping them.

Two endpoints: the JSON endpoint of ``bench/apps.py`` (the ``context`` suite's) under
uvicorn + uvloop, gunicorn gthread and granian's ASGI and WSGI interfaces (the cases
named "..., json"), and the session app of ``bench/e2e/apps.py`` under the others.

granian runs as uvicorn and gunicorn do here: one worker process, its default single
runtime thread (the Rust side doing the HTTP), uvloop for ASGI. Its WSGI interface runs
the app in a pool of Python threads whose default size is half its backpressure (512:
granian itself warns that this is high for the cores at hand); it gets 4, as gunicorn
gthread has, so the two WSGI servers run a request the same way.

One server process per app (one gunicorn worker, one uvicorn process), so requests per
second measure what one core does with each framework. When the machine has two CPUs or
more, servers are pinned to CPU 0 and the load generator to CPU 1, so the two do not
take turns on one core.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ctxcore.adapters.serve import HOST, free_port, stop_process_group

from bench import apps as json_apps
from bench.e2e.apps import EXPECTED, PATH

ROOT = Path(__file__).resolve().parents[2]
SERVER_CPU, CLIENT_CPU = (0, 1) if (os.cpu_count() or 1) >= 2 else (None, None)


@dataclass(frozen=True)
class Endpoint:
    """What a server's apps are asked, and the answer each must give before it is loaded."""

    path: str
    expected: Any  # the JSON body
    session: bool  # whether the answer must set a session cookie


#: The session app (bench/e2e/apps.py): g, a helper, a signed-cookie session, JSON.
SESSION = Endpoint(PATH, EXPECTED, session=True)
#: The JSON endpoint of bench/apps.py (the context suite's): a path parameter, a query
#: argument, a dict answered as JSON.
JSON = Endpoint(json_apps.PATH, json_apps.EXPECTED, session=False)


@dataclass(frozen=True)
class Contender:
    """One framework's app on one server."""

    name: str
    target: str  # module:attribute
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Server:
    """A server configuration and the apps it runs."""

    name: str
    command: Callable[[str, int], list[str]]
    contenders: tuple[Contender, ...]
    needs: tuple[str, ...] = ()
    endpoint: Endpoint = SESSION


def _gunicorn_gthread(target: str, port: int) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn", target, "--bind", f"{HOST}:{port}", "--workers", "1",
        "--worker-class", "gthread", "--threads", "4", "--log-level", "warning",
    ]  # fmt: skip


#: Python threads of granian's WSGI interface (gunicorn gthread's ``--threads``).
GRANIAN_WSGI_THREADS = 4


def _granian(interface: str) -> Callable[[str, int], list[str]]:
    def command(target: str, port: int) -> list[str]:
        threads = GRANIAN_WSGI_THREADS if interface == "wsgi" else 1
        return [
            sys.executable, "-m", "granian", "--interface", interface, "--host", HOST,
            "--port", str(port), "--workers", "1", "--runtime-threads", "1",
            "--blocking-threads", str(threads), "--loop", "uvloop", "--no-access-log",
            "--log-level", "warning", target,
        ]  # fmt: skip

    return command


def _gevent(target: str, port: int) -> list[str]:
    return [sys.executable, "-m", "bench.e2e.gevent_server", target, str(port)]


def _uvicorn(loop: str) -> Callable[[str, int], list[str]]:
    def command(target: str, port: int) -> list[str]:
        from importlib.util import find_spec

        http = "httptools" if find_spec("httptools") else "h11"
        return [
            sys.executable, "-m", "uvicorn", target, "--host", HOST, "--port", str(port),
            "--loop", loop, "--http", http, "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip

    return command


_APPS = "bench.e2e.apps"
_WSGI = (
    Contender("ctxcore", f"{_APPS}:ctxcore_wsgi"),
    Contender("Flask", f"{_APPS}:flask_app", ("flask",)),
)
_ASGI = (
    Contender("ctxcore", f"{_APPS}:ctxcore_asgi"),
    Contender("ctxcore, sync view", f"{_APPS}:ctxcore_asgi_sync"),
    Contender("Quart", f"{_APPS}:quart_app", ("quart",)),
    Contender("Starlette", f"{_APPS}:starlette_app", ("starlette",)),
)
_WSGI_JSON = (
    Contender("ctxcore", f"{_APPS}:ctxcore_json_wsgi"),
    Contender("Flask", f"{_APPS}:flask_json", ("flask",)),
)
_ASGI_JSON = (
    Contender("ctxcore", f"{_APPS}:ctxcore_json_asgi"),
    Contender("ctxcore, sync view", f"{_APPS}:ctxcore_json_asgi_sync"),
    Contender("Starlette", f"{_APPS}:starlette_json", ("starlette",)),
    Contender("FastAPI", f"{_APPS}:fastapi_json", ("fastapi",)),
    Contender("Quart", f"{_APPS}:quart_json", ("quart",)),
)

_GRANIAN_ASGI_JSON = (
    Contender("ctxcore", f"{_APPS}:ctxcore_json_asgi"),
    Contender("ctxcore, sync view", f"{_APPS}:ctxcore_json_asgi_sync"),
    Contender("Starlette", f"{_APPS}:starlette_json", ("starlette",)),
)

SERVERS: tuple[Server, ...] = (
    Server("uvicorn uvloop, json", _uvicorn("uvloop"), _ASGI_JSON, ("uvicorn", "uvloop"), JSON),
    Server("gunicorn gthread, json", _gunicorn_gthread, _WSGI_JSON, ("gunicorn",), JSON),
    Server("granian asgi, json", _granian("asgi"), _GRANIAN_ASGI_JSON, ("granian", "uvloop"), JSON),
    Server("granian wsgi, json", _granian("wsgi"), _WSGI_JSON, ("granian",), JSON),
    Server("gunicorn gthread", _gunicorn_gthread, _WSGI, ("gunicorn",)),
    Server("gevent", _gevent, _WSGI, ("gevent",)),
    Server("uvicorn uvloop", _uvicorn("uvloop"), _ASGI, ("uvicorn", "uvloop")),
    Server("uvicorn asyncio", _uvicorn("asyncio"), _ASGI, ("uvicorn",)),
)


@dataclass
class Running:
    """A started server process (and its workers, in the same process group)."""

    contender: Contender
    port: int
    proc: subprocess.Popen[bytes]
    log: Path
    endpoint: Endpoint = SESSION

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}{self.endpoint.path}"

    def cpu_seconds(self) -> float | None:
        """CPU time used so far by every process of the server (Linux ``/proc``)."""
        return group_cpu_seconds(self.proc.pid)


def group_cpu_seconds(pgid: int) -> float | None:
    """User + system CPU seconds of the live processes in process group ``pgid``."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    ticks = 0
    for stat in proc.glob("[0-9]*/stat"):
        try:
            # Fields after the ")" that ends the command name: state is the first.
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # the process ended while we looked
        if int(fields[2]) == pgid:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _pin_server() -> None:
    os.setsid()  # its own process group: stopping it stops its workers
    if SERVER_CPU is not None:
        os.sched_setaffinity(0, {SERVER_CPU})


def start(server: Server, contender: Contender) -> Running:
    """Start ``contender`` under ``server`` on a free port (returns before it listens)."""
    port = free_port()
    with tempfile.NamedTemporaryFile(prefix="ctxcore-e2e-", suffix=".log", delete=False) as out:
        proc = subprocess.Popen(
            server.command(contender.target, port),
            cwd=ROOT,
            stdout=out,  # a file: an unread pipe would block a server that logs
            stderr=subprocess.STDOUT,
            preexec_fn=_pin_server,  # noqa: PLW1509 - the runner is single-threaded
        )
    return Running(contender, port, proc, Path(out.name), server.endpoint)


def wait_ready(running: Running, timeout: float = 60.0) -> None:
    """Wait until the server answers the e2e request correctly; raise otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if running.proc.poll() is not None:
            raise RuntimeError(
                f"{running.contender.name} exited ({running.proc.returncode}):\n"
                + running.log.read_text(errors="replace")[-3000:]
            )
        try:
            with socket.create_connection((HOST, running.port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.05)
    else:
        raise TimeoutError(f"{running.contender.name} did not listen within {timeout:.0f}s")
    check_answer(running)


def check_answer(running: Running) -> None:
    """The app must answer its server's request with the expected JSON (and a session
    cookie, for the session app)."""
    endpoint = running.endpoint
    conn = http.client.HTTPConnection(HOST, running.port, timeout=10)
    try:
        conn.request("GET", endpoint.path)
        response = conn.getresponse()
        body = response.read()
        cookie = response.getheader("Set-Cookie") or ""
    finally:
        conn.close()
    wrong_cookie = endpoint.session and "session=" not in cookie
    if response.status != 200 or json.loads(body) != endpoint.expected or wrong_cookie:
        with_cookie = " with a session cookie" if endpoint.session else ""
        raise RuntimeError(
            f"{running.contender.name} answered {response.status} {body[:300]!r} "
            f"(cookie {cookie[:60]!r}); expected 200 {endpoint.expected}{with_cookie}"
        )


def stop(running: Running) -> None:
    """Stop a started server and remove its log."""
    stop_process_group(running.proc)
    running.log.unlink(missing_ok=True)


@contextmanager
def serving(server: Server, contenders: tuple[Contender, ...]) -> Iterator[list[Running]]:
    """Start ``contenders`` under ``server`` together, check them, stop them all after."""
    started: list[Running] = []
    try:
        for contender in contenders:
            started.append(start(server, contender))
        for running in started:
            wait_ready(running)
        yield started
    finally:
        for running in started:
            stop(running)
