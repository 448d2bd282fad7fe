"""ContextMiddleware: a request-scoped context (and request id) for any WSGI or ASGI app.

Wrap a foreign app (Django, Starlette/FastAPI, a bare WSGI function...) and every request
runs in its own copy of the context with :data:`request_id` set: taken from the
``X-Request-ID`` header when the client sent a sane one, generated otherwise, and sent
back on the response. The app's code and its libraries read it through ctxcore
(``current_request_id()`` or the :data:`request_id_proxy`), and any ``Local`` they set
belongs to that request only.
"""

from __future__ import annotations

import asyncio
import inspect
import re
import uuid
from collections.abc import Callable, Iterable
from contextvars import ContextVar, copy_context
from typing import Any

from ctxcore.local import ContextBody, LocalProxy

from .limits import ASGILimits, Limits, WSGILimits
from .relay import run_relayed
from .types import ASGIApp, Environ, Message, Receive, Scope, Send, StartResponse, WSGIApp

__all__ = [
    "ASGIContextMiddleware",
    "ContextMiddleware",
    "WSGIContextMiddleware",
    "current_request_id",
    "request_id",
    "request_id_proxy",
]

#: The current request's id (unset outside a request).
request_id: ContextVar[str] = ContextVar("ctxcore.request_id")
#: A proxy to the current request id, for code that wants a global.
request_id_proxy: Any = LocalProxy(
    request_id, unbound_message="No request id: this code is not running inside ContextMiddleware."
)

# Sane incoming ids only: they end up in logs and response headers.
_VALID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")


def current_request_id() -> str | None:
    """The current request's id, or ``None`` outside a request."""
    return request_id.get(None)


def _new_id() -> str:
    return uuid.uuid4().hex


class ContextMiddleware:
    """Give each request of a WSGI or ASGI app its own context and a request id.

    :param app: the wrapped app; ASGI when it is a coroutine function (or has an
        ``async def __call__``), WSGI otherwise. The instance is a
        :class:`WSGIContextMiddleware` or an :class:`ASGIContextMiddleware` to match, so
        servers see the right interface.
    :param header: the request/response header carrying the id.
    :param generate: makes an id when the client sent none (or an unusable one).
    :param limits: the request limits checked before the app sees a request
        (default: :meth:`Limits.from_env`; see :mod:`ctxcore.adapters.limits`), so a
        foreign app under a foreign server answers malformed and oversized requests as
        every server ``serve`` starts does.
    """

    def __new__(cls, app: WSGIApp | ASGIApp, **options: Any) -> ContextMiddleware:
        kind = cls
        if kind is ContextMiddleware:
            kind = ASGIContextMiddleware if _is_asgi(app) else WSGIContextMiddleware
        return super().__new__(kind)

    def __init__(
        self,
        app: WSGIApp | ASGIApp,
        *,
        header: str = "X-Request-ID",
        generate: Callable[[], str] = _new_id,
        limits: Limits | None = None,
    ) -> None:
        self.app: Any = app
        self.header = header
        self.generate = generate
        # The app behind the limits' checks: WSGI or ASGI, as this class.
        checks: Any = ASGILimits if _is_asgi(app) else WSGILimits
        self._limited: Any = checks(app, limits or Limits.from_env())
        self._environ_key = "HTTP_" + header.upper().replace("-", "_")
        self._asgi_key = header.lower().encode("latin-1")

    @property
    def limits(self) -> Limits:
        """The request limits checked before the app sees a request."""
        limits: Limits = self._limited.limits
        return limits

    @limits.setter
    def limits(self, value: Limits) -> None:
        self._limited.limits = value

    def _choose(self, incoming: str | None) -> str:
        if incoming and _VALID.fullmatch(incoming):
            return incoming
        return self.generate()


class WSGIContextMiddleware(ContextMiddleware):
    """:class:`ContextMiddleware` for a WSGI app."""

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        rid = self._choose(environ.get(self._environ_key))
        context = copy_context()
        context.run(request_id.set, rid)
        header = (self.header, rid)

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(status, [*headers, header], exc_info)

        body = context.run(self._limited, environ, start)
        return ContextBody(body, context)


class ASGIContextMiddleware(ContextMiddleware):
    """:class:`ContextMiddleware` for an ASGI app."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = None
        for name, value in scope.get("headers", ()):
            if name.lower() == self._asgi_key:
                incoming = value.decode("latin-1")
                break
        rid = self._choose(incoming)
        encoded = rid.encode("latin-1")

        async def run(relayed: Send) -> None:
            request_id.set(rid)

            async def send_with_id(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = [*message.get("headers", ()), (self._asgi_key, encoded)]
                    message = {**message, "headers": headers}
                await relayed(message)

            await self._limited(scope, receive, send_with_id)

        # The app runs in its own context; the server's send is awaited out here, so a
        # server that starts the next request from send never inherits this one's values.
        await run_relayed(run, send, copy_context())


def _is_asgi(app: Any) -> bool:
    if inspect.iscoroutinefunction(app):
        return True
    return callable(app) and asyncio.iscoroutinefunction(type(app).__call__)
