"""``python -m bench.e2e.gevent_server module:app PORT``: any WSGI app under gevent's server.

The process is patched before the app is imported (``ctxcore.adapters.gevent`` does it
for foreign apps as well); the access log is off, as it is for the other servers.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    """Serve ``module:app`` on 127.0.0.1:PORT until stopped."""
    if len(argv) != 2 or ":" not in argv[0]:
        print("usage: python -m bench.e2e.gevent_server module:app PORT", file=sys.stderr)
        return 2
    from ctxcore.adapters.gevent import patch, serve

    patch()
    import importlib

    module_name, _, attr = argv[0].partition(":")
    app = getattr(importlib.import_module(module_name), attr)
    serve(app, "127.0.0.1", int(argv[1]), log=None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
