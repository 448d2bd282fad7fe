"""An app's URL map outside routing: adding rules to it, and building URLs from it.

The methods users call and override live on :class:`ctxcore._appbase.AppBase`
(``add_url_rule``, ``url_for``, ``inject_url_defaults``, ``handle_url_build_error``);
they are thin, and the work is done here by functions taking the app. Each function
calls the others through the app's methods, never directly, so that an override on a
subclass (or a Flask extension replacing one on an instance) is what runs.

Nothing here runs while a request is served unless the view builds a URL: routing a
request (``create_url_adapter``, ``match_request``, :mod:`ctxcore._routing`) stays on
the app, on the request's path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote as url_quote

from werkzeug.routing import BuildError

from ._stacks import top_request_context

if TYPE_CHECKING:
    from ._appbase import AppBase

__all__ = ["add_url_rule", "handle_url_build_error", "inject_url_defaults", "url_for"]

#: Characters an anchor keeps as they are (the rest is percent-encoded).
_ANCHOR_SAFE = "%!#$&'()*+,/:;=?@"


def add_url_rule(
    app: AppBase,
    rule: str,
    endpoint: str | None,
    view_func: Callable[..., Any] | None,
    options: dict[str, Any],
) -> None:
    """Add ``rule`` to ``app``'s URL map (the body of ``AppBase.add_url_rule``).

    :param options: ``add_url_rule``'s keyword arguments: ``methods`` and
        ``provide_automatic_options`` are taken out, the rest go to the rule class.
    """
    if endpoint is None:
        assert view_func is not None
        endpoint = view_func.__name__
    # Flask's precedence for both settings: the call, then the view's attribute, then
    # the default.
    methods = options.pop("methods", None) or getattr(view_func, "methods", None) or ["GET"]
    if isinstance(methods, str):
        raise TypeError(f"methods must be a list of strings, not {methods!r}")
    methods = {method.upper() for method in methods}
    methods |= set(getattr(view_func, "required_methods", ()))
    automatic_options = options.pop("provide_automatic_options", None)
    if automatic_options is None:
        automatic_options = getattr(view_func, "provide_automatic_options", None)
    if automatic_options is None:
        automatic_options = "OPTIONS" not in methods and app.config["PROVIDE_AUTOMATIC_OPTIONS"]
    if automatic_options:
        methods.add("OPTIONS")
    existing = app.view_functions.get(endpoint)
    if view_func is not None and existing is not None and existing is not view_func:
        raise ValueError(
            f"endpoint {endpoint!r} already maps to {existing.__qualname__}; "
            "give the new view another endpoint name"
        )
    url_rule = app.url_rule_class(rule, endpoint=endpoint, methods=methods, **options)
    url_rule.provide_automatic_options = automatic_options  # type: ignore[attr-defined]
    app.url_map.add(url_rule)
    app._matches.clear()  # a kept match may now belong to the new rule
    if view_func is not None:
        app.view_functions[endpoint] = view_func


def url_for(
    app: AppBase,
    endpoint: str,
    values: dict[str, Any],
    *,
    anchor: str | None,
    method: str | None,
    scheme: str | None,
    external: bool | None,
) -> str:
    """The URL of ``endpoint`` built by ``app`` (the body of ``AppBase.url_for``).

    :param values: the rule's arguments; the ``url_defaults`` functions fill it in
        place, and on a build error it is handed to the handlers with the four
        underscored options added back.
    """
    ctx = top_request_context()
    # Another app's request (one app building a URL of another) is no request here:
    # its adapter and blueprint belong to the other app.
    request = ctx.request if ctx is not None and ctx.app is app else None
    if endpoint.startswith("."):
        blueprint = request.blueprint if request is not None else None
        endpoint = f"{blueprint}{endpoint}" if blueprint else endpoint[1:]
    if request is not None:
        adapter = ctx.url_adapter  # type: ignore[union-attr]
        force_external = bool(external) or scheme is not None
    else:
        adapter = app.create_url_adapter(None)
        force_external = True if external is None else external
    if scheme is not None and not force_external:
        raise ValueError("url_for(_scheme=...) builds an absolute URL: pass _external=True")
    app.inject_url_defaults(endpoint, values)
    # The adapter is shared (cached per host by the app, or the request's own): the
    # scheme is lent to this one build and always put back.
    old_scheme = adapter.url_scheme
    if scheme is not None:
        adapter.url_scheme = scheme
    try:
        try:
            url = adapter.build(endpoint, values, method=method, force_external=force_external)
        finally:
            adapter.url_scheme = old_scheme
    except BuildError as error:
        values.update(_anchor=anchor, _method=method, _scheme=scheme, _external=external)
        return app.handle_url_build_error(error, endpoint, values)
    if anchor is not None:
        url = f"{url}#{url_quote(anchor, safe=_ANCHOR_SAFE)}"
    return url


def inject_url_defaults(app: AppBase, endpoint: str, values: dict[str, Any]) -> None:
    """Run ``app``'s ``url_defaults`` functions for ``endpoint`` on ``values``: the
    app's, then those of the endpoint's blueprints, outermost first."""
    scopes: list[str | None] = [None]
    if "." in endpoint:
        # "outer.inner.view" is in blueprints "outer" and "outer.inner".
        parts = endpoint.rpartition(".")[0].split(".")
        scopes += [".".join(parts[: i + 1]) for i in range(len(parts))]
    for scope in scopes:
        for func in app.url_default_functions.get(scope, ()):
            func(endpoint, values)


def handle_url_build_error(
    app: AppBase, error: BuildError, endpoint: str, values: dict[str, Any]
) -> str:
    """The first URL one of ``app.url_build_error_handlers`` gives for ``endpoint``;
    re-raises ``error`` (or the last ``BuildError`` a handler raised) when none does."""
    for handler in app.url_build_error_handlers:
        try:
            rv = handler(error, endpoint, values)
        except BuildError as other:
            # Flask's rule: a handler's own BuildError replaces the one reported.
            error = other
            continue
        if rv is not None:
            return str(rv)
    raise error
