"""Peers: the libraries ctxcore is compared with, and whether this machine has them."""

from __future__ import annotations

import importlib.metadata
import importlib.util
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Peer:
    """A library a benchmark may need; missing ones are reported as skipped."""

    name: str
    module: str
    distribution: str

    def available(self) -> bool:
        """Tell whether the peer can be imported here."""
        return importlib.util.find_spec(self.module) is not None

    def version(self) -> str | None:
        """Return the installed version, or ``None``."""
        try:
            return importlib.metadata.version(self.distribution)
        except importlib.metadata.PackageNotFoundError:
            return None


PEERS: dict[str, Peer] = {
    peer.name: peer
    for peer in (
        Peer("ctxcore", "ctxcore", "ctxcore"),
        Peer("werkzeug", "werkzeug", "werkzeug"),
        Peer("asgiref", "asgiref", "asgiref"),
        Peer("gevent", "gevent", "gevent"),
        Peer("greenlet", "greenlet", "greenlet"),
        Peer("flask", "flask", "flask"),
        Peer("quart", "quart", "quart"),
        Peer("uvloop", "uvloop", "uvloop"),
        Peer("ujson", "ujson", "ujson"),
        Peer("orjson", "orjson", "orjson"),
        Peer("starlette", "starlette", "starlette"),
        Peer("fastapi", "fastapi", "fastapi"),
        Peer("gunicorn", "gunicorn", "gunicorn"),
        Peer("uvicorn", "uvicorn", "uvicorn"),
        Peer("hypercorn", "hypercorn", "hypercorn"),
        Peer("granian", "granian", "granian"),
        Peer("httptools", "httptools", "httptools"),
        Peer("pyperf", "pyperf", "pyperf"),
    )
}


def missing(*names: str) -> list[str]:
    """Return the peers among ``names`` that are not installed."""
    return [name for name in names if not PEERS[name].available()]


def pure_python(name: str) -> Any:
    """ctxcore's pure-Python ``Local``, ``LocalStack`` or ``LocalProxy`` (the fallback).

    Benchmarked beside the implementation in use (``_c`` where it was built), so one
    run shows both.
    """
    from ctxcore.local import _py

    return getattr(_py, name)
