"""What the soak suite drives: three in-process targets and four real server kinds."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TARGETS", "Target", "target"]


@dataclass(frozen=True)
class Target:
    """One soaked configuration.

    ``serve`` holds the ``python -m ctxcore serve`` options of a server kind; it is
    empty for the in-process drivers. ``views`` are the soak app's views the requests
    take in turn.
    """

    key: str  # command-line name
    name: str  # report name
    setup: str  # how it is driven, for the report
    needs: tuple[str, ...] = ()
    serve: tuple[str, ...] = ()
    views: tuple[str, ...] = ("sync",)

    @property
    def server(self) -> bool:
        return bool(self.serve)


_BOTH = ("async", "sync")  # ASGI: the async view on the loop, the sync one on a lane thread

TARGETS: tuple[Target, ...] = (
    Target("wsgi", "in-process WSGI", "4 threads reused across batches"),
    Target("asgi-asyncio", "in-process ASGI (asyncio)", "16 tasks on asyncio", views=_BOTH),
    Target(
        "asgi-uvloop", "in-process ASGI (uvloop)", "16 tasks on uvloop", ("uvloop",), views=_BOTH
    ),
    Target(
        "gunicorn-gthread",
        "gunicorn gthread",
        "1 worker, 4 threads",
        ("gunicorn",),
        ("--server", "gunicorn", "--worker-class", "gthread", "--threads", "4"),
    ),
    Target("gevent", "gevent", "gevent WSGIServer", ("gevent",), ("--server", "gevent")),
    Target(
        "uvicorn-uvloop",
        "uvicorn uvloop",
        "1 process, uvloop",
        ("uvicorn", "uvloop"),
        ("--server", "uvicorn", "--loop", "uvloop"),
        _BOTH,
    ),
    Target(
        "hypercorn",
        "hypercorn",
        "1 worker, asyncio",
        ("hypercorn",),
        ("--server", "hypercorn"),
        _BOTH,
    ),
)


def target(key: str) -> Target:
    """The target whose key is ``key``."""
    for found in TARGETS:
        if found.key == key:
            return found
    raise KeyError(f"no soak target {key!r}; choose from {', '.join(t.key for t in TARGETS)}")
