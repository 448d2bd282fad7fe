"""The app the keep-alive tests serve: it reports from inside the server how it handles them.

``/nodelay/<port>`` finds the server's socket connected to the client's ``port`` among the
process's open files and answers whether ``TCP_NODELAY`` is set on it. ``/meet/<name>``
waits until two connections have arrived (so both have sent everything before either is
served on); ``/turn/<name>`` records whose request was served, and ``/turns`` lists them
in the order served.
"""

from __future__ import annotations

import os
import socket
import threading
from typing import Any

from ctxcore import App

app = App(__name__)
_arrived: list[str] = []
_both_arrived = threading.Event()  # a gevent Event once the server has patched threading
_turns: list[str] = []


def _nodelay_of_connection_from(port: int) -> int | None:
    """``TCP_NODELAY`` of this process's TCP socket whose peer is ``port`` (None: not found)."""
    for name in os.listdir("/dev/fd"):
        try:
            fd = os.dup(int(name))
        except OSError:  # the listing's own descriptor, closed by now
            continue
        try:
            sock = socket.socket(fileno=fd)
        except OSError:  # not a socket
            os.close(fd)
            continue
        with sock:  # closes the duplicate only; the server's socket stays open
            try:
                if sock.family == socket.AF_INET and sock.getpeername()[1] == port:
                    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            except OSError:  # a listening or unconnected socket has no peer
                continue
    return None


@app.route("/nodelay/<int:port>")
def nodelay(port: int) -> dict[str, Any]:
    return {"nodelay": _nodelay_of_connection_from(port)}


@app.route("/meet/<name>")
def meet(name: str) -> str:
    _arrived.append(name)
    if len(_arrived) == 2:
        _both_arrived.set()
    _both_arrived.wait(10)
    return "met"


@app.route("/turn/<name>")
def turn(name: str) -> str:
    _turns.append(name)
    return name


@app.route("/turns")
def turns() -> dict[str, Any]:
    return {"turns": _turns}
