"""A real ``redis-server`` on a free loopback port, for the tests that need Redis.

Started with no persistence and no config file, in its own process group; stopped (and
its process group waited for) when the block ends.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from ctxcore.adapters.serve import HOST, free_port, stop_process_group

#: Why Redis tests skip when the binary is missing (CI installs the Debian package).
MISSING = (
    "redis-server is not installed (Debian: apt-get install redis-server; .ci/run installs it)"
)


def redis_server_binary() -> str | None:
    return shutil.which("redis-server")


@dataclass(frozen=True)
class RedisServer:
    port: int

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def command(self, *words: str) -> bytes:
        """Send one inline command; return the raw reply (for checks without a client)."""
        with socket.create_connection((HOST, self.port), timeout=5) as sock:
            sock.sendall(" ".join(words).encode() + b"\r\n")
            return sock.recv(65536)


@contextmanager
def running_redis() -> Iterator[RedisServer]:
    """A fresh redis-server on 127.0.0.1, stopped when the block ends."""
    binary = redis_server_binary()
    if binary is None:
        raise RuntimeError(MISSING)
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = RedisServer(port)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                if server.command("PING").startswith(b"+PONG"):
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {port}")
            time.sleep(0.05)
        yield server
    finally:
        stop_process_group(proc)  # type: ignore[arg-type]
