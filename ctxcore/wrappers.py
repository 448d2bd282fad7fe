"""Request and Response: werkzeug's, with what routing and dispatch add."""

from __future__ import annotations

import functools
import io
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import IO, Any

from werkzeug.datastructures import Headers, MultiDict
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.routing import Rule
from werkzeug.sansio.request import Request as _SansIORequest
from werkzeug.utils import cached_property, get_content_type
from werkzeug.wrappers import Request as _Request
from werkzeug.wrappers import Response as _Response
from werkzeug.wsgi import get_input_stream

from . import json as _json

__all__ = [
    "Request",
    "Response",
    "ScopeHeaders",
    "plain_asgi_response",
    "plain_wsgi_response",
    "scope_environ",
]

#: werkzeug's ``args`` computation (read from the class dict: werkzeug's descriptor
#: runs a Python ``__get__`` even when read from the class).
_parse_args: Callable[[Any], MultiDict[str, str]] = _SansIORequest.__dict__["args"].fget

#: An ASGI HTTP connection scope (``type``, ``method``, ``path``, ``headers``...).
Scope = Mapping[str, Any]


class _DecodedPairs:
    """``ScopeHeaders._list``: the scope's byte pairs decoded on first use, then kept as
    a plain attribute (a JSON endpoint may never read a header)."""

    def __get__(self, headers: ScopeHeaders, owner: type | None = None) -> list[tuple[str, str]]:
        pairs = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in headers.raw]
        headers.__dict__["_list"] = pairs
        return pairs


class ScopeHeaders(Headers):
    """A request's headers read straight from an ASGI scope's ``(name, value)`` byte
    pairs: decoded when first read, no per-header validation (the server parsed them)."""

    # werkzeug's Headers keeps its pairs in _list; filling it directly skips the checks
    # add() makes on values that cannot contain newlines here.
    _list = _DecodedPairs()

    def __init__(self, raw: Iterable[tuple[bytes, bytes]] | Iterable[tuple[str, str]]) -> None:
        # No super().__init__(): it would set _list, which is decoded when first read.
        pairs: Any = raw if isinstance(raw, list | tuple) else list(raw)
        if pairs and isinstance(pairs[0][0], str):
            # Decoded pairs: werkzeug's copy() and slices build one from this one's.
            self.__dict__["_list"] = list(pairs)
            pairs = ()
        #: The scope's pairs as the server gave them (lower-case names, bytes; none for
        #: a copy or a slice).
        self.raw: list[tuple[bytes, bytes]] | tuple[tuple[bytes, bytes], ...] = pairs

    def first_raw(self, name: bytes) -> str | None:
        """The first value the scope gave for the lower-case field ``name`` (later
        changes to these headers, and copies, are not seen)."""
        for key, value in self.raw:
            if key == name:
                return value.decode("latin-1")
        return None


def scope_environ(
    scope: Scope, stream: IO[bytes] | io.RawIOBase, extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A WSGI environ for an ASGI HTTP scope whose body reads from ``stream``.

    Headers a client split into several fields are joined as WSGI joins them: with
    ``", "``, and cookies with ``"; "`` (HTTP/2 sends each cookie as its own field).
    """
    root = scope.get("root_path", "") or ""
    path = scope["path"]
    if root and path.startswith(root):
        path = path[len(root) :]
    server = scope.get("server") or ("localhost", 80)
    client = scope.get("client") or ("", 0)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        # WSGI carries the path as latin-1-decoded bytes. surrogatepass: a lone
        # surrogate in a scope's path is kept as bytes instead of failing the request.
        "SCRIPT_NAME": root.encode("utf-8", "surrogatepass").decode("latin-1"),
        "PATH_INFO": path.encode("utf-8", "surrogatepass").decode("latin-1"),
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "REMOTE_ADDR": str(client[0]),
        "REMOTE_PORT": str(client[1]),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": stream,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        # The server ends the body (a chunked upload has no Content-Length): readers
        # may read to the end of the stream.
        "wsgi.input_terminated": True,
        "asgi.scope": scope,
    }
    if extra:
        environ.update(extra)
    for raw_name, raw_value in scope.get("headers", ()):
        name = raw_name.decode("latin-1").upper().replace("-", "_")
        value = raw_value.decode("latin-1")
        key = name if name in {"CONTENT_TYPE", "CONTENT_LENGTH"} else f"HTTP_{name}"
        if key in environ:
            value = f"{environ[key]}{'; ' if key == 'HTTP_COOKIE' else ', '}{value}"
        environ[key] = value
    return environ


class Request(_Request):
    """The request object: werkzeug's, plus the matched rule and view arguments.

    ``get_json()`` parses with the current app's JSON provider; the body size limits
    (``max_content_length``, ``max_form_memory_size``, ``max_form_parts``) come from the
    current app's config (``MAX_CONTENT_LENGTH``, ...), as in Flask.
    """

    json_module: Any = _json

    # Set only on a request made from an ASGI scope (see from_scope).
    _scope: Scope
    _scope_body: IO[bytes] | io.RawIOBase
    _scope_extra: Mapping[str, Any] | None
    _scope_key: tuple[Any, ...]

    #: The matched URL rule, once routing ran.
    url_rule: Rule | None = None
    #: The view arguments from the URL, once routing ran.
    view_args: dict[str, Any] | None = None
    #: The routing error (404, 405, redirect) if matching failed.
    routing_exception: HTTPException | None = None

    @classmethod
    def from_scope(
        cls,
        scope: Scope,
        stream: IO[bytes] | io.RawIOBase,
        environ_extra: Mapping[str, Any] | None = None,
    ) -> Request:
        """A request read straight from an ASGI HTTP scope, its body from ``stream``.

        Nothing WSGI is built for it: headers come from the scope's pairs, and
        :attr:`environ` is made on first use (from :func:`scope_environ`, with
        ``environ_extra``) for code that reads it.
        """
        if not isinstance(scope.get("method"), str) or not scope["method"].isalpha():
            raise ValueError(f"malformed request method {scope.get('method')!r}")
        self = cls.__new__(cls)
        root = scope.get("root_path", "") or ""
        path = scope["path"]
        if root and path.startswith(root):
            path = path[len(root) :]
        client = scope.get("client")
        headers = ScopeHeaders(scope.get("headers", ()))
        _SansIORequest.__init__(
            self,
            method=scope["method"],
            scheme=scope.get("scheme", "http"),
            server=scope.get("server"),
            root_path=root,
            path=path,
            query_string=scope.get("query_string", b""),
            headers=headers,
            remote_addr=client[0] if client else None,
        )
        # adapter_key(), read once per request (ASGI field names are lower-case).
        self._scope_key = (headers.first_raw(b"host"), self.server, self.root_path, self.scheme)
        self.shallow = False
        self._scope = scope
        self._scope_body = stream
        self._scope_extra = environ_extra
        return self

    def __getattr__(self, name: str) -> Any:
        # Only for a request made from a scope: its environ, built when first read.
        if name == "environ" and "_scope" in self.__dict__:
            environ = scope_environ(self._scope, self._scope_body, self._scope_extra)
            self.__dict__["environ"] = environ
            return environ
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @cached_property
    def stream(self) -> IO[bytes]:
        """The body, limited to its ``Content-Length`` and ``MAX_CONTENT_LENGTH``
        (werkzeug's ``stream``); for a scope's request, read from its body stream."""
        if "_scope" not in self.__dict__:
            return _Request.stream.fget(self)  # type: ignore[attr-defined,no-any-return]
        # The few environ keys werkzeug's limits read, not the whole environ.
        limits: dict[str, Any] = {"wsgi.input": self._scope_body, "wsgi.input_terminated": True}
        length = self.headers.get("content-length")
        if length is not None:
            limits["CONTENT_LENGTH"] = length
        return get_input_stream(limits, max_content_length=self.max_content_length)

    def adapter_key(self) -> tuple[Any, ...]:
        """What a URL adapter bound to this request depends on (the app caches them by
        it): host, server, script root and scheme."""
        scoped: tuple[Any, ...] | None = self.__dict__.get("_scope_key")
        if scoped is not None:
            return scoped  # a scope's request: see from_scope
        environ = self.__dict__.get("environ")
        if environ is not None:
            return (
                environ.get("HTTP_HOST"),
                environ.get("SERVER_NAME"),
                environ.get("SERVER_PORT"),
                environ.get("SCRIPT_NAME"),
                environ.get("wsgi.url_scheme"),
            )
        return (self.headers.get("host"), self.server, self.root_path, self.scheme)

    @property
    def has_cookies(self) -> bool:
        """Whether the client sent a ``Cookie`` header (without parsing it)."""
        environ = self.__dict__.get("environ")
        if environ is not None:
            return bool(environ.get("HTTP_COOKIE"))
        return "cookie" in self.headers

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
            parsed: MultiDict[str, str] = _parse_args(self)
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
        # What the blueprint property says, without its two property calls.
        name, dot, _ = rule.endpoint.rpartition(".")
        if dot:
            parts = name.split(".")
            self.blueprints = [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


#: What werkzeug's Response constructor consults: a subclass changing one of them is
#: built by werkzeug's constructor.
_INIT_STEPS = (
    "set_data",
    "default_status",
    "automatically_set_content_length",
    "status",
    "status_code",
    "_clean_status",
)
_DEFAULT_STATUS = ("200 OK", 200)


@functools.lru_cache(maxsize=64)
def _content_type(mimetype: str) -> str:
    """werkzeug's Content-Type for ``mimetype`` (a charset for text types)."""
    return get_content_type(mimetype, "utf-8")


def _plain_parts(response: _Response) -> tuple[int, list[tuple[str, str]], list[bytes]] | None:
    """``(status code, header pairs, body chunks)`` of a response whose body is bytes in
    memory with nothing to run when it is closed, as werkzeug would send it (a
    ``Content-Length`` added); ``None`` for any other response (streamed, a file, close
    callbacks, a status or header werkzeug adjusts)."""
    body = response.response
    if (
        type(body) is not list
        or response.direct_passthrough
        or response._on_close
        or response.autocorrect_location_header
    ):
        return None
    code = response.status_code
    if code < 200 or code in (204, 304):
        return None
    headers = response.headers
    # werkzeug's own Headers hold the pairs as sent; a subclass may send others.
    pairs = list(headers._list) if type(headers) is Headers else headers.to_wsgi_list()
    length = False
    for name, _ in pairs:
        lowered = name.lower()
        if lowered == "content-length":
            length = True
        elif lowered in ("location", "content-location"):
            return None  # werkzeug makes these URL-safe
    for chunk in body:
        if type(chunk) is not bytes:
            return None
    if not length:
        if not response.automatically_set_content_length:
            return None
        pairs.append(("Content-Length", str(sum(map(len, body)))))
    return code, pairs, body


def plain_wsgi_response(
    response: _Response, environ: Mapping[str, Any]
) -> tuple[str, list[tuple[str, str]], list[bytes]] | None:
    """``(status, headers, body)`` for a response whose body is bytes in memory with
    nothing to run when it is closed, as werkzeug would send it; ``None`` for any other
    response (streamed, a file, close callbacks, a status or header werkzeug adjusts),
    which goes through werkzeug's WSGI call."""
    parts = _plain_parts(response)
    if parts is None:
        return None
    _, headers, body = parts
    if environ.get("REQUEST_METHOD") == "HEAD":
        body = []
    return response.status, headers, body


def plain_asgi_response(
    response: _Response, method: str
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The ``http.response.start`` and ``http.response.body`` messages of a response
    :func:`plain_wsgi_response` would send directly (same status, headers and body),
    answering a request made with ``method``; ``None`` for any other response."""
    parts = _plain_parts(response)
    if parts is None:
        return None
    code, headers, body = parts
    start = {
        "type": "http.response.start",
        "status": code,
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
    }
    data = b"".join(body) if method != "HEAD" else b""
    return start, {"type": "http.response.body", "body": data, "more_body": False}


def _config_value(key: str, default: Any) -> Any:
    from ._stacks import top_app_context

    ctx = top_app_context()
    return ctx.app.config[key] if ctx is not None else default


class Response(_Response):
    """The response object: werkzeug's, HTML by default; ``.json`` parses with the
    current app's JSON provider."""

    json_module: Any = _json

    default_mimetype = "text/html"

    def __init__(
        self,
        response: Any = None,
        status: int | str | None = None,
        headers: Any = None,
        mimetype: str | None = None,
        content_type: str | None = None,
        direct_passthrough: bool = False,
    ) -> None:
        kind = type(response)
        if (
            (kind is str or kind is bytes)
            and status is None
            and headers is None
            and content_type is None
            and not direct_passthrough
            and type(self)._plain_init
        ):
            # The common response (a view's text, a JSON body): what werkzeug's
            # constructor makes, made directly (test_wrappers checks they stay equal).
            data = response.encode() if kind is str else response
            self.headers = Headers()
            self.headers._list = [
                ("Content-Type", _content_type(mimetype or self.default_mimetype)),
                ("Content-Length", str(len(data))),
            ]
            self._status, self._status_code = _DEFAULT_STATUS
            self.direct_passthrough = False
            self._on_close = []
            self.response = [data]
            return
        super().__init__(response, status, headers, mimetype, content_type, direct_passthrough)

    #: Whether this class builds plain responses as werkzeug's does (see __init__):
    #: false for a subclass that changes a step of it.
    _plain_init = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._plain_init = all(getattr(cls, name) is getattr(Response, name) for name in _INIT_STEPS)

    #: Whether :meth:`call_on_close` registered anything. A buffered body without
    #: callbacks holds nothing that can block, so the ASGI adapter sends and closes it
    #: on the event loop instead of in its thread pool.
    has_close_callbacks = False

    def call_on_close(self, func: Callable[[], Any]) -> Callable[[], Any]:
        """Run ``func`` when the response is closed (after the body is sent)."""
        self.has_close_callbacks = True
        return super().call_on_close(func)
