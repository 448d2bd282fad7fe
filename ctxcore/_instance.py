"""The app's instance folder: where it is by default, and opening files in it.

The instance folder holds what belongs to one deployment of an app (its config files,
a sqlite database) rather than to its code, so it is writable and lives outside the
package once the package is installed. :class:`ctxcore._appbase.AppBase` keeps the
methods (``auto_find_instance_path``, ``open_instance_resource``); the work is here.
"""

from __future__ import annotations

import os
import sys
from typing import IO, Any

__all__ = ["find_instance_path", "open_resource"]


def find_instance_path(import_name: str, root_path: str) -> str:
    """Where the app's instance folder is by default.

    ``instance/`` beside the app's top-level package (or beside its module) when the
    code is not installed; ``<prefix>/var/<name>-instance`` when it is installed under a
    ``site-packages`` folder.
    """
    top = import_name.partition(".")[0]
    module = sys.modules.get(top)
    folder = getattr(module, "__path__", None)
    if folder:  # a package: beside its folder
        base = os.path.dirname(os.path.abspath(next(iter(folder))))
    elif top == import_name:
        base = root_path
    else:  # pragma: no cover - a dotted name whose top level is not imported
        base = os.path.dirname(root_path)
    if os.path.basename(base) in ("site-packages", "dist-packages"):
        return os.path.join(sys.prefix, "var", f"{top}-instance")
    return os.path.join(base, "instance")


def open_resource(folder: str, resource: str, mode: str, encoding: str | None) -> IO[Any]:
    """Open ``resource`` relative to ``folder``, in ``mode`` (text modes with ``encoding``)."""
    path = os.path.join(folder, resource)
    if "b" in mode:
        return open(path, mode)
    return open(path, mode, encoding=encoding)
