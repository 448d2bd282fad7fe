"""The shop example (Flask, and its ctxcore port) served by real servers sharing a real
redis-server: sessions (Flask-Session), rate limits (Flask-Limiter) and the API cache
(Flask-Caching) live in Redis, orders in one sqlite file.

- Scale-out (default run): two servers of the same app on two ports. A user who logs in
  through one is logged in on the other, a cart filled on one is read on the other, a
  login limit counts attempts on both, and killing one loses nothing.
- Load (slow): 50 shoppers at once under gunicorn gthread, gunicorn gevent and uvicorn
  (ctxcore's ``app.asgi`` on uvloop; Flask through uvicorn's WSGI interface), each with
  two worker processes: no request fails, and each shopper sees only their own orders.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from tests.adapters.servers import _spawned, free_port, stop
from tests.redis_server import RedisServer

from .shop_client import REQUESTS_PER_SHOPPER, TOKEN, run_shoppers

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
PACKAGES = ["shop_flask", "shop_ctxcore"]
USERS = 50
CLI = {
    "shop_flask": ["flask", "--app", "shop_flask"],
    "shop_ctxcore": ["ctxcore", "--app", "shop_ctxcore"],
}


@pytest.fixture(scope="module")
def copied(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("served") / "examples"
    shutil.copytree(EXAMPLES, target, ignore=shutil.ignore_patterns("__pycache__", "instance"))
    return target


@pytest.fixture(scope="module")
def seeded(copied: Path) -> Path:
    """A migrated, seeded database (through the Flask app's command line), copied per test."""
    database = copied / "seeded.sqlite"
    env = {**os.environ, "SHOP_DATABASE_URL": f"sqlite:///{database}"}
    for command in (["db", "upgrade"], ["seed"]):
        done = subprocess.run(
            [sys.executable, "-m", *CLI["shop_flask"], *command],
            cwd=copied,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    return database


@pytest.fixture
def environment(
    copied: Path, seeded: Path, tmp_path: Path, redis_server: RedisServer
) -> dict[str, str]:
    redis_server.command("FLUSHALL")
    database = tmp_path / "shop.sqlite"
    shutil.copy(seeded, database)
    return {
        "SHOP_REDIS_URL": redis_server.url,
        "SHOP_DATABASE_URL": f"sqlite:///{database}",
        "PYTHONPATH": os.pathsep.join([str(copied), str(ROOT)]),
    }


# One client process drives 50 shoppers: on a busy 2-CPU machine a shopper's next request
# can leave more than gunicorn's 2 s (uvicorn's 5 s) after the last answer, and a server
# closing that idle keep-alive connection as the client reuses it drops the request (seen
# as "Server disconnected without sending a response"; gone with a longer keep-alive).
# gunicorn also restarts a worker silent for --timeout seconds (30 by default).
GUNICORN = ["-m", "gunicorn", "--keep-alive", "60", "--timeout", "120"]
SERVERS = {
    "gunicorn-gthread": [*GUNICORN, "-k", "gthread", "--threads", "8"],
    "gunicorn-gevent": [*GUNICORN, "-k", "gevent"],
    "uvicorn": ["-m", "uvicorn", "--no-access-log", "--timeout-keep-alive", "60"],
}


def command(server: str, package: str, port: int, workers: int) -> list[str]:
    module = f"wsgi_{package}"
    args = [sys.executable, *SERVERS[server]]
    if server.startswith("gunicorn"):
        return [*args, "-w", str(workers), "-b", f"127.0.0.1:{port}", f"{module}:app"]
    args += ["--workers", str(workers), "--port", str(port)]
    if package == "shop_flask":
        return [*args, "--interface", "wsgi", f"{module}:app"]
    return [*args, "--loop", "uvloop", f"{module}:app.asgi"]


@pytest.fixture
def two_servers(
    environment: dict[str, str], tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[list[str], list[subprocess.Popen[bytes]], list[Path]]]:
    """Two gunicorn servers (one worker each) of ``request.param`` on two ports."""
    package = request.param
    with ExitStack() as stack:
        bases, procs, logs = [], [], []
        for index in range(2):
            port = free_port()
            log = tmp_path / f"server{index}.log"
            cmd = command("gunicorn-gthread", package, port, workers=1)
            procs.append(stack.enter_context(_spawned(package, cmd, port, environment, log_to=log)))
            bases.append(f"http://127.0.0.1:{port}")
            logs.append(log)
        yield bases, procs, logs


def csrf_token(client: httpx.Client, url: str) -> str:
    found = TOKEN.search(client.get(url).text)
    assert found is not None, url
    return found.group(1)


def log_in(client: httpx.Client, base: str, name: str, password: str) -> httpx.Response:
    form = {"username": name, "password": password, "csrf_token": csrf_token(client, base + "/")}
    return client.post(f"{base}/auth/login", data=form)


@pytest.mark.parametrize("two_servers", PACKAGES, indirect=True)
def test_two_servers_share_sessions_limits_and_survive_losing_one(
    two_servers: tuple[list[str], list[subprocess.Popen[bytes]], list[Path]],
) -> None:
    (first, second), (first_proc, _), logs = two_servers
    with httpx.Client(timeout=30) as user:
        form = {"username": "ann", "password": "pw-ann"}
        token = csrf_token(user, first + "/")
        assert (
            user.post(f"{first}/auth/register", data={**form, "csrf_token": token}).status_code
            == 302
        )
        # Logged in through the first server, the second knows the user.
        assert '<span class="user">ann</span>' in user.get(f"{second}/").text
        # A cart written through one is read through the other.
        token = csrf_token(user, second + "/")
        added = user.post(
            f"{second}/cart", data={"product_id": 1, "quantity": 4, "csrf_token": token}
        )
        assert added.status_code == 302
        assert "4 x apple" in user.get(f"{first}/cart").text
    # Login attempts on an account count on both servers together (5 per minute).
    with httpx.Client(timeout=30) as attacker:
        statuses = [
            log_in(attacker, (first, second)[i % 2], "ann", "wrong").status_code for i in range(6)
        ]
    assert statuses == [401] * 5 + [429]
    # The first server goes away: the user, the session and the cart are still there.
    stop(first_proc)
    with httpx.Client(timeout=30, cookies=user.cookies) as back:
        assert '<span class="user">ann</span>' in back.get(f"{second}/").text
        assert "4 x apple" in back.get(f"{second}/cart").text
        token = csrf_token(back, second + "/cart")
        assert back.post(f"{second}/checkout", data={"csrf_token": token}).status_code == 302
        assert '<li class="order">4 x apple</li>' in back.get(f"{second}/orders").text
    for log in logs:
        assert "Traceback" not in log.read_text(errors="replace")


@pytest.mark.slow
@pytest.mark.parametrize("server", sorted(SERVERS))
@pytest.mark.parametrize("package", PACKAGES)
def test_fifty_shoppers_under_real_servers_with_two_workers(
    environment: dict[str, str], tmp_path: Path, package: str, server: str
) -> None:
    port = free_port()
    log = tmp_path / "server.log"
    with _spawned(
        package, command(server, package, port, workers=2), port, environment, log_to=log
    ):
        outcome = run_shoppers([f"http://127.0.0.1:{port}"], USERS)
        server_log = log.read_text(errors="replace")
    assert outcome.failures == [], server_log[-3000:]
    assert outcome.requests == USERS * REQUESTS_PER_SHOPPER
    assert "Traceback" not in server_log, server_log[-3000:]
