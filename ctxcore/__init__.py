"""ctxcore: request-scoped globals that are correct and fast under every concurrency model.

Two layers, importable apart:

* :mod:`ctxcore.local` — the core: :class:`Local`, :class:`LocalStack`,
  :class:`LocalProxy` over a pluggable ident source (the current ``contextvars``
  context, the OS thread, the current greenlet, or any callable), and helpers that carry
  the context across threads, executors, greenlets and tasks. Standard library only.
* the request-context engine, under Flask's module names (``ctxcore.app``,
  ``ctxcore.ctx``, ``ctxcore.globals``, ``ctxcore.sessions``, ...): ``App``,
  ``Blueprint``, ``request``, ``session``, ``g``, ``current_app``. It needs werkzeug and
  itsdangerous, so its names are imported here on first use and ``import ctxcore``
  stays standard-library only.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .local import (
    ContextSnapshot,
    Local,
    LocalManager,
    LocalProxy,
    LocalStack,
    copy_current_context,
    create_task,
    get_default_ident,
    gevent_spawn,
    implementation,
    live_idents,
    release_local,
    run_in_executor,
    set_default_ident,
    spawn_greenlet,
    start_thread,
    submit,
)

# Where each engine name lives. They are imported on first access (module __getattr__)
# so that "import ctxcore" stays standard-library only. Type checkers cannot follow
# __getattr__, so the TYPE_CHECKING block repeats this table as imports; __all__ lists
# every public name. tests/test_exports.py checks that the three agree.
_LAZY = {
    "App": ".app",
    "AppContext": ".ctx",
    "Blueprint": ".blueprints",
    "Config": ".config",
    "NullSession": ".sessions",
    "Request": ".wrappers",
    "RequestContext": ".ctx",
    "Response": ".wrappers",
    "SecureCookieSession": ".sessions",
    "SecureCookieSessionInterface": ".sessions",
    "SessionInterface": ".sessions",
    "SessionMixin": ".sessions",
    "abort": ".helpers",
    "after_this_request": ".helpers",
    "appcontext_popped": ".signals",
    "appcontext_pushed": ".signals",
    "appcontext_tearing_down": ".signals",
    "before_render_template": ".signals",
    "copy_current_request_context": ".helpers",
    "current_app": ".globals",
    "flash": ".helpers",
    "g": ".globals",
    "get_flashed_messages": ".helpers",
    "got_request_exception": ".signals",
    "has_app_context": ".helpers",
    "has_request_context": ".helpers",
    "jsonify": ".helpers",
    "make_response": ".helpers",
    "message_flashed": ".signals",
    "redirect": ".helpers",
    "request": ".globals",
    "request_finished": ".signals",
    "request_started": ".signals",
    "request_tearing_down": ".signals",
    "session": ".globals",
    "stream_with_context": ".helpers",
    "template_rendered": ".signals",
    "url_for": ".helpers",
    # Templates and static files.
    "get_template_attribute": ".helpers",
    "render_template": ".templating",
    "render_template_string": ".templating",
    "send_file": ".helpers",
    "send_from_directory": ".helpers",
    "stream_template": ".templating",
    "stream_template_string": ".templating",
    # Flask extensions: after patch_flask(), "import flask" is ctxcore.
    "is_flask_patched": "._flask_patch",
    "patch_flask": "._flask_patch",
    "patched_flask": "._flask_patch",
    "unpatch_flask": "._flask_patch",
}

if TYPE_CHECKING:
    from ._flask_patch import is_flask_patched as is_flask_patched
    from ._flask_patch import patch_flask as patch_flask
    from ._flask_patch import patched_flask as patched_flask
    from ._flask_patch import unpatch_flask as unpatch_flask
    from .app import App as App
    from .blueprints import Blueprint as Blueprint
    from .config import Config as Config
    from .ctx import AppContext as AppContext
    from .ctx import RequestContext as RequestContext
    from .globals import current_app as current_app
    from .globals import g as g
    from .globals import request as request
    from .globals import session as session
    from .helpers import abort as abort
    from .helpers import after_this_request as after_this_request
    from .helpers import copy_current_request_context as copy_current_request_context
    from .helpers import flash as flash
    from .helpers import get_flashed_messages as get_flashed_messages
    from .helpers import get_template_attribute as get_template_attribute
    from .helpers import has_app_context as has_app_context
    from .helpers import has_request_context as has_request_context
    from .helpers import jsonify as jsonify
    from .helpers import make_response as make_response
    from .helpers import redirect as redirect
    from .helpers import send_file as send_file
    from .helpers import send_from_directory as send_from_directory
    from .helpers import stream_with_context as stream_with_context
    from .helpers import url_for as url_for
    from .sessions import NullSession as NullSession
    from .sessions import SecureCookieSession as SecureCookieSession
    from .sessions import SecureCookieSessionInterface as SecureCookieSessionInterface
    from .sessions import SessionInterface as SessionInterface
    from .sessions import SessionMixin as SessionMixin
    from .signals import appcontext_popped as appcontext_popped
    from .signals import appcontext_pushed as appcontext_pushed
    from .signals import appcontext_tearing_down as appcontext_tearing_down
    from .signals import before_render_template as before_render_template
    from .signals import got_request_exception as got_request_exception
    from .signals import message_flashed as message_flashed
    from .signals import request_finished as request_finished
    from .signals import request_started as request_started
    from .signals import request_tearing_down as request_tearing_down
    from .signals import template_rendered as template_rendered
    from .templating import render_template as render_template
    from .templating import render_template_string as render_template_string
    from .templating import stream_template as stream_template
    from .templating import stream_template_string as stream_template_string
    from .wrappers import Request as Request
    from .wrappers import Response as Response

#: The installed version (read on first access: importlib.metadata is not free).
__version__: str


# Taken now: once ctxcore.globals is imported, the name "globals" here is that module.
_NAMESPACE = globals()


def _version() -> str:
    """The installed distribution's version; from pyproject.toml in a source checkout."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ctxcore")
    except PackageNotFoundError:
        pass
    import re
    from pathlib import Path

    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        found = re.search(r'^version = "([^"]+)"', pyproject.read_text(), re.MULTILINE)
    except OSError:
        found = None
    return found.group(1) if found else "0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        _NAMESPACE[name] = value = _version()
        return value
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ctxcore' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    _NAMESPACE[name] = value
    return value


__all__ = [
    "App",
    "AppContext",
    "Blueprint",
    "Config",
    "ContextSnapshot",
    "Local",
    "LocalManager",
    "LocalProxy",
    "LocalStack",
    "NullSession",
    "Request",
    "RequestContext",
    "Response",
    "SecureCookieSession",
    "SecureCookieSessionInterface",
    "SessionInterface",
    "SessionMixin",
    "abort",
    "after_this_request",
    "appcontext_popped",
    "appcontext_pushed",
    "appcontext_tearing_down",
    "before_render_template",
    "copy_current_context",
    "copy_current_request_context",
    "create_task",
    "current_app",
    "flash",
    "g",
    "get_default_ident",
    "get_flashed_messages",
    "get_template_attribute",
    "gevent_spawn",
    "got_request_exception",
    "has_app_context",
    "has_request_context",
    "implementation",
    "is_flask_patched",
    "jsonify",
    "live_idents",
    "make_response",
    "message_flashed",
    "patch_flask",
    "patched_flask",
    "redirect",
    "release_local",
    "render_template",
    "render_template_string",
    "request",
    "request_finished",
    "request_started",
    "request_tearing_down",
    "run_in_executor",
    "send_file",
    "send_from_directory",
    "session",
    "set_default_ident",
    "spawn_greenlet",
    "start_thread",
    "stream_template",
    "stream_template_string",
    "stream_with_context",
    "submit",
    "template_rendered",
    "unpatch_flask",
    "url_for",
]
