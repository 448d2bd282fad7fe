"""Request and Response: werkzeug's, with what routing and dispatch add."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.routing import Rule
from werkzeug.utils import cached_property
from werkzeug.wrappers import Request as _Request
from werkzeug.wrappers import Response as _Response

from . import json as _json

__all__ = ["Request", "Response"]


class Request(_Request):
    """The request object: werkzeug's, plus the matched rule and view arguments.

    ``get_json()`` parses with the current app's JSON provider; the body size limits
    (``max_content_length``, ``max_form_memory_size``, ``max_form_parts``) come from the
    current app's config (``MAX_CONTENT_LENGTH``, ...), as in Flask.
    """

    json_module: Any = _json

    #: The matched URL rule, once routing ran.
    url_rule: Rule | None = None
    #: The view arguments from the URL, once routing ran.
    view_args: dict[str, Any] | None = None
    #: The routing error (404, 405, redirect) if matching failed.
    routing_exception: HTTPException | None = None

    @property
    def max_content_length(self) -> int | None:  # type: ignore[override]
        """``MAX_CONTENT_LENGTH`` of the current app: a longer body is a 413."""
        value: int | None = _config_value("MAX_CONTENT_LENGTH", type(self)._max_content_length)
        return value

    @property
    def max_form_memory_size(self) -> int | None:  # type: ignore[override]
        """``MAX_FORM_MEMORY_SIZE``: the largest non-file form field kept in memory."""
        value: int | None = _config_value("MAX_FORM_MEMORY_SIZE", type(self)._max_form_memory_size)
        return value

    @property
    def max_form_parts(self) -> int | None:  # type: ignore[override]
        """``MAX_FORM_PARTS``: the most multipart form parts parsed."""
        value: int | None = _config_value("MAX_FORM_PARTS", type(self)._max_form_parts)
        return value

    _max_content_length: int | None = None
    _max_form_memory_size: int | None = 500_000
    _max_form_parts: int | None = 1_000

    @property
    def endpoint(self) -> str | None:
        """The matched endpoint, or ``None``."""
        return self.url_rule.endpoint if self.url_rule is not None else None

    @property
    def blueprint(self) -> str | None:
        """The dotted name of the blueprint owning the matched endpoint, or ``None``."""
        endpoint = self.endpoint
        if endpoint is not None and "." in endpoint:
            return endpoint.rpartition(".")[0]
        return None

    @cached_property
    def args(self) -> MultiDict[str, str]:
        """werkzeug's parsed query string; one that is not UTF-8 is a 400, not a 500."""
        try:
            parsed: MultiDict[str, str] = _Request.args.fget(self)  # type: ignore[attr-defined]
        except UnicodeDecodeError as exc:
            raise BadRequest("The query string is not valid UTF-8.") from exc
        return parsed

    def get_data(self, *args: Any, **kwargs: Any) -> Any:
        """werkzeug's ``get_data``; a body that cannot be read (a broken chunked upload,
        a dropped connection) is a 400, not a server error."""
        try:
            return super().get_data(*args, **kwargs)
        except HTTPException:
            raise
        except Exception as exc:  # servers raise their own parse errors from the stream
            raise BadRequest("The request body could not be read.") from exc

    def _load_form_data(self) -> None:
        try:
            super()._load_form_data()
        except HTTPException:
            raise
        except Exception as exc:
            raise BadRequest("The request body could not be read.") from exc

    #: The matched blueprint and its parents, innermost first (set by routing).
    blueprints: list[str] = []  # noqa: RUF012 - replaced per request, never mutated

    def _set_route(self, rule: Rule, view_args: dict[str, Any]) -> None:
        self.url_rule = rule
        self.view_args = view_args
        name = self.blueprint
        if name is not None:
            parts = name.split(".")
            self.blueprints = [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


def _config_value(key: str, default: Any) -> Any:
    from ._stacks import top_app_context

    ctx = top_app_context()
    return ctx.app.config[key] if ctx is not None else default


class Response(_Response):
    """The response object: werkzeug's, HTML by default; ``.json`` parses with the
    current app's JSON provider."""

    json_module: Any = _json

    default_mimetype = "text/html"
    #: Whether :meth:`call_on_close` registered anything. A buffered body without
    #: callbacks holds nothing that can block, so the ASGI adapter sends and closes it
    #: on the event loop instead of in its thread pool.
    has_close_callbacks = False

    def call_on_close(self, func: Callable[[], Any]) -> Callable[[], Any]:
        """Run ``func`` when the response is closed (after the body is sent)."""
        self.has_close_callbacks = True
        return super().call_on_close(func)
