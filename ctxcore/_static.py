"""Static files of apps and blueprints: the ``static`` routes and their view.

An app with a static folder gets the route ``<static_url_path>/<path:filename>``
(endpoint ``static``; on ``static_host`` with host matching) when it is built, whether or
not the folder exists yet, as in Flask. The view reads :attr:`static_folder` at each
request, so a folder changed later is served from. A blueprint with a static folder
gets ``<prefix><static_url_path>/<path:filename>`` (endpoint ``<name>.static``) when it
is registered. Files are sent by :func:`ctxcore.helpers.send_from_directory`: a missing
file or a path out of the folder is a 404. ``send_static_file`` and
``get_send_file_max_age`` are methods of :class:`ctxcore.scaffold.Scaffold` (overridable
there, as in Flask) whose default bodies are the functions here.
"""

from __future__ import annotations

import weakref
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ._stacks import top_app_context

if TYPE_CHECKING:
    from ._appbase import AppBase
    from .blueprints import Blueprint
    from .scaffold import Scaffold
    from .wrappers import Response

__all__ = [
    "add_static_route",
    "keep_file_wrapper",
    "register_blueprint_static",
    "send_file_max_age",
    "send_static_file",
]


def send_file_max_age() -> int | None:
    """``SEND_FILE_MAX_AGE_DEFAULT`` of the active app, in seconds (the default
    ``get_send_file_max_age``): ``None`` sends no timed cache."""
    ctx = top_app_context()
    if ctx is None:
        raise RuntimeError("get_send_file_max_age() needs an active app context")
    value = ctx.app.config["SEND_FILE_MAX_AGE_DEFAULT"]
    if value is None:
        return None
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    return int(value)


def send_static_file(owner: Scaffold, filename: str) -> Response:
    """Send ``filename`` from ``owner.static_folder`` (the default ``send_static_file``)."""
    from .helpers import send_from_directory

    folder = owner.static_folder
    if folder is None:
        raise RuntimeError("send_static_file() needs a static_folder to serve files from")
    return send_from_directory(folder, filename, max_age=owner.get_send_file_max_age(filename))


class _StaticView:
    """The ``static`` endpoint's view: ``owner.send_static_file(filename)``.

    Holds the app or blueprint weakly, so an app and its route table form no cycle
    (apps built and dropped in a loop, as tests do, are freed at once).
    """

    __slots__ = ("__weakref__", "_owner")
    __name__ = "static"

    def __init__(self, owner: Scaffold) -> None:
        self._owner = weakref.ref(owner)

    def __call__(self, filename: str) -> Any:
        owner = self._owner()
        if owner is None:  # pragma: no cover - the owner outlives its routes in practice
            raise RuntimeError("the app or blueprint of this static route is gone")
        return owner.send_static_file(filename)


def add_static_route(app: AppBase) -> None:
    """Add the app's ``static`` route if it has a static folder (from ``App.__init__``)."""
    if not app.has_static_folder:
        return
    if app.url_map.host_matching and app.static_host is None:
        # Every rule of a host-matching map names its host: one without would never match.
        raise ValueError(
            "host_matching=True needs static_host='...' for the static route "
            "(or static_folder=None for no static route)"
        )
    options: dict[str, Any] = {}
    if app.static_host is not None:  # only allowed with host matching
        options["host"] = app.static_host
    app.add_url_rule(
        f"{app.static_url_path}/<path:filename>", "static", _StaticView(app), **options
    )


def register_blueprint_static(blueprint: Blueprint, app: AppBase, name: str, prefix: str) -> None:
    """Add ``<name>.static`` under ``prefix`` if the blueprint has a static folder.

    Without a URL prefix the app's own static route shadows a blueprint's at the
    same path, as in Flask.
    """
    if not blueprint.has_static_folder:
        return
    view = blueprint.__dict__.get("_static_view")
    if view is None:
        # One view per blueprint: a blueprint registered twice reuses it.
        view = blueprint.__dict__["_static_view"] = _StaticView(blueprint)
    rule = f"{prefix}{blueprint.static_url_path}/<path:filename>"
    app.add_url_rule(rule, f"{name}.static", view)


class _ClosingFile:
    """A file whose ``close`` closes a whole response body (and so ends the request).

    What :func:`keep_file_wrapper` hands the server's file wrapper: the server reads
    or ``sendfile``s the file itself, then closes it, which runs the body's closing.
    """

    __slots__ = ("_close", "_file")

    def __init__(self, file: Any, close: Any) -> None:
        self._file = file
        self._close = close

    def __getattr__(self, name: str) -> Any:  # fileno, read, seek, tell, ...
        return getattr(self._file, name)

    def close(self) -> None:
        self._close()


def keep_file_wrapper(environ: Any, inner: Any, outer: Any) -> Any:
    """``outer`` (a body wrapping ``inner``), or a server file wrapper closing ``outer``.

    A server gives a file body its fast path (gunicorn's ``sendfile``) only when the
    app returns an instance of its ``wsgi.file_wrapper``; the engine's wrappers (that
    pop the contexts on close) would hide it. When ``inner`` is one, the server gets
    a new one over the same file, whose close closes ``outer``.
    """
    if not isinstance(environ, dict):  # a malformed environ: answered with a 400 already
        return outer
    wrapper = environ.get("wsgi.file_wrapper")
    if wrapper is None or not isinstance(wrapper, type) or not isinstance(inner, wrapper):
        return outer
    file = getattr(inner, "filelike", None)
    if file is None:  # a wrapper we do not know how to take apart
        return outer
    return wrapper(_ClosingFile(file, outer.close), getattr(inner, "blksize", 8192))
