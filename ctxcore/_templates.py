"""How apps and blueprints set up templates, kept free of Jinja2 until something renders.

The methods users call live on the classes (:class:`ctxcore.scaffold.Scaffold`: the
template folder's loader and context processors; :class:`ctxcore._appbase.AppBase`: the
app's Jinja environment and the filters, tests and globals registered on it;
:class:`ctxcore.Blueprint`: what a blueprint adds to the whole app). They are thin: the
work is done here, by functions taking the app or blueprint.

Why the care: an app that never renders must not import Jinja2 nor pay for it per
request. Nothing here imports :mod:`jinja2` at module level, the environment is built
on first use (:func:`environment`, behind ``app.jinja_env``), and filters, tests and
globals registered before that are kept (``app._jinja_pending``) and applied when it is
built. Nothing here runs during a request unless a template is rendered.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ._stacks import top_app_context, top_request_context

if TYPE_CHECKING:
    from jinja2 import BaseLoader

    from ._appbase import AppBase
    from .blueprints import Blueprint
    from .scaffold import Scaffold
    from .templating import DispatchingJinjaLoader, Environment

__all__ = [
    "Addition",
    "EnvironmentClass",
    "add_to_environment",
    "create_environment",
    "decorator",
    "default_context_processor",
    "environment",
    "folder_loader",
    "global_loader",
    "register_blueprint_templates",
    "select_autoescape",
    "update_context",
]

F = TypeVar("F", bound=Callable[..., Any])
#: One addition to a Jinja environment: ("filters" | "tests" | "globals", name, object);
#: on a blueprint, "processors" too (an app-wide context processor).
Addition = tuple[str, str, Any]

# One lock for building any app's environment: it is taken once per app, at the
# first render, so sharing it costs nothing.
_env_lock = threading.Lock()


def default_context_processor() -> dict[str, Any]:
    """``g`` and ``request`` of the active contexts, as the objects, not the proxies.

    The environment's globals hold the proxies (for imported templates); a template
    rendered in a context reads the objects directly, which is faster.
    """
    found: dict[str, Any] = {}
    app_ctx = top_app_context()
    if app_ctx is not None:
        found["g"] = app_ctx.g
    request_ctx = top_request_context()
    if request_ctx is not None:
        found["request"] = request_ctx.request
    return found


class EnvironmentClass:
    """The default of ``App.jinja_environment``: ctxcore's ``Environment``, imported
    when first read (so defining an app does not import Jinja2).

    A subclass may set a class of its own instead, as in Flask.
    """

    def __get__(self, obj: object, owner: type | None = None) -> type[Environment]:
        from .templating import Environment

        return Environment


def decorator(register: Callable[[Any, str | None], None], name: str | None) -> Callable[[F], F]:
    """The decorator form of a ``register(func, name)`` method (``template_filter`` for
    ``add_template_filter``, ...): it registers the function and returns it."""

    def decorate(func: F) -> F:
        register(func, name)
        return func

    return decorate


def folder_loader(owner: Scaffold) -> BaseLoader | None:
    """A Jinja2 ``FileSystemLoader`` for ``owner.template_folder`` (``None`` without one)."""
    if owner.template_folder is None:
        return None
    from jinja2 import FileSystemLoader

    return FileSystemLoader(os.path.join(owner.root_path, os.fspath(owner.template_folder)))


def environment(app: AppBase) -> Environment:
    """``app.jinja_env``: the one built by ``app.create_jinja_environment()`` on first
    use, with the filters, tests and globals registered before then added."""
    env = app._jinja_env
    if env is None:
        with _env_lock:
            env = app._jinja_env
            if env is None:
                env = app.create_jinja_environment()
                for kind, name, value in app._jinja_pending:
                    getattr(env, kind)[name] = value
                app._jinja_pending.clear()
                app._jinja_env = env
    return env


def create_environment(app: AppBase) -> Environment:
    """A new Jinja environment for ``app`` (the default ``create_jinja_environment``)."""
    from .globals import g, request, session
    from .helpers import get_flashed_messages

    options = dict(app.jinja_options)
    options.setdefault("autoescape", app.select_jinja_autoescape)
    env: Environment = app.jinja_environment(app, **options)
    env.globals.update(
        url_for=app.url_for,
        get_flashed_messages=get_flashed_messages,
        config=app.config,
        request=request,
        session=session,
        g=g,
    )
    env.policies["json.dumps_function"] = app.json.dumps
    return env


def global_loader(app: AppBase) -> DispatchingJinjaLoader:
    """The environment's loader: the app's templates, then each blueprint's."""
    from .templating import DispatchingJinjaLoader

    return DispatchingJinjaLoader(app)


def select_autoescape(filename: str | None) -> bool:
    """Whether to autoescape a template: HTML, XML and SVG files, and strings."""
    if filename is None:
        return True
    return filename.endswith((".html", ".htm", ".xml", ".xhtml", ".svg"))


def update_context(app: AppBase, context: dict[str, Any]) -> None:
    """Add the context processors' names to ``context`` (in place): the app's, then
    those of the request's blueprints, outer to inner; names given are kept."""
    from ._async import ensure_sync

    scopes: list[str | None] = [None]
    request_ctx = top_request_context()
    if request_ctx is not None:
        scopes.extend(reversed(request_ctx.request.blueprints))
    given = dict(context)
    for scope in scopes:
        for func in app.template_context_processors.get(scope, ()):
            context.update(ensure_sync(func)())
    context.update(given)


def add_to_environment(app: AppBase, kind: str, name: str, value: Any) -> None:
    """Set ``env.<kind>[name]`` on the app's environment, or keep it for when it is built."""
    env = app._jinja_env
    if env is None:
        with _env_lock:
            if app._jinja_env is None:
                app._jinja_pending.append((kind, name, value))
                return
        env = app._jinja_env
    getattr(env, kind)[name] = value


def register_blueprint_templates(blueprint: Blueprint, app: AppBase, name: str) -> None:
    """Give ``app`` the blueprint's scoped context processors (under ``name``), and on
    its first registration its app-wide processors, filters, tests and globals."""
    app.template_context_processors[name] = list(blueprint.template_context_processors[None])
    if sum(1 for other in app.blueprints.values() if other is blueprint) > 1:
        return  # registered again under another name: the app-wide part is there
    for kind, added_name, value in blueprint.app_template_additions:
        if kind == "processors":
            app.template_context_processors[None].append(value)
        else:
            add_to_environment(app, kind, added_name, value)
