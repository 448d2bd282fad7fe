"""Blueprints: groups of routes, hooks and error handlers registered on an App."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .scaffold import Scaffold

__all__ = ["Blueprint"]

F = TypeVar("F", bound=Callable[..., Any])


class Blueprint(Scaffold):
    """Routes, hooks and error handlers recorded now and registered on an app later.

    :param name: the blueprint's name, the prefix of its endpoints (``"name.view"``).
    :param import_name: usually ``__name__``.
    :param url_prefix: prepended to every rule.

    Hooks and error handlers apply to the blueprint's own requests (and its nested
    blueprints'); ``before_app_request`` and friends apply app-wide.
    """

    def __init__(self, name: str, import_name: str, url_prefix: str | None = None) -> None:
        if not name or "." in name:
            raise ValueError(f"blueprint name {name!r} must be non-empty and contain no dot")
        super().__init__(import_name)
        self.name = name
        self.url_prefix = url_prefix
        self.children: list[tuple[Blueprint, dict[str, Any]]] = []
        self.app_before_request_funcs: list[Callable[..., Any]] = []
        self.app_after_request_funcs: list[Callable[..., Any]] = []
        self.app_error_handler_spec: dict[Any, Callable[..., Any]] = {}

    def register_blueprint(self, blueprint: Blueprint, **options: Any) -> None:
        """Nest ``blueprint`` in this one (``url_prefix=``, ``name=`` as on the app)."""
        if blueprint is self:
            raise ValueError("a blueprint cannot be registered on itself")
        self.children.append((blueprint, options))

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
