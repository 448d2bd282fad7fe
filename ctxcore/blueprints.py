"""Blueprints: groups of routes, hooks and error handlers registered on an App."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from . import _templates
from ._cli_app import register_blueprint_commands
from ._static import register_blueprint_static
from .scaffold import Scaffold

if TYPE_CHECKING:
    from ._appbase import AppBase as App

__all__ = ["Blueprint", "BlueprintSetupState"]

F = TypeVar("F", bound=Callable[..., Any])

#: ``cli_group``'s default: the blueprint's commands go in a group named after it.
_DEFAULT_CLI_GROUP: Any = object()
#: The hook registries a blueprint's own scope is copied from into the app's, under the
#: blueprint's full name (error handlers, one level deeper, are merged beside them).
_SCOPED_HOOKS = (
    "before_request_funcs",
    "after_request_funcs",
    "teardown_request_funcs",
    "url_value_preprocessors",
    "url_default_functions",
)


class BlueprintSetupState:
    """What a :meth:`Blueprint.record` callback learns about one registration.

    ``app``, ``blueprint``, ``options`` (as passed to ``register_blueprint``),
    ``first_registration``, and the registration's ``name`` (dotted, with parents),
    ``url_prefix``, ``subdomain`` and ``url_defaults``.
    """

    def __init__(
        self,
        blueprint: Blueprint,
        app: App,
        options: dict[str, Any],
        *,
        first_registration: bool,
        name: str,
        url_prefix: str,
        subdomain: str | None,
        url_defaults: dict[str, Any],
    ) -> None:
        self.blueprint = blueprint
        self.app = app
        self.options = options
        self.first_registration = first_registration
        self.name = name
        self.name_prefix = name.rpartition(".")[0]
        self.url_prefix = url_prefix
        self.subdomain = subdomain
        self.url_defaults = url_defaults

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: Callable[..., Any] | None = None,
        **options: Any,
    ) -> None:
        """Add a rule under this registration's prefix, name and defaults."""
        if self.url_prefix:
            rule = (
                (self.url_prefix.rstrip("/") + "/" + rule.lstrip("/")) if rule else self.url_prefix
            )
        if self.subdomain is not None:
            options.setdefault("subdomain", self.subdomain)
        if endpoint is None:
            assert view_func is not None
            endpoint = view_func.__name__
        if self.url_defaults:
            options["defaults"] = {**self.url_defaults, **(options.get("defaults") or {})}
        self.app.add_url_rule(rule or "/", f"{self.name}.{endpoint}", view_func, **options)


class Blueprint(Scaffold):
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
        self.app_url_value_preprocessors: list[Callable[..., Any]] = []
        self.app_url_default_functions: list[Callable[..., Any]] = []
        self.deferred_functions: list[Callable[[BlueprintSetupState], Any]] = []
        #: ("filters" | "tests" | "globals" | "processors", name, object), applied to the
        #: app on the blueprint's first registration.
        self.app_template_additions: list[_templates.Addition] = []

    def register_blueprint(self, blueprint: Blueprint, **options: Any) -> None:
        """Nest ``blueprint`` in this one (``url_prefix=``, ``name=`` as on the app)."""
        if blueprint is self:
            raise ValueError("a blueprint cannot be registered on itself")
        self.children.append((blueprint, options))

    def register(self, app: App, options: dict[str, Any]) -> None:
        """Add this blueprint's routes, hooks and handlers to ``app`` (then its children's).

        Called by :meth:`App.register_blueprint` with its keyword arguments as
        ``options``: ``url_prefix``, ``name``, ``subdomain`` and ``url_defaults``
        override the blueprint's own for this registration (``cli_group`` is read by
        the command line). Nested blueprints get their parent's ``parent_name``,
        ``parent_prefix``, ``parent_subdomain`` and ``parent_defaults`` too.
        """
        self._register(app, **options)

    def _register(
        self,
        app: App,
        *,
        url_prefix: str | None = None,
        name: str | None = None,
        subdomain: str | None = None,
        url_defaults: dict[str, Any] | None = None,
        parent_name: str = "",
        parent_prefix: str = "",
        parent_subdomain: str | None = None,
        parent_defaults: dict[str, Any] | None = None,
        **unknown: Any,
    ) -> None:
        unknown.pop("cli_group", None)  # the command line reads it (app.cli)
        if unknown:
            raise TypeError(f"register_blueprint() got unknown options {sorted(unknown)}")
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
        register_blueprint_commands(self, app, local_name, self.cli_group, _DEFAULT_CLI_GROUP)
        own = url_prefix if url_prefix is not None else (self.url_prefix or "")
        prefix = parent_prefix + ("/" + own.strip("/") if own.strip("/") else "")
        sub = subdomain if subdomain is not None else self.subdomain
        if parent_subdomain and sub:
            sub = f"{sub}.{parent_subdomain}"
        elif parent_subdomain:
            sub = parent_subdomain
        defaults = {**(parent_defaults or {}), **self.url_values_defaults, **(url_defaults or {})}
        state = self.make_setup_state(
            app,
            {"url_prefix": url_prefix, "name": name, "subdomain": subdomain},
            not any(bp is self for bp in list(app.blueprints.values())[:-1]),
            name=full,
            url_prefix=prefix,
            subdomain=sub,
            url_defaults=defaults,
        )
        for registry in _SCOPED_HOOKS:
            getattr(app, registry)[full].extend(getattr(self, registry)[None])
        for code, handlers in self.error_handler_spec[None].items():
            app.error_handler_spec[full][code].update(handlers)
        if state.first_registration:  # app-wide hooks: once, whatever the names
            app.before_request_funcs[None].extend(self.app_before_request_funcs)
            app.after_request_funcs[None].extend(self.app_after_request_funcs)
            app.url_value_preprocessors[None].extend(self.app_url_value_preprocessors)
            app.url_default_functions[None].extend(self.app_url_default_functions)
            for (code, exc_class), handler in self.app_error_handler_spec.items():
                app.error_handler_spec[None][code][exc_class] = handler
        register_blueprint_static(self, app, full, prefix)
        _templates.register_blueprint_templates(self, app, full)
        for func in self.deferred_functions:
            func(state)
        for child, options in self.children:
            child.register(
                app,
                {
                    **options,
                    "parent_name": full,
                    "parent_prefix": prefix,
                    "parent_subdomain": sub,
                    "parent_defaults": defaults,
                },
            )

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: Callable[..., Any] | None = None,
        **options: Any,
    ) -> None:
        """Map ``rule`` (under the blueprint's prefix) to ``view_func`` when the blueprint
        is registered; the endpoint is ``"<blueprint>.<endpoint>"``."""
        self._check_rule(rule, endpoint, view_func)
        if endpoint is not None and "." in endpoint:
            raise ValueError(f"a blueprint's endpoint {endpoint!r} must not contain a dot")
        # Deferred like every registration step, in order: a record() callback made
        # earlier (an extension's) may change how the setup state adds rules.
        self.record(lambda state: state.add_url_rule(rule, endpoint, view_func, **options))

    def make_setup_state(
        self,
        app: App,
        options: dict[str, Any],
        first_registration: bool = False,
        *,
        name: str | None = None,
        url_prefix: str | None = None,
        subdomain: str | None = None,
        url_defaults: dict[str, Any] | None = None,
    ) -> BlueprintSetupState:
        """The :class:`BlueprintSetupState` of one registration (override to record
        more). Unless given, where the blueprint mounts comes from ``options`` (as
        passed to ``register_blueprint``) and the blueprint's own settings."""
        if url_prefix is None:
            url_prefix = options.get("url_prefix") or self.url_prefix or ""
        if subdomain is None:
            subdomain = options.get("subdomain", self.subdomain)
        return BlueprintSetupState(
            self,
            app,
            options,
            first_registration=first_registration,
            name=name or options.get("name") or self.name,
            url_prefix=url_prefix,
            subdomain=subdomain,
            url_defaults={**self.url_values_defaults, **(url_defaults or {})},
        )

    def endpoint(self, endpoint: str) -> Callable[[F], F]:
        """Decorator: ``func`` is the view of this blueprint's ``endpoint`` (a rule added
        with that endpoint and no view), registered as ``"<blueprint>.<endpoint>"``."""

        def decorator(func: F) -> F:
            def register(state: BlueprintSetupState) -> None:
                state.app.view_functions[f"{state.name}.{endpoint}"] = func

            self.record(register)
            return func

        return decorator

    def teardown_app_request(self, func: F) -> F:
        """Like ``teardown_request``, for every request of the app."""

        def register(state: BlueprintSetupState) -> None:
            state.app.teardown_request_funcs[None].append(func)

        self.record_once(register)
        return func

    def record(self, func: Callable[[BlueprintSetupState], Any]) -> None:
        """Call ``func(state)`` each time this blueprint is registered on an app
        (``state.app``, ``state.options``...: a :class:`BlueprintSetupState`)."""
        self.deferred_functions.append(func)

    def record_once(self, func: Callable[[BlueprintSetupState], Any]) -> None:
        """Like :meth:`record`, only on the blueprint's first registration on an app."""

        def once(state: BlueprintSetupState) -> None:
            if state.first_registration:
                func(state)

        self.deferred_functions.append(once)

    def app_url_value_preprocessor(self, func: F) -> F:
        """Like ``url_value_preprocessor``, for every request of the app."""
        self.app_url_value_preprocessors.append(func)
        return func

    def app_url_defaults(self, func: F) -> F:
        """Like ``url_defaults``, for every URL the app builds."""
        self.app_url_default_functions.append(func)
        return func

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

    def app_context_processor(self, func: F) -> F:
        """Like :meth:`context_processor`, for every template the app renders."""
        self.app_template_additions.append(("processors", "", func))
        return func

    def add_app_template_filter(self, func: Callable[..., Any], name: str | None = None) -> None:
        """Register a template filter for the whole app (``App.add_template_filter``)."""
        self.app_template_additions.append(("filters", name or func.__name__, func))

    def app_template_filter(self, name: str | None = None) -> Callable[[F], F]:
        """Decorator form of :meth:`add_app_template_filter`."""
        return _templates.decorator(self.add_app_template_filter, name)

    def add_app_template_test(self, func: Callable[..., bool], name: str | None = None) -> None:
        """Register a template test for the whole app (``App.add_template_test``)."""
        self.app_template_additions.append(("tests", name or func.__name__, func))

    def app_template_test(self, name: str | None = None) -> Callable[[F], F]:
        """Decorator form of :meth:`add_app_template_test`."""
        return _templates.decorator(self.add_app_template_test, name)

    def add_app_template_global(self, func: Callable[..., Any], name: str | None = None) -> None:
        """Register a template global for the whole app (``App.add_template_global``)."""
        self.app_template_additions.append(("globals", name or func.__name__, func))

    def app_template_global(self, name: str | None = None) -> Callable[[F], F]:
        """Decorator form of :meth:`add_app_template_global`."""
        return _templates.decorator(self.add_app_template_global, name)

    def __repr__(self) -> str:
        return f"<Blueprint {self.name!r}>"
