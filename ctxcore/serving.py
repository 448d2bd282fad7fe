"""What a server adapter may use of the engine: the serving protocol.

The ASGI driver (``ctxcore.adapters.asgi``) reaches an App only through the members
written here; ``tests/test_serving_protocol.py`` reads the adapter's source and fails
on any other attribute it takes from the app, a request context, a request or a
response, and checks that :class:`ctxcore.App` satisfies the protocol. The engine may
change anything else without breaking a server.

One request, as the ASGI driver runs it::

    ctx = app.scope_request_context(scope, body, environ_extra)   # ValueError: a 400
    ctx.push()
    if app.body_read_on_loop(ctx):            # async code may read the body: receive it
        await body.read_ahead()
    response = await app.dispatch_async(ctx, call_sync)   # errors become responses
    ... send response (plain_asgi_response, or werkzeug's headers and body) ...
    await app.end_request_async(ctx, call_sync, error)    # teardown, pop

``call_sync(func, *args)`` runs sync code off the loop (the request's worker thread).
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from typing import IO, Any, Protocol, runtime_checkable

from ._flow import CallSync
from .wrappers import plain_asgi_response, plain_wsgi_response, scope_environ

__all__ = [
    "CallSync",
    "ServedApp",
    "ServedContext",
    "ServedRequest",
    "ServedResponse",
    "plain_asgi_response",
    "plain_wsgi_response",
    "scope_environ",
]


@runtime_checkable
class ServedRequest(Protocol):
    """The request, as an adapter reads it."""

    method: str
    environ: dict[str, Any]
    stream: IO[bytes]


@runtime_checkable
class ServedResponse(Protocol):
    """The response, as an adapter sends it (with :func:`plain_asgi_response` or
    :func:`plain_wsgi_response`)."""

    status_code: int
    autocorrect_location_header: bool

    def get_wsgi_headers(self, environ: Mapping[str, Any]) -> Any: ...
    def get_app_iter(self, environ: Mapping[str, Any]) -> Iterable[bytes]: ...


@runtime_checkable
class ServedContext(Protocol):
    """A request context, as an adapter pushes it (the engine pops it)."""

    request: Any

    def push(self) -> Any: ...


@runtime_checkable
class ServedApp(Protocol):
    """An App, as a server adapter drives it."""

    logger: Any
    startup_funcs: list[Callable[..., Any]]
    shutdown_funcs: list[Callable[..., Any]]

    def check_isolation(self, concurrency: str) -> None: ...
    def app_context(self) -> AbstractContextManager[Any]: ...
    def malformed_request(self) -> tuple[str, list[tuple[str, str]], bytes]: ...
    def scope_request_context(
        self, scope: Any, stream: IO[bytes] | io.RawIOBase, environ_extra: Any = None
    ) -> Any: ...
    def body_read_on_loop(self, ctx: Any) -> bool: ...
    def dispatch_async(self, ctx: Any, call_sync: CallSync) -> Awaitable[Any]: ...
    def end_request_async(
        self, ctx: Any, call_sync: CallSync, exc: BaseException | None = None
    ) -> Awaitable[None]: ...


#: Every member an adapter may take from each object, by the protocol it follows.
MEMBERS: dict[str, frozenset[str]] = {
    protocol.__name__: frozenset(
        name for name in {*protocol.__annotations__, *vars(protocol)} if not name.startswith("_")
    )
    for protocol in (ServedApp, ServedContext, ServedRequest, ServedResponse)
}
