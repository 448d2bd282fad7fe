"""Helpers around the active contexts: checks, carrying them, per-request callbacks."""

from __future__ import annotations

import functools
import importlib.util
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any, NoReturn, TypeVar

from werkzeug.exceptions import abort as _werkzeug_abort
from werkzeug.utils import redirect as _werkzeug_redirect

from ._stacks import top_app_context, top_request_context
from .local import copy_current_context

if TYPE_CHECKING:
    from .ctx import RequestContext
    from .wrappers import Response

__all__ = [
    "DEBUG_ENV_VARS",
    "SKIP_DOTENV_ENV_VARS",
    "abort",
    "after_this_request",
    "copy_current_request_context",
    "flash",
    "get_debug_flag",
    "get_flashed_messages",
    "get_load_dotenv",
    "get_root_path",
    "get_template_attribute",
    "has_app_context",
    "has_request_context",
    "jsonify",
    "make_response",
    "redirect",
    "send_file",
    "send_from_directory",
    "stream_with_context",
    "url_for",
]

F = TypeVar("F", bound=Callable[..., Any])

#: Where debug mode is asked for, first set wins (Flask's name too, so a moved app's
#: environment keeps working).
DEBUG_ENV_VARS = ("CTXCORE_DEBUG", "FLASK_DEBUG")
#: Where loading ``.env``/``.flaskenv`` is turned off, first set wins.
SKIP_DOTENV_ENV_VARS = ("CTXCORE_SKIP_DOTENV", "FLASK_SKIP_DOTENV")


def _first_env(names: tuple[str, ...]) -> str | None:
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    return None


def get_debug_flag() -> bool:
    """Whether ``CTXCORE_DEBUG`` (or ``FLASK_DEBUG``) asks for debug mode."""
    value = _first_env(DEBUG_ENV_VARS)
    return value is not None and value.lower() not in ("0", "false", "no")


def get_load_dotenv(default: bool = True) -> bool:
    """Whether to load ``.env`` files: ``default``, unless ``CTXCORE_SKIP_DOTENV`` (or
    ``FLASK_SKIP_DOTENV``) is set, which turns loading off unless it is ``0``/``false``/``no``.
    """
    value = _first_env(SKIP_DOTENV_ENV_VARS)
    if value is None:
        return default
    return value.lower() in ("0", "false", "no")


def get_template_attribute(template_name: str, attribute: str) -> Any:
    """A macro or variable a template exports, to call from Python.

    ``get_template_attribute("_macros.html", "hello")("World")`` calls the macro
    ``hello`` of ``_macros.html``.
    """
    ctx = top_app_context()
    if ctx is None:
        raise RuntimeError(
            "get_template_attribute() needs an active app: call it while handling a "
            "request, or inside 'with app.app_context():'."
        )
    return getattr(ctx.app.jinja_env.get_template(template_name).module, attribute)


def has_request_context() -> bool:
    """Tell whether a request context is active for the current ident."""
    return top_request_context() is not None


def has_app_context() -> bool:
    """Tell whether an app context is active for the current ident."""
    return top_app_context() is not None


def abort(code: int | Response, *args: Any, **kwargs: Any) -> NoReturn:
    """Raise the HTTP error for ``code`` (or the given response), as Flask's ``abort``.

    Goes through the current app's ``aborter`` when the app has one (so an app's own
    error classes for codes are used), else through werkzeug's.
    """
    ctx = top_app_context()
    aborter = getattr(ctx.app, "aborter", None) if ctx is not None else None
    if aborter is not None:
        aborter(code, *args, **kwargs)
    _werkzeug_abort(code, *args, **kwargs)


def redirect(location: str, code: int = 302, Response: type[Response] | None = None) -> Response:
    """A response redirecting to ``location``, as Flask's ``redirect``.

    Built by the current app's ``redirect`` method when the app has one (so an app can
    change how redirects are made), else by werkzeug's.
    """
    ctx = top_app_context()
    make = getattr(ctx.app, "redirect", None) if ctx is not None else None
    if make is not None:
        return make(location, code=code)  # type: ignore[no-any-return]
    return _werkzeug_redirect(location, code=code, Response=Response)  # type: ignore[return-value]


def _require_request(what: str) -> RequestContext:
    ctx = top_request_context()
    if ctx is None:
        raise RuntimeError(
            f"{what} needs an active request context; call it while handling a request "
            "(or inside 'with app.test_request_context():')."
        )
    return ctx


def copy_current_request_context(func: F) -> F:
    """Return ``func`` made to run with the current request (for threads, pools, greenlets).

    Each call runs in a copy of the current context; when the app's stacks do not
    travel with contexts (``"thread"``/``"greenlet"`` idents), a copy of the request
    context is pushed around the call. Safe when the wrapped function runs in many
    workers at once. Raises ``RuntimeError`` outside a request.
    """
    ctx = _require_request("copy_current_request_context")

    @functools.wraps(func)
    def with_request(*args: Any, **kwargs: Any) -> Any:
        if top_request_context() is ctx:
            return func(*args, **kwargs)
        with ctx.copy():
            return func(*args, **kwargs)

    return copy_current_context(with_request)  # type: ignore[return-value]


def after_this_request(func: Callable[[Response], Response]) -> Callable[[Response], Response]:
    """Run ``func(response)`` after the current request's view, before ``after_request``.

    ``func`` must return a response (the same or a new one).
    """
    _require_request("after_this_request").append_after_request(func)
    return func


def stream_with_context(generator_or_function: Any) -> Any:
    """Keep the current request available while a streamed response is produced.

    Pass a generator (or decorate a generator function). The request context is pushed
    around each step, even when the server consumes the response after the view has
    returned, and the generator is closed when the response is.
    """
    if callable(generator_or_function) and not isinstance(generator_or_function, Iterator):
        function = generator_or_function

        @functools.wraps(function)
        def decorated(*args: Any, **kwargs: Any) -> Iterator[Any]:
            return stream_with_context(function(*args, **kwargs))  # type: ignore[no-any-return]

        return decorated
    ctx = _require_request("stream_with_context")
    return _ContextStream(ctx, generator_or_function)


class _ContextStream:
    """Iterate a generator with a request context pushed around every step."""

    __slots__ = ("_ctx", "_iterable", "_iterator")

    def __init__(self, ctx: RequestContext, iterable: Iterable[Any]) -> None:
        self._ctx = ctx
        self._iterable = iterable
        self._iterator = iter(iterable)

    def __iter__(self) -> _ContextStream:
        return self

    def __next__(self) -> Any:
        if top_request_context() is self._ctx:
            return next(self._iterator)
        with self._ctx.copy():
            return next(self._iterator)

    def close(self) -> None:
        close = getattr(self._iterable, "close", None)
        if close is not None:
            if top_request_context() is self._ctx:
                close()
            else:
                with self._ctx.copy():
                    close()


def url_for(endpoint: str, **values: Any) -> str:
    """Build a URL for ``endpoint`` with the current app (see ``App.url_for``)."""
    ctx = top_app_context()
    if ctx is None:
        raise RuntimeError("url_for() needs an active app or request context")
    return ctx.app.url_for(endpoint, **values)


def jsonify(*args: Any, **kwargs: Any) -> Response:
    """A JSON response of the arguments (one positional, several, or keywords)."""
    from .json import jsonify as json_response

    return json_response(*args, **kwargs)


def flash(message: str, category: str = "message") -> None:
    """Keep ``message`` in the session for the next page that calls
    :func:`get_flashed_messages` (``category``: e.g. ``"error"``, ``"info"``).

    Sends :data:`ctxcore.signals.message_flashed`. Needs a session (a secret key).
    """
    from . import signals
    from .globals import session

    ctx = _require_request("flash()")
    # Reassigned rather than appended to, so the session sees the change.
    session["_flashes"] = [*session.get("_flashes", ()), (category, message)]
    signals.send(signals.message_flashed, ctx.app, message=message, category=category)


def get_flashed_messages(
    with_categories: bool = False, category_filter: Iterable[str] = ()
) -> list[Any]:
    """The messages flashed since they were last shown, removed from the session.

    Within one request every call sees the same messages. ``with_categories`` gives
    ``(category, message)`` pairs; ``category_filter`` keeps only those categories.
    """
    from .globals import session

    ctx = _require_request("get_flashed_messages()")
    flashes = ctx.flashes
    if flashes is None:
        # Session values are JSON: the pairs come back as lists.
        stored = session.pop("_flashes", None) if "_flashes" in session else None
        flashes = ctx.flashes = [(str(cat), msg) for cat, msg in stored or ()]
    wanted = set(category_filter)
    if wanted:
        flashes = [pair for pair in flashes if pair[0] in wanted]
    if with_categories:
        return list(flashes)
    return [message for _, message in flashes]


def make_response(*args: Any) -> Response:
    """Turn view return values into a response, to add headers before returning it.

    ``make_response()`` is an empty response, ``make_response(rv)`` or
    ``make_response(body, status, headers)`` what a view returning that would send.
    """
    ctx = top_app_context()
    if ctx is None:
        raise RuntimeError("make_response() needs an active app or request context")
    if not args:
        return ctx.app.response_class()
    return ctx.app.make_response(args[0] if len(args) == 1 else args)


def _send_file_options(what: str, options: dict[str, Any]) -> dict[str, Any]:
    """werkzeug's ``send_file`` options for the current request and app."""
    ctx = _require_request(what)
    app = ctx.app
    if options.get("max_age") is None:
        options["max_age"] = app.get_send_file_max_age
    options.update(
        environ=ctx.request.environ,
        use_x_sendfile=app.config["USE_X_SENDFILE"],
        response_class=app.response_class,
        _root_path=app.root_path,
    )
    return options


def send_file(
    path_or_file: os.PathLike[str] | str | IO[bytes],
    mimetype: str | None = None,
    as_attachment: bool = False,
    download_name: str | None = None,
    conditional: bool = True,
    etag: bool | str = True,
    last_modified: datetime | int | float | None = None,
    max_age: int | Callable[[str | None], int | None] | None = None,
) -> Response:
    """A response sending a file: a path (relative to the app's root) or a binary file.

    Never pass a path that comes from the client: use :func:`send_from_directory`.

    :param mimetype: the content type (default: guessed from the file name).
    :param as_attachment: ask the browser to save the file (``Content-Disposition``).
    :param download_name: the name the browser sees (needed to guess the type of a
        file object without a name).
    :param conditional: answer conditional and range requests (304, 206).
    :param etag: compute an ETag (``True``) or use this one.
    :param last_modified: the ``Last-Modified`` time (default: the file's).
    :param max_age: seconds browsers may cache it (default:
        ``app.get_send_file_max_age``).

    With ``USE_X_SENDFILE`` the server sends the file (``X-Sendfile``); otherwise the
    server's ``wsgi.file_wrapper`` streams it when it has one.
    """
    import werkzeug.utils

    options = _send_file_options(
        "send_file()",
        {
            "mimetype": mimetype,
            "as_attachment": as_attachment,
            "download_name": download_name,
            "conditional": conditional,
            "etag": etag,
            "last_modified": last_modified,
            "max_age": max_age,
        },
    )
    return werkzeug.utils.send_file(path_or_file, **options)  # type: ignore[return-value]


def send_from_directory(
    directory: os.PathLike[str] | str, path: os.PathLike[str] | str, **kwargs: Any
) -> Response:
    """Send the file at ``path`` inside ``directory``, which may come from the client.

    A path leading out of ``directory`` or to no file is a 404 (``NotFound``).
    ``kwargs`` are :func:`send_file`'s.
    """
    import werkzeug.utils

    options = _send_file_options("send_from_directory()", kwargs)
    return werkzeug.utils.send_from_directory(directory, path, **options)  # type: ignore[return-value]


def get_root_path(import_name: str) -> str:
    """The folder of the module or package ``import_name`` (templates, static files and
    the instance folder are found relative to it); the working directory for ``__main__``
    run interactively, or a module without a file."""
    module = sys.modules.get(import_name)
    filename = getattr(module, "__file__", None)
    if filename is None and import_name != "__main__":
        try:
            spec = importlib.util.find_spec(import_name)
        except (ImportError, ValueError):
            spec = None
        filename = spec.origin if spec is not None and spec.has_location else None
    if not filename:
        return os.getcwd()
    return os.path.dirname(os.path.abspath(str(filename)))
