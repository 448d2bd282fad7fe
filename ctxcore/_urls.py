"""Building URLs from an app's URL map: ``url_for`` and the hooks it runs.

The methods users call and override live on :class:`ctxcore._appbase.AppBase`
(``url_for``, ``inject_url_defaults``, ``handle_url_build_error``); they are thin, and
the work is done here by functions taking the app. Each function calls the others
through the app's methods, never directly, so that an override on a subclass (or a
Flask extension replacing one on an instance) is what runs.

Nothing here runs while a request is served unless the view builds a URL: routing a
request (``create_url_adapter``, ``match_request``) stays on the app, on the request's
path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote as url_quote

from werkzeug.routing import BuildError

from ._stacks import top_request_context

if TYPE_CHECKING:
    from ._appbase import AppBase

__all__ = ["handle_url_build_error", "inject_url_defaults", "url_for"]

#: Characters an anchor keeps as they are (the rest is percent-encoded).
_ANCHOR_SAFE = "%!#$&'()*+,/:;=?@"


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
