"""ctxcore.adapters: serve ctxcore apps (and foreign WSGI/ASGI apps) under real servers.

Installed as ``ctxcore.adapters``. The WSGI, ASGI and gevent adapters build on the
core in :mod:`ctxcore`; this package holds what is shared by them.
"""

from __future__ import annotations

__all__: list[str] = []
