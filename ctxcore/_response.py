"""Turning what a view returns into a Response."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import BadRequest, HTTPException

from ._stacks import top_request_context
from .wrappers import Response

if TYPE_CHECKING:
    from ._appbase import AppBase as App

__all__ = ["MALFORMED_REQUEST", "LoggedStream", "make_response"]


def make_response(app: App, rv: Any) -> Response:  # noqa: PLR0912
    """Convert a view's return value into ``app.response_class``.

    Accepted: a Response, ``str``/``bytes``, a ``dict``/``list`` (JSON), an iterator of
    chunks (streamed), an HTTPException, or a tuple ``(body, status)``,
    ``(body, headers)`` or ``(body, status, headers)``.
    """
    status = headers = None
    if isinstance(rv, tuple):
        if len(rv) == 3:
            rv, status, headers = rv
        elif len(rv) == 2:
            if isinstance(rv[1], dict | list | tuple) or hasattr(rv[1], "items"):
                rv, headers = rv
            else:
                rv, status = rv
        else:
            raise TypeError(
                "a view's tuple must be (body, status), (body, headers) or "
                f"(body, status, headers), not {len(rv)} items"
            )
    if rv is None:
        raise TypeError(
            "The view returned None. A view must return a response: a string, bytes, a "
            "dict or list (JSON), a Response, or a (body, status[, headers]) tuple."
        )
    response: Response
    if isinstance(rv, app.response_class):
        response = rv
    elif isinstance(rv, str | bytes):
        response = app.response_class(rv)
    elif isinstance(rv, dict | list):
        response = app.json.response(rv)
    elif isinstance(rv, HTTPException):
        try:
            http_response = rv.get_response()
        except ValueError:
            # A routing redirect to a URL no header can carry (a decoded %0D in the
            # path): the request was malformed, not the app.
            http_response = BadRequest("The request URL cannot be redirected to.").get_response()
        response = app.response_class.force_type(http_response, None)  # type: ignore[assignment]
    elif isinstance(rv, Iterator):
        response = app.response_class(rv)
    elif isinstance(rv, Response) or callable(rv):
        ctx = top_request_context()
        environ = ctx.request.environ if ctx is not None else None
        response = app.response_class.force_type(rv, environ)  # type: ignore[assignment]
    else:
        raise TypeError(
            f"The view returned a {type(rv).__name__}, which is not a response: return a "
            "string, bytes, a dict or list, a Response or a (body, status) tuple."
        )
    if status is not None:
        if isinstance(status, int):
            response.status_code = status
        else:
            response.status = status
    if headers:
        response.headers.update(headers)
    return response


_MALFORMED_BODY = b"Bad Request: the request could not be understood.\n"
#: The 400 for a request no context can be built from (status, headers, body); the
#: same bytes from every server, written without trusting the unparsed request.
MALFORMED_REQUEST: tuple[str, list[tuple[str, str]], bytes] = (
    "400 BAD REQUEST",
    [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(_MALFORMED_BODY)))],
    _MALFORMED_BODY,
)


class LoggedStream:
    """A streamed WSGI body whose failure mid-way is logged and ends the body.

    The status and headers are already sent when a chunk fails: raising to the server
    would only make it drop the connection (and with it the client's next request).
    """

    __slots__ = ("_body", "_iterator", "_logger")

    def __init__(self, body: Iterable[bytes], logger: logging.Logger) -> None:
        self._body = body
        self._iterator: Iterator[bytes] = iter(body)
        self._logger = logger

    def __iter__(self) -> LoggedStream:
        return self

    def __next__(self) -> bytes:
        try:
            return next(self._iterator)
        except StopIteration:
            raise
        except Exception:
            self._logger.exception("Error producing the response body; ending it here")
            raise StopIteration from None

    def close(self) -> None:
        close = getattr(self._body, "close", None)
        if close is not None:
            close()
