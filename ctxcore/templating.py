"""Jinja2 templates: render or stream them with the current app (Flask's API).

``render_template("page.html", **context)`` looks the template up in the app's
``templates`` folder, then in each registered blueprint's (in registration order), adds
the context processors' names and the defaults (``config``, ``request``, ``session``,
``g``, ``url_for``, ``get_flashed_messages``), sends :data:`~ctxcore.signals.
before_render_template` and :data:`~ctxcore.signals.template_rendered`, and returns the
text. The ``stream_`` forms return an iterator of text chunks that keeps the request
context while a server consumes it.

Importing this module imports Jinja2; the rest of the engine imports it only when an
app builds its environment (see :mod:`ctxcore._templates`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from jinja2 import BaseLoader, Template, TemplateNotFound
from jinja2 import Environment as BaseEnvironment

from . import signals
from ._stacks import top_app_context, top_request_context
from .helpers import get_template_attribute, stream_with_context

if TYPE_CHECKING:
    from ._appbase import AppBase

__all__ = [
    "DispatchingJinjaLoader",
    "Environment",
    "get_template_attribute",
    "render_template",
    "render_template_string",
    "stream_template",
    "stream_template_string",
]

Source = tuple[str, str | None, Callable[[], bool] | None]


class Environment(BaseEnvironment):
    """A Jinja environment bound to an app: it loads the app's and blueprints' templates.

    :param app: the app (``env.app``).
    :param options: Jinja ``Environment`` options. Without ``loader``, the app's
        :meth:`~ctxcore.App.create_global_jinja_loader`. Without ``auto_reload``,
        reloading follows the app's config at each load: ``TEMPLATES_AUTO_RELOAD``,
        or ``DEBUG`` when that is ``None`` (so ``app.debug = True`` later turns it on).
    """

    def __init__(self, app: AppBase, **options: Any) -> None:
        if "loader" not in options:
            options["loader"] = app.create_global_jinja_loader()
        self.app = app
        explicit = options.pop("auto_reload", None)
        super().__init__(**options)
        self._auto_reload: bool | None = explicit

    @property
    def auto_reload(self) -> bool:
        """Whether a changed template file is loaded again (see the class docstring)."""
        if self._auto_reload is not None:
            return self._auto_reload
        config = self.app.config
        value = config["TEMPLATES_AUTO_RELOAD"]
        return bool(config["DEBUG"] if value is None else value)

    @auto_reload.setter
    def auto_reload(self, value: bool | None) -> None:
        # Jinja's own __init__ sets its default here; ours replaces it right after.
        self._auto_reload = value


class DispatchingJinjaLoader(BaseLoader):
    """Finds a template in the app's folder, then in each blueprint's, in registration
    order: the first that has it wins, so the app's templates override blueprints'."""

    def __init__(self, app: AppBase) -> None:
        self.app = app

    def _loaders(self) -> Iterator[tuple[object, BaseLoader]]:
        loader = self.app.jinja_loader
        if loader is not None:
            yield self.app, loader
        for blueprint in self.app.blueprints.values():
            loader = blueprint.jinja_loader
            if loader is not None:
                yield blueprint, loader

    def get_source(self, environment: BaseEnvironment, template: str) -> Source:
        """The first loader's source for ``template``; ``TemplateNotFound`` if none has it."""
        explain = self.app.config["EXPLAIN_TEMPLATE_LOADING"]
        tried: list[str] = []
        for owner, loader in self._loaders():
            try:
                found = loader.get_source(environment, template)
            except TemplateNotFound:
                tried.append(f"{owner!r}: not found")
                continue
            if explain:
                tried.append(f"{owner!r}: found")
                self._explain(template, tried)
            return found
        if explain:
            self._explain(template, tried)
        raise TemplateNotFound(template)

    def _explain(self, template: str, tried: list[str]) -> None:
        lines = "\n".join(f"  {n}. {line}" for n, line in enumerate(tried, 1))
        self.app.logger.info("Looked for template %r in:\n%s", template, lines or "  (no loader)")

    def list_templates(self) -> list[str]:
        """Every template name any loader knows (each once)."""
        names: set[str] = set()
        for _, loader in self._loaders():
            names.update(loader.list_templates())
        return sorted(names)


def _current_app(what: str) -> AppBase:
    ctx = top_app_context()
    if ctx is None:
        raise RuntimeError(
            f"{what} needs an active app: call it while handling a request, or inside "
            "'with app.app_context():'."
        )
    return ctx.app


def _render(app: AppBase, template: Template, context: dict[str, Any]) -> str:
    app.update_template_context(context)
    signals.send(signals.before_render_template, app, template=template, context=context)
    text = template.render(context)
    signals.send(signals.template_rendered, app, template=template, context=context)
    return text


def _stream(app: AppBase, template: Template, context: dict[str, Any]) -> Iterator[str]:
    app.update_template_context(context)
    signals.send(signals.before_render_template, app, template=template, context=context)

    def generate() -> Iterator[str]:
        yield from template.generate(context)
        signals.send(signals.template_rendered, app, template=template, context=context)

    if top_request_context() is not None:
        # The server consumes the stream after the view returned: keep the request.
        stream: Iterator[str] = stream_with_context(generate())
        return stream
    return generate()


def render_template(name_or_list: str | Template | list[str | Template], **context: Any) -> str:
    """Render the template ``name_or_list`` (a list: the first that exists) with ``context``."""
    app = _current_app("render_template()")
    template = app.jinja_env.get_or_select_template(name_or_list)
    return _render(app, template, context)


def render_template_string(source: str, **context: Any) -> str:
    """Render the template source ``source`` with ``context`` (autoescaped)."""
    app = _current_app("render_template_string()")
    return _render(app, app.jinja_env.from_string(source), context)


def stream_template(
    name_or_list: str | Template | list[str | Template], **context: Any
) -> Iterator[str]:
    """Like :func:`render_template`, as an iterator of text chunks (return it from a view)."""
    app = _current_app("stream_template()")
    template = app.jinja_env.get_or_select_template(name_or_list)
    return _stream(app, template, context)


def stream_template_string(source: str, **context: Any) -> Iterator[str]:
    """Like :func:`render_template_string`, as an iterator of text chunks."""
    app = _current_app("stream_template_string()")
    return _stream(app, app.jinja_env.from_string(source), context)
