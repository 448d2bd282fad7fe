"""Template set-up on apps and blueprints, kept free of Jinja2 until something renders.

:class:`ScaffoldTemplates` (App and Blueprint): the template folder's loader and the
context processors. :class:`AppTemplates`: the app's Jinja environment and the filters,
tests and globals registered on it. :class:`BlueprintTemplates`: what a blueprint adds
to the whole app's templates when it is registered (:func:`register_blueprint_templates`).

Why the care: an app that never renders must not import Jinja2 nor pay for it per
request. Nothing here imports :mod:`jinja2` at module level, the environment is built
on first use (:attr:`AppTemplates.jinja_env`), and filters, tests and globals
registered before that are kept and applied when it is built. Nothing here runs
during a request unless a template is rendered.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from ._stacks import top_app_context, top_request_context

if TYPE_CHECKING:
    from jinja2 import BaseLoader

    from ._appbase import AppBase
    from .blueprints import Blueprint
    from .config import Config
    from .templating import DispatchingJinjaLoader, Environment

__all__ = [
    "AppTemplates",
    "BlueprintTemplates",
    "ScaffoldTemplates",
    "default_context_processor",
    "register_blueprint_templates",
]

F = TypeVar("F", bound=Callable[..., Any])
#: One addition to a Jinja environment: ("filters" | "tests" | "globals", name, object).
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


class _EnvironmentClass:
    """The default of :attr:`AppTemplates.jinja_environment`, imported when first read.

    A subclass may set a class of its own instead, as in Flask.
    """

    def __get__(self, obj: object, owner: type | None = None) -> type[Environment]:
        from .templating import Environment

        return Environment


class ScaffoldTemplates:
    """The template folder and context processors of an App or a Blueprint."""

    #: The folder of templates, relative to ``root_path`` (``None``: no templates).
    template_folder: str | os.PathLike[str] | None
    root_path: str
    #: Context processors by scope: ``None`` for the object itself; on an app, each
    #: registered blueprint's name for those scoped to its requests.
    template_context_processors: dict[str | None, list[Callable[[], dict[str, Any]]]]
    _default_context_processors: tuple[Callable[[], dict[str, Any]], ...] = ()

    def _init_templates(self) -> None:
        self.template_context_processors = {None: list(self._default_context_processors)}

    @cached_property
    def jinja_loader(self) -> BaseLoader | None:
        """A Jinja2 ``FileSystemLoader`` for :attr:`template_folder` (``None`` without one)."""
        if self.template_folder is None:
            return None
        from jinja2 import FileSystemLoader

        return FileSystemLoader(os.path.join(self.root_path, os.fspath(self.template_folder)))

    def context_processor(self, func: F) -> F:
        """Decorator: ``func()`` returns a dict of names added to every template's context.

        On a blueprint, only templates rendered by its own requests get them. Names
        passed to ``render_template`` win over a processor's.
        """
        self.template_context_processors[None].append(func)
        return func


class AppTemplates(ScaffoldTemplates):
    """An app's Jinja environment and what is registered on it (Flask's API)."""

    #: The environment class :meth:`create_jinja_environment` builds.
    jinja_environment: Any = _EnvironmentClass()
    #: Options for the Jinja environment; read once, when it is built.
    jinja_options: dict[str, Any] = {}  # noqa: RUF012 - Flask's class attribute, replaced not mutated
    _default_context_processors = (default_context_processor,)
    config: Config
    blueprints: dict[str, Blueprint]
    _jinja_env: Environment | None = None
    _jinja_pending: list[Addition]

    def _init_templates(self) -> None:
        super()._init_templates()
        self._jinja_pending = []

    @property
    def jinja_env(self) -> Environment:
        """The app's Jinja environment, built on first use by :meth:`create_jinja_environment`."""
        env = self._jinja_env
        if env is None:
            with _env_lock:
                env = self._jinja_env
                if env is None:
                    env = self.create_jinja_environment()
                    for kind, name, value in self._jinja_pending:
                        getattr(env, kind)[name] = value
                    self._jinja_pending.clear()
                    self._jinja_env = env
        return env

    @jinja_env.setter
    def jinja_env(self, env: Environment) -> None:
        self._jinja_env = env

    def create_jinja_environment(self) -> Environment:
        """Build the Jinja environment from :attr:`jinja_options`.

        Autoescaping follows :meth:`select_jinja_autoescape`; templates are reloaded
        when changed if ``TEMPLATES_AUTO_RELOAD`` says so (``None``: in debug mode),
        read each time the environment loads a template. The globals ``url_for``,
        ``get_flashed_messages``, ``config``, ``request``, ``session`` and ``g`` are set.
        """
        from .globals import g, request, session
        from .helpers import get_flashed_messages

        options = dict(self.jinja_options)
        options.setdefault("autoescape", self.select_jinja_autoescape)
        env: Environment = self.jinja_environment(self, **options)
        env.globals.update(
            url_for=self.url_for,
            get_flashed_messages=get_flashed_messages,
            config=self.config,
            request=request,
            session=session,
            g=g,
        )
        env.policies["json.dumps_function"] = self.json.dumps
        return env

    def create_global_jinja_loader(self) -> DispatchingJinjaLoader:
        """The environment's loader: the app's templates, then each blueprint's."""
        from .templating import DispatchingJinjaLoader

        return DispatchingJinjaLoader(self)  # type: ignore[arg-type]  # self is an AppBase

    def select_jinja_autoescape(self, filename: str | None) -> bool:
        """Whether to autoescape a template: HTML, XML and SVG files, and strings."""
        if filename is None:
            return True
        return filename.endswith((".html", ".htm", ".xml", ".xhtml", ".svg"))

    def update_template_context(self, context: dict[str, Any]) -> None:
        """Add the context processors' names to ``context`` (in place).

        The app's processors run first, then those of the request's blueprints, outer
        to inner; names already in ``context`` (given to ``render_template``) are kept.
        """
        from ._async import ensure_sync

        scopes: list[str | None] = [None]
        request_ctx = top_request_context()
        if request_ctx is not None:
            scopes.extend(reversed(request_ctx.request.blueprints))
        given = dict(context)
        for scope in scopes:
            for func in self.template_context_processors.get(scope, ()):
                context.update(ensure_sync(func)())
        context.update(given)

    def _add_to_env(self, kind: str, name: str, value: Any) -> None:
        env = self._jinja_env
        if env is not None:
            getattr(env, kind)[name] = value
        else:
            with _env_lock:
                if self._jinja_env is None:
                    self._jinja_pending.append((kind, name, value))
                    return
            getattr(self._jinja_env, kind)[name] = value

    def add_template_filter(self, func: Callable[..., Any], name: str | None = None) -> None:
        """Make ``func`` a template filter named ``name`` (default: its ``__name__``)."""
        self._add_to_env("filters", name or func.__name__, func)

    def template_filter(self, name: str | None = None) -> Callable[[F], F]:
        """Decorator form of :meth:`add_template_filter`."""

        def decorator(func: F) -> F:
            self.add_template_filter(func, name)
            return func

        return decorator

    def add_template_test(self, func: Callable[..., bool], name: str | None = None) -> None:
        """Make ``func`` a template test (``{% if x is name %}``)."""
        self._add_to_env("tests", name or func.__name__, func)

    def template_test(self, name: str | None = None) -> Callable[[F], F]:
        """Decorator form of :meth:`add_template_test`."""

        def decorator(func: F) -> F:
            self.add_template_test(func, name)
            return func

        return decorator

    def add_template_global(self, func: Callable[..., Any], name: str | None = None) -> None:
        """Make ``func`` a global of every template."""
        self._add_to_env("globals", name or func.__name__, func)

    def template_global(self, name: str | None = None) -> Callable[[F], F]:
        """Decorator form of :meth:`add_template_global`."""

        def decorator(func: F) -> F:
            self.add_template_global(func, name)
            return func

        return decorator

    if TYPE_CHECKING:

        def url_for(self, endpoint: str, *, _external: bool = False, **values: Any) -> str: ...

        @property
        def json(self) -> Any: ...


class BlueprintTemplates(ScaffoldTemplates):
    """What a blueprint adds to every template of the app it is registered on."""

    #: ("filters" | "tests" | "globals" | "processors", name, object), applied to the
    #: app on the blueprint's first registration.
    app_template_additions: list[Addition]

    def _init_templates(self) -> None:
        super()._init_templates()
        self.app_template_additions = []

    def app_context_processor(self, func: F) -> F:
        """Like :meth:`context_processor`, for every template the app renders."""
        self.app_template_additions.append(("processors", "", func))
        return func

    def add_app_template_filter(self, func: Callable[..., Any], name: str | None = None) -> None:
        """Register a template filter for the whole app (``App.add_template_filter``)."""
        self.app_template_additions.append(("filters", name or func.__name__, func))

    def app_template_filter(self, name: str | None = None) -> Callable[[F], F]:
        """Decorator form of :meth:`add_app_template_filter`."""

        def decorator(func: F) -> F:
            self.add_app_template_filter(func, name)
            return func

        return decorator

    def add_app_template_test(self, func: Callable[..., bool], name: str | None = None) -> None:
        """Register a template test for the whole app (``App.add_template_test``)."""
        self.app_template_additions.append(("tests", name or func.__name__, func))

    def app_template_test(self, name: str | None = None) -> Callable[[F], F]:
        """Decorator form of :meth:`add_app_template_test`."""

        def decorator(func: F) -> F:
            self.add_app_template_test(func, name)
            return func

        return decorator

    def add_app_template_global(self, func: Callable[..., Any], name: str | None = None) -> None:
        """Register a template global for the whole app (``App.add_template_global``)."""
        self.app_template_additions.append(("globals", name or func.__name__, func))

    def app_template_global(self, name: str | None = None) -> Callable[[F], F]:
        """Decorator form of :meth:`add_app_template_global`."""

        def decorator(func: F) -> F:
            self.add_app_template_global(func, name)
            return func

        return decorator


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
            app._add_to_env(kind, added_name, value)
