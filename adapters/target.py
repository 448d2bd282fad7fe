"""The app ``python -m ctxcore serve`` hands to a server it runs as its own program.

``serve module:app --server gunicorn`` (or uvicorn, hypercorn, granian) replaces itself
with the server, so signals reach it directly, and the server imports the app in each
of its workers. It is told to import ``ctxcore.adapters.target:wsgi`` (or ``:asgi``),
with the user's target in ``CTXCORE_SERVE_TARGET`` and the request limits in the
``CTXCORE_MAX_*`` variables: this module loads the target when imported and wraps it
in the same limits ``serve()`` applies in-process (:mod:`ctxcore.adapters.limits`):
``wsgi`` for a WSGI app or an App, ``asgi`` for an ASGI app or an App.
"""

from __future__ import annotations

import os
from typing import Any

from .serve import TARGET_VAR

__all__ = ["TARGET_VAR"]


def _entries(spec: str) -> dict[str, Any]:
    """``wsgi`` and ``asgi`` for the target ``spec``: each interface it has, within limits."""
    from ctxcore.cli import load_target

    from .limits import Limits, limited_asgi, limited_wsgi
    from .serve import _asgi_of, _serves_asgi, _wsgi_of

    app = load_target(spec)
    limits = Limits.from_env()
    entries: dict[str, Any] = {}
    if _serves_asgi(app):
        entries["asgi"] = limited_asgi(_asgi_of(app, "the server"), limits)
    if not _serves_asgi(app) or hasattr(app, "asgi"):  # an App is both
        entries["wsgi"] = limited_wsgi(_wsgi_of(app, "the server"), limits)
    return entries


def __getattr__(name: str) -> Any:
    """Only reached when the target is not set, or lacks the interface asked for."""
    if name not in ("wsgi", "asgi"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if not os.environ.get(TARGET_VAR):
        raise RuntimeError(f"{__name__}:{name} serves what ${TARGET_VAR} names; it is not set")
    raise AttributeError(f"{os.environ[TARGET_VAR]} has no {name.upper()} interface")


# Loaded as the module is imported, by each worker of the server: an app that fails to
# import stops the worker at boot, not at its first request. Real module attributes,
# not __getattr__ ones: hypercorn looks the name up with eval() in the module's dict.
if os.environ.get(TARGET_VAR):
    globals().update(_entries(os.environ[TARGET_VAR]))
