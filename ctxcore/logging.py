"""Logging as Flask sets it up: a handler writing to the request's error stream.

``default_handler`` writes to :func:`wsgi_errors_stream`: the WSGI server's
``wsgi.errors`` during a request, ``sys.stderr`` otherwise. :func:`create_logger` gives an
app its logger (named after the app) with that handler, unless logging is configured
already (a handler that would see the app's records), so an application's own logging
setup wins. Remove the handler to take over: ``logger.removeHandler(default_handler)``.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, TextIO

from ._stacks import top_request_context

if TYPE_CHECKING:
    from ._appbase import AppBase

__all__ = ["create_logger", "default_handler", "has_level_handler", "wsgi_errors_stream"]


def _errors_stream() -> TextIO:
    ctx = top_request_context()
    if ctx is not None:
        stream = ctx.request.environ.get("wsgi.errors")
        if stream is not None:
            return stream  # type: ignore[no-any-return]
    return sys.stderr


class _ErrorsStream:
    """A stream object that writes wherever :func:`wsgi_errors_stream` points at the time.

    A ``StreamHandler`` keeps the stream it was given: this one looks it up per write.
    """

    def write(self, text: str) -> int:
        return _errors_stream().write(text)

    def flush(self) -> None:
        _errors_stream().flush()


def wsgi_errors_stream() -> TextIO:
    """The error stream of the current request (``wsgi.errors``), else ``sys.stderr``."""
    return _errors_stream()


def has_level_handler(logger: logging.Logger) -> bool:
    """Whether a handler that would see ``logger``'s records at its effective level is
    attached to it or to one of its ancestors (following ``propagate``)."""
    level = logger.getEffectiveLevel()
    current: logging.Logger | None = logger
    while current is not None:
        if any(handler.level <= level for handler in current.handlers):
            return True
        if not current.propagate:
            break
        current = current.parent
    return False


#: Writes ``[time] LEVEL in module: message`` to :func:`wsgi_errors_stream`.
default_handler = logging.StreamHandler(_ErrorsStream())
default_handler.setFormatter(
    logging.Formatter("[%(asctime)s] %(levelname)s in %(module)s: %(message)s")
)


def create_logger(app: AppBase) -> logging.Logger:
    """The logger for ``app`` (named ``app.name``): at DEBUG level when the app is in
    debug mode and no level is set, with :data:`default_handler` added when no handler
    would see its records."""
    logger = logging.getLogger(app.name)
    if app.debug and not logger.level:
        logger.setLevel(logging.DEBUG)
    if not has_level_handler(logger):
        logger.addHandler(default_handler)
    return logger
