"""Serve a WSGI app with gevent's WSGI server, after monkey patching the process.

Call :func:`patch` before the app (and anything using threads or sockets) is imported;
``python -m ctxcore serve module:app --server gevent`` does it in that order. Under the
patch, threads are greenlets: the ``"context"`` and ``"greenlet"`` idents both isolate
requests, and ``"thread"`` means the one OS thread (shared by all requests).
"""

from __future__ import annotations

import warnings
from typing import Any

__all__ = ["patch", "serve"]


def patch() -> None:
    """Monkey-patch the standard library for gevent (idempotent)."""
    from gevent import monkey

    if not monkey.is_module_patched("socket"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "already imported" notes about ssl and friends
            monkey.patch_all()


def serve(app: Any, host: str = "127.0.0.1", port: int = 8000, **server_options: Any) -> None:
    """Serve ``app`` forever with ``gevent.pywsgi.WSGIServer`` (one greenlet per request)."""
    patch()
    from gevent.pywsgi import WSGIServer

    server = WSGIServer((host, port), app, **server_options)
    server.serve_forever()
