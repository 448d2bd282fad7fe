"""Mount several apps under URL prefixes, for WSGI and for ASGI.

``DispatcherMiddleware(main, {"/sec": other})``: the longest matching prefix wins, the
mounted app sees the prefix moved from the path to ``SCRIPT_NAME`` (WSGI) or
``root_path`` (ASGI), so its ``url_for`` builds URLs with the prefix and its
``current_app`` is itself. Paths no mount claims go to ``main`` (or get a 404 when
``main`` is ``None``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any

from .types import ASGIApp, Environ, Message, Receive, Scope, Send, StartResponse, WSGIApp

__all__ = ["ASGIDispatcher", "DispatcherMiddleware"]

_NOT_FOUND = b"Not Found\n"


def _normalise(mounts: Mapping[str, Any]) -> list[tuple[str, Any]]:
    prepared = []
    for prefix, app in mounts.items():
        if not prefix.startswith("/") or prefix == "/":
            raise ValueError(f"mount prefix {prefix!r} must start with '/' and not be '/' alone")
        prepared.append((prefix.rstrip("/"), app))
    # Longest prefix first, so "/api/v2" wins over "/api".
    return sorted(prepared, key=lambda item: len(item[0]), reverse=True)


def _match(path: str, mounts: list[tuple[str, Any]]) -> tuple[str, Any] | None:
    for prefix, app in mounts:
        if path == prefix or path.startswith(prefix + "/"):
            return prefix, app
    return None


class DispatcherMiddleware:
    """A WSGI app routing each request to the app mounted at the longest matching prefix."""

    def __init__(self, app: WSGIApp | None, mounts: Mapping[str, WSGIApp] | None = None) -> None:
        self.app = app
        self.mounts = _normalise(mounts or {})

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or ""
        found = _match(path, self.mounts)
        if found is not None:
            prefix, app = found
            environ = {
                **environ,
                "SCRIPT_NAME": environ.get("SCRIPT_NAME", "") + prefix,
                "PATH_INFO": path[len(prefix) :],
            }
            body: Iterable[bytes] = app(environ, start_response)
            return body
        if self.app is not None:
            return self.app(environ, start_response)
        start_response(
            "404 NOT FOUND",
            [
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", str(len(_NOT_FOUND))),
            ],
        )
        return [_NOT_FOUND]


def _asgi_of(app: Any) -> ASGIApp:
    asgi = getattr(app, "asgi", None)  # a ctxcore App: its ASGI entry
    return asgi if asgi is not None else app  # type: ignore[no-any-return]


class ASGIDispatcher:
    """The ASGI twin of :class:`DispatcherMiddleware` (ctxcore Apps are served via ``.asgi``).

    Lifespan events go to every app (main and mounted); startup fails if any app's does.
    """

    def __init__(self, app: Any | None, mounts: Mapping[str, Any] | None = None) -> None:
        self.app = _asgi_of(app) if app is not None else None
        self.mounts = [(prefix, _asgi_of(mounted)) for prefix, mounted in _normalise(mounts or {})]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(scope, receive, send)
            return
        root = scope.get("root_path", "") or ""
        path = scope["path"]
        local = path[len(root) :] if root and path.startswith(root) else path
        found = _match(local, self.mounts)
        if found is not None:
            prefix, app = found
            await app({**scope, "root_path": root + prefix}, receive, send)
        elif self.app is not None:
            await self.app(scope, receive, send)
        else:
            await send(
                {
                    "type": "http.response.start",
                    "status": 404,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                }
            )
            await send({"type": "http.response.body", "body": _NOT_FOUND})

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        apps = [
            app for app in (self.app, *(mounted for _, mounted in self.mounts)) if app is not None
        ]
        inboxes = [asyncio.Queue[Message]() for _ in apps]
        outboxes = [asyncio.Queue[Message]() for _ in apps]
        tasks = [
            asyncio.ensure_future(app(scope, inbox.get, outbox.put))
            for app, inbox, outbox in zip(apps, inboxes, outboxes, strict=True)
        ]
        try:
            while True:
                message = await receive()
                phase = message["type"].split(".")[-1]  # "startup" or "shutdown"
                failures = []
                for inbox, outbox, task in zip(inboxes, outboxes, tasks, strict=True):
                    if task.done():
                        continue  # this app does not speak lifespan (or already ended)
                    await inbox.put(message)
                    reply = await outbox.get()
                    if reply["type"].endswith(".failed"):
                        failures.append(reply.get("message", ""))
                suffix = "failed" if failures else "complete"
                answer: Message = {"type": f"lifespan.{phase}.{suffix}"}
                if failures:
                    answer["message"] = "; ".join(failures)
                await send(answer)
                if phase == "shutdown" or failures:
                    return
        finally:
            for task in tasks:
                task.cancel()
