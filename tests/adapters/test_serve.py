"""``serve()`` from code and ``python -m ctxcore serve``/``run``: real servers on 127.0.0.1.

Each server runs in a subprocess started by the test, answers a request, and is
stopped by the test (its whole process group). Arguments that cannot work are refused
before any server starts, with a message that says what does.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from ctxcore.adapters.dispatch import ASGIDispatcher, DispatcherMiddleware
from ctxcore.adapters.serve import serve

from tests.adapters.mounted import asgi as mounted_asgi
from tests.adapters.mounted import main as mounted_main
from tests.adapters.mounted import wsgi as mounted_wsgi
from tests.adapters.servers import HOST, free_port, raw_exchange, raw_get, stop, wait_for_port

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def started(cmd: list[str], port: int) -> Iterator[Path]:
    """Run the server ``cmd`` (listening on ``port``) until the block ends; yields its log."""
    with tempfile.NamedTemporaryFile(prefix="ctxcore-serve-", suffix=".log", delete=False) as out:
        log = Path(out.name)
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_port(port, proc, log)
        yield log
    finally:
        stop(proc)
        log.unlink(missing_ok=True)


def from_code(setup: str, target: str, server: str, port: int) -> list[str]:
    """A process that runs ``setup``, then ``serve(target, server=server, port=port)``."""
    code = (
        f"{setup}\nfrom ctxcore.adapters.serve import serve\n"
        f"serve({target}, server={server!r}, port={port})\n"
    )
    return [sys.executable, "-c", code]


def get_json(port: int, path: str) -> dict[str, object]:
    status, body = raw_get(port, path)
    assert status == 200, body
    data: dict[str, object] = json.loads(body)
    return data


MOUNTED = "from tests.adapters.mounted import main, wsgi, asgi"
FOREIGN = "from tests.adapters.foreign import wsgi, asgi"
GEVENT_FIRST = "from ctxcore.adapters.gevent import patch\npatch()\n" + MOUNTED


@pytest.mark.parametrize(
    ("setup", "target", "server", "path", "expected"),
    [
        pytest.param(MOUNTED, "main", "werkzeug", "/where", {"app": "main"}, id="app-werkzeug"),
        pytest.param(MOUNTED, "main", "gunicorn", "/where", {"app": "main"}, id="app-gunicorn"),
        pytest.param(GEVENT_FIRST, "main", "gevent", "/where", {"app": "main"}, id="app-gevent"),
        pytest.param(MOUNTED, "main", "uvicorn", "/where", {"app": "main"}, id="app-uvicorn"),
        pytest.param(MOUNTED, "main", "hypercorn", "/where", {"app": "main"}, id="app-hypercorn"),
        pytest.param(MOUNTED, "main", "granian", "/where", {"app": "main"}, id="app-granian-asgi"),
        pytest.param(
            MOUNTED,
            "wsgi",
            "werkzeug",
            "/sec/where",
            {"app": "secondary", "script_root": "/sec", "url": "/sec/where"},
            id="wsgi-dispatcher-werkzeug",
        ),
        pytest.param(
            MOUNTED,
            "asgi",
            "uvicorn",
            "/sec/api/where",
            {"app": "api", "script_root": "/sec/api"},
            id="asgi-dispatcher-uvicorn",
        ),
        pytest.param(FOREIGN, "wsgi", "gunicorn", "/x/t1", {"tag": "t1"}, id="foreign-wsgi"),
        pytest.param(FOREIGN, "asgi", "hypercorn", "/tag/t2", {"tag": "t2"}, id="foreign-asgi"),
        pytest.param(FOREIGN, "wsgi", "granian", "/x/t3", {"tag": "t3"}, id="foreign-wsgi-granian"),
        pytest.param(
            "",
            "'tests.adapters.mounted:build(\"made\")'",
            "werkzeug",
            "/where",
            {"app": "made"},
            id="import-string-factory",
        ),
    ],
)
def test_serve_from_code(
    setup: str, target: str, server: str, path: str, expected: dict[str, object]
) -> None:
    port = free_port()
    with started(from_code(setup, target, server, port), port):
        data = get_json(port, path)
    assert expected.items() <= data.items(), data


@pytest.mark.parametrize(
    ("app", "kwargs", "message"),
    [
        (mounted_wsgi, {"server": "uvicorn"}, "is WSGI only: serve it with werkzeug"),
        (mounted_asgi, {"server": "gunicorn"}, "is not one: serve it with uvicorn"),
        (mounted_main, {"server": "tornado"}, "unknown server 'tornado'"),
        (mounted_main, {"server": "uvicorn", "workers": 2}, "use gunicorn"),
        (mounted_main, {"server": "werkzeug", "backlog": 64}, "no backlog setting"),
    ],
)
def test_serve_refuses_what_cannot_work_before_starting(
    app: object, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        serve(app, port=free_port(), **kwargs)  # type: ignore[arg-type]


def test_dispatchers_are_told_apart() -> None:
    """The WSGI dispatcher is refused by ASGI servers and the ASGI one by WSGI servers."""
    assert isinstance(mounted_wsgi, DispatcherMiddleware)
    assert isinstance(mounted_asgi, ASGIDispatcher)
    with pytest.raises(ValueError, match="WSGI only"):
        serve(mounted_wsgi, server="hypercorn", port=free_port())
    with pytest.raises(ValueError, match="uvicorn, hypercorn or granian"):
        serve(mounted_asgi, server="werkzeug", port=free_port())


# The command line.


def ctxcore(*args: str) -> list[str]:
    return [sys.executable, "-m", "ctxcore", *args]


def listen_backlog(port: int) -> int:
    """The backlog of the socket listening on ``port``: ``ss`` shows it as Send-Q."""
    out = subprocess.run(
        ["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True, timeout=10, check=True
    ).stdout
    return int(out.split()[2])


@pytest.mark.parametrize(("extra", "backlog"), [((), 2048), (("--backlog", "1000"), 1000)])
def test_gevent_backlog(extra: tuple[str, ...], backlog: int) -> None:
    """gevent's own default (128) overflows on a burst of connects: serve's is 2048."""
    port = free_port()
    cmd = ctxcore("serve", "tests.adapters.stress:app", "--server", "gevent", "--port", str(port))
    with started([*cmd, *extra], port):
        assert listen_backlog(port) == backlog


@pytest.mark.parametrize("asked", [False, True])
def test_gevent_access_log_only_when_asked(asked: bool) -> None:
    port = free_port()
    cmd = ctxcore("serve", "tests.adapters.stress:app", "--server", "gevent", "--port", str(port))
    with started([*cmd, *(["--access-log"] if asked else [])], port) as log:
        status, _ = raw_get(port, "/sync/r1")
        assert status == 200
        logged = "GET /sync/r1" in log.read_text(errors="replace")
    assert logged is asked


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("--app", "tests.adapters.mounted:main", "run"), id="run-werkzeug"),
        pytest.param(
            ("--app", "tests.adapters.mounted:main", "run", "--server", "uvicorn"),
            id="run-uvicorn",
        ),
        pytest.param(
            ("serve", "tests.adapters.mounted:build('viafactory')", "--server", "uvicorn"),
            id="serve-factory-in-process",
        ),
        pytest.param(
            ("--app", "tests.adapters.mounted:asgi", "serve", "--server", "hypercorn"),
            id="serve-app-option-exec",
        ),
    ],
)
def test_command_line_serves(args: tuple[str, ...]) -> None:
    port = free_port()
    with started(ctxcore(*args, "--port", str(port)), port):
        data = get_json(port, "/where")
    assert data["app"] in ("main", "viafactory")


def one_line_error(*args: str) -> str:
    """Run ``python -m ctxcore *args``, expecting exit 1 and one line on stderr; return it."""
    proc = subprocess.run(
        ctxcore(*args), cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    return proc.stderr


def test_serve_errors_are_one_line() -> None:
    """A refused ident is reported in one line (exit 1), and nothing listens."""
    port = free_port()
    stderr = one_line_error(
        "serve", "tests.adapters.stress:thread_app", "--server", "gevent", "--port", str(port)
    )
    assert stderr.startswith("Error: RuntimeError: ")
    assert "ident='context'" in stderr  # the fix is named
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((HOST, port), timeout=0.5)


ALL_SERVERS = ["werkzeug", "gunicorn", "gevent", "uvicorn", "hypercorn", "granian"]


@pytest.mark.parametrize("server", ALL_SERVERS)
def test_a_port_in_use_is_one_line(server: str) -> None:
    """One line naming the address and the reason, exit 1, on every server."""
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        stderr = one_line_error(
            "serve", "tests.adapters.mounted:main", "--server", server, "--port", str(port)
        )
    assert stderr == f"Error: cannot listen on {HOST}:{port}: Address already in use\n"


@pytest.mark.parametrize("server", ALL_SERVERS)
def test_a_port_out_of_range_is_one_line(server: str) -> None:
    stderr = one_line_error(
        "serve", "tests.adapters.mounted:main", "--server", server, "--port", "99999"
    )
    assert stderr == (f"Error: cannot listen on {HOST}:99999: a port is a number from 0 to 65535\n")


def test_run_on_a_port_in_use_is_one_line() -> None:
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        stderr = one_line_error(
            *("--app", "tests.adapters.mounted:main", "run", "--server", "gevent"),
            *("--port", str(port)),
        )
    assert stderr.startswith(f"Error: cannot listen on {HOST}:{port}: "), stderr


def without(modules: list[str], *args: str) -> list[str]:
    """``python -m ctxcore *args`` in a process where importing ``modules`` fails, as if
    they were not installed (``None`` in ``sys.modules`` makes an import fail)."""
    blocked = "".join(f"sys.modules[{name!r}] = None\n" for name in modules)
    code = (
        f"import sys\n{blocked}from ctxcore.__main__ import main\nsys.exit(main({list(args)!r}))\n"
    )
    return [sys.executable, "-c", code]


@pytest.mark.parametrize(
    ("missing", "args", "extra"),
    [
        (["gevent"], ("--server", "gevent"), "gevent"),
        (["gunicorn"], ("--server", "gunicorn"), "gunicorn"),
        (["gevent"], ("--server", "gunicorn", "--worker-class", "gevent"), "gevent"),
        (["uvicorn"], ("--server", "uvicorn"), "uvicorn"),
        (["uvloop"], ("--server", "uvicorn", "--loop", "uvloop"), "uvloop"),
        (["hypercorn"], ("--server", "hypercorn"), "hypercorn"),
        (["granian"], ("--server", "granian"), "granian"),
        (["granian", "uvloop"], ("--server", "granian", "--loop", "uvloop"), "granian,uvloop"),
    ],
)
def test_a_server_that_is_not_installed_is_one_line_naming_the_extra(
    missing: list[str], args: tuple[str, ...], extra: str
) -> None:
    proc = subprocess.run(
        without(missing, "serve", "tests.adapters.mounted:main", *args, "--port", str(free_port())),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert proc.stderr.startswith("Error: --server "), proc.stderr
    assert f'pip install "ctxcore[{extra}]"' in proc.stderr


def test_serve_from_code_names_the_missing_extra() -> None:
    code = (
        "import sys\nsys.modules['hypercorn'] = None\n"
        "from ctxcore.adapters.serve import MissingServer, serve\n"
        "from tests.adapters.mounted import main\n"
        "try:\n    serve(main, server='hypercorn')\n"
        "except MissingServer as exc:\n    print(exc)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
        check=True,
    )  # fmt: skip
    assert 'pip install "ctxcore[hypercorn]"' in proc.stdout


def test_gevent_says_where_it_listens() -> None:
    port = free_port()
    cmd = ctxcore("serve", "tests.adapters.stress:app", "--server", "gevent", "--port", str(port))
    line = f"gevent serving on http://{HOST}:{port} "
    with started(cmd, port) as log:
        # It listens a moment before it says so: wait (bounded) for the line.
        deadline = time.monotonic() + 10
        while line not in (said := log.read_text(errors="replace")):
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
    assert line in said


def test_serve_limits_from_code() -> None:
    """``serve(..., limits=Limits(...))`` replaces the defaults (here, under uvicorn)."""
    port = free_port()
    setup = f"{MOUNTED}\nfrom ctxcore.adapters.limits import Limits"
    code = (
        f"{setup}\nfrom ctxcore.adapters.serve import serve\n"
        f"serve(main, server='uvicorn', port={port}, limits=Limits(header_fields=5))\n"
    )
    with started([sys.executable, "-c", code], port):
        few = raw_get(port, "/where", {f"X-{i}": "v" for i in range(2)})[0]
        many = raw_get(port, "/where", {f"X-{i}": "v" for i in range(5)})[0]
    assert (few, many) == (200, 431)


def test_serve_limits_on_the_command_line() -> None:
    """``--max-body-size`` reaches a server that replaces the process (gunicorn)."""
    port = free_port()
    cmd = ctxcore(
        "serve", "tests.adapters.stress:app", "--server", "gunicorn", "--port", str(port),
        "--max-body-size", "10",
    )  # fmt: skip
    with started(cmd, port):
        body = b'{"a": 1}'
        head = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n"
        small = raw_exchange(port, [head.format(len(body)).encode() + body])
        large = raw_exchange(port, [head.format(11).encode()])
    assert small.startswith(b"HTTP/1.1 200 ")
    assert large.startswith(b"HTTP/1.1 413 ")
