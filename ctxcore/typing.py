"""Type aliases for what views, hooks and handlers take and return (Flask's names).

For annotating application code and for extensions that import them
(Flask-JWT-Extended imports ``flask.typing`` in every module)::

    from ctxcore.typing import ResponseReturnValue

    def index() -> ResponseReturnValue:
        return {"ok": True}, 200
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Awaitable, Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, Union

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication
    from werkzeug.datastructures import Headers
    from werkzeug.sansio.response import Response

__all__ = [
    "AfterRequestCallable",
    "AppOrBlueprintKey",
    "BeforeFirstRequestCallable",
    "BeforeRequestCallable",
    "ErrorHandlerCallable",
    "HeaderValue",
    "HeadersValue",
    "ResponseClass",
    "ResponseReturnValue",
    "ResponseValue",
    "RouteCallable",
    "ShellContextProcessorCallable",
    "TeardownCallable",
    "TemplateContextProcessorCallable",
    "TemplateFilterCallable",
    "TemplateGlobalCallable",
    "TemplateTestCallable",
    "URLDefaultCallable",
    "URLValuePreprocessorCallable",
]

# Union[...] rather than "X | Y": these are evaluated at run time (they are values, not
# annotations), and "str | list" of strings and generics fails before Python 3.10's
# forward references can help.

#: What a view may return as the body: a response, text, bytes, a JSON-able dict or
#: list, or an iterator of text or bytes (streamed).
ResponseValue = Union[
    "Response",
    str,
    bytes,
    list[Any],
    Mapping[str, Any],
    Iterator[str],
    Iterator[bytes],
    AsyncIterable[str],
    AsyncIterable[bytes],
]

#: One header's value: a string, or several.
HeaderValue = Union[str, list[str], tuple[str, ...]]  # noqa: UP007

#: Headers a view may return beside the body.
HeadersValue = Union[
    "Headers",
    Mapping[str, HeaderValue],
    Sequence[tuple[str, HeaderValue]],
]

#: Everything a view may return: a body, optionally with a status and/or headers, or
#: a WSGI application.
ResponseReturnValue = Union[
    ResponseValue,
    tuple[ResponseValue, HeadersValue],
    tuple[ResponseValue, int],
    tuple[ResponseValue, int, HeadersValue],
    "WSGIApplication",
]

#: A response type (for hooks that return the response they were given).
ResponseClass = TypeVar("ResponseClass", bound="Response")

#: The key of the app's own hooks and handlers (``None``) or of a blueprint's (its name).
AppOrBlueprintKey = Union[str, None]  # noqa: UP007

AfterRequestCallable = Union[  # noqa: UP007
    Callable[[ResponseClass], ResponseClass],
    Callable[[ResponseClass], Awaitable[ResponseClass]],
]
BeforeFirstRequestCallable = Union[Callable[[], None], Callable[[], Awaitable[None]]]  # noqa: UP007
BeforeRequestCallable = Union[  # noqa: UP007
    Callable[[], Union[ResponseReturnValue, None]],  # noqa: UP007
    Callable[[], Awaitable[Union[ResponseReturnValue, None]]],  # noqa: UP007
]
ShellContextProcessorCallable = Callable[[], dict[str, Any]]
TeardownCallable = Union[  # noqa: UP007
    Callable[[Union[BaseException, None]], None],  # noqa: UP007
    Callable[[Union[BaseException, None]], Awaitable[None]],  # noqa: UP007
]
TemplateContextProcessorCallable = Union[  # noqa: UP007
    Callable[[], dict[str, Any]],
    Callable[[], Awaitable[dict[str, Any]]],
]
TemplateFilterCallable = Callable[..., Any]
TemplateGlobalCallable = Callable[..., Any]
TemplateTestCallable = Callable[..., bool]
URLDefaultCallable = Callable[[str, dict[str, Any]], None]
URLValuePreprocessorCallable = Callable[
    [Union[str, None], Union[dict[str, Any], None]],  # noqa: UP007
    None,
]
ErrorHandlerCallable = Union[  # noqa: UP007
    Callable[[Any], ResponseReturnValue],
    Callable[[Any], Awaitable[ResponseReturnValue]],
]
RouteCallable = Union[  # noqa: UP007
    Callable[..., ResponseReturnValue],
    Callable[..., Awaitable[ResponseReturnValue]],
]
