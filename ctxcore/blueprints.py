"""Blueprints: groups of routes, hooks and error handlers registered on an App."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ._cli_app import CliScaffoldMixin
from .scaffold import Scaffold

if TYPE_CHECKING:
    from ._appbase import AppBase as App

__all__ = ["Blueprint"]

F = TypeVar("F", bound=Callable[..., Any])

#: ``cli_group``'s default: the blueprint's commands go in a group named after it.
_DEFAULT_CLI_GROUP: Any = object()


class Blueprint(CliScaffoldMixin, Scaffold):
    """Routes, hooks and error handlers recorded now and registered on an app later.

    :param name: the blueprint's name, the prefix of its endpoints (``"name.view"``).
    :param import_name: usually ``__name__``.
    :param static_folder: its static files (served under ``static_url_path``).
    :param template_folder: its templates, searched after the app's.
    :param url_prefix: prepended to every rule.
    :param subdomain: the subdomain its routes match (with ``SERVER_NAME`` set).
    :param url_defaults: default view arguments for every route.
    :param root_path: the folder paths are relative to (default: ``import_name``'s).
    :param cli_group: the command group of its CLI commands (``None``: the app's group).

    Hooks and error handlers apply to the blueprint's own requests (and its nested
    blueprints'); ``before_app_request`` and friends apply app-wide.
    """

    def __init__(
        self,
        name: str,
        import_name: str,
        static_folder: str | os.PathLike[str] | None = None,
        static_url_path: str | None = None,
        template_folder: str | os.PathLike[str] | None = None,
        url_prefix: str | None = None,
        subdomain: str | None = None,
        url_defaults: dict[str, Any] | None = None,
        root_path: str | None = None,
        cli_group: str | None = _DEFAULT_CLI_GROUP,
    ) -> None:
        if not name or "." in name:
            raise ValueError(f"blueprint name {name!r} must be non-empty and contain no dot")
        super().__init__(
            import_name,
            static_folder=static_folder,
            static_url_path=static_url_path,
            template_folder=template_folder,
            root_path=root_path,
        )
        self.name = name
        self.url_prefix = url_prefix
        self.subdomain = subdomain
        self.url_values_defaults: dict[str, Any] = dict(url_defaults or {})
        self.cli_group = cli_group
        self.children: list[tuple[Blueprint, dict[str, Any]]] = []
        self.app_before_request_funcs: list[Callable[..., Any]] = []
        self.app_after_request_funcs: list[Callable[..., Any]] = []
        self.app_error_handler_spec: dict[Any, Callable[..., Any]] = {}

    def register_blueprint(self, blueprint: Blueprint, **options: Any) -> None:
        """Nest ``blueprint`` in this one (``url_prefix=``, ``name=`` as on the app)."""
        if blueprint is self:
            raise ValueError("a blueprint cannot be registered on itself")
        self.children.append((blueprint, options))

    def register(
        self,
        app: App,
        *,
        url_prefix: str | None = None,
        name: str | None = None,
        parent_name: str = "",
        parent_prefix: str = "",
    ) -> None:
        """Add this blueprint's routes, hooks and handlers to ``app`` (then its children's).

        Called by :meth:`App.register_blueprint`; ``parent_name`` and ``parent_prefix``
        are those of the blueprint this one is nested in.
        """
        local_name = name or self.name
        if "." in local_name:
            raise ValueError(f"blueprint name {local_name!r} must not contain a dot")
        full = f"{parent_name}.{local_name}" if parent_name else local_name
        if full in app.blueprints:
            raise ValueError(
                f"a blueprint named {full!r} is already registered; register it again with "
                "name='another' to mount it twice"
            )
        app.blueprints[full] = self
        self._register_cli(app, local_name, self.cli_group, _DEFAULT_CLI_GROUP)
        own = url_prefix if url_prefix is not None else (self.url_prefix or "")
        prefix = parent_prefix + ("/" + own.strip("/") if own.strip("/") else "")
        for rule, endpoint, view_func, options in self.route_records:
            path = (prefix + rule) if prefix else rule
            app.add_url_rule(
                path or "/", f"{full}.{endpoint or view_func.__name__}", view_func, **dict(options)
            )
        app.scoped_before[full] = list(self.before_request_funcs)
        app.scoped_after[full] = list(self.after_request_funcs)
        app.scoped_teardown[full] = list(self.teardown_request_funcs)
        app.scoped_errors[full] = dict(self.error_handler_spec)
        app.before_request_funcs.extend(self.app_before_request_funcs)
        app.after_request_funcs.extend(self.app_after_request_funcs)
        app.error_handler_spec.update(self.app_error_handler_spec)
        for child, options in self.children:
            child.register(
                app,
                url_prefix=options.get("url_prefix"),
                name=options.get("name"),
                parent_name=full,
                parent_prefix=prefix,
            )

    def before_app_request(self, func: F) -> F:
        """Like ``before_request``, for every request of the app."""
        self.app_before_request_funcs.append(func)
        return func

    def after_app_request(self, func: F) -> F:
        """Like ``after_request``, for every request of the app."""
        self.app_after_request_funcs.append(func)
        return func

    def app_errorhandler(self, code_or_exception: int | type[BaseException]) -> Callable[[F], F]:
        """Like ``errorhandler``, for every request of the app."""
        from .scaffold import error_key

        key = error_key(code_or_exception)

        def decorator(func: F) -> F:
            self.app_error_handler_spec[key] = func
            return func

        return decorator

    def __repr__(self) -> str:
        return f"<Blueprint {self.name!r}>"
