"""JSON providers: how an app serializes and parses JSON (``app.json``), as in Flask.

:class:`DefaultJSONProvider` is the standard library with Flask's conventions: dates
as HTTP dates, ``Decimal``/``UUID`` as strings, dataclasses as dicts, objects with
``__html__`` as their HTML, sorted keys, ASCII output, compact responses unless
debugging. :class:`UJSONProvider` and :class:`ORJSONProvider` give the same documents
(parsed, the same values) through a faster library, handing the standard library
whatever the fast one cannot do the same way. ``JSON_PROVIDER`` in the config
(``"json"``, ``"ujson"``, ``"orjson"``) picks one; ``app.json = provider`` sets one.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import uuid
from json.encoder import c_make_encoder as _c_make_encoder  # type: ignore[attr-defined]
from json.encoder import encode_basestring as _escape_utf8
from json.encoder import encode_basestring_ascii as _escape_ascii
from typing import IO, TYPE_CHECKING, Any

from werkzeug.http import http_date

from ._backends import (
    ORIGINAL,
    UJSON_TRACES,
    fast_loads,
    hides_non_finite,
    load_backend,
    orjson_encode,
    orjson_options,
)

if TYPE_CHECKING:
    from ctxcore.wrappers import Response

__all__ = [
    "DefaultJSONProvider",
    "JSONProvider",
    "ORJSONProvider",
    "UJSONProvider",
    "get_provider",
    "provider_class",
]

_std_dumps = ORIGINAL["dumps"]
_std_loads = ORIGINAL["loads"]


class JSONProvider:
    """The interface of ``app.json``: subclass it to serialize with another library.

    :param app: the app it serves (``None``: standalone).
    """

    #: The library behind it: ``"json"``, ``"ujson"``, ``"orjson"``, or your own name.
    backend = "json"

    def __init__(self, app: Any = None) -> None:
        self._app = app

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """Serialize ``obj`` to a JSON string."""
        raise NotImplementedError

    def loads(self, s: str | bytes | bytearray, **kwargs: Any) -> Any:
        """Parse a JSON document."""
        raise NotImplementedError

    def dump(self, obj: Any, fp: IO[str], **kwargs: Any) -> None:
        """Serialize ``obj`` and write it to the text file ``fp``."""
        fp.write(self.dumps(obj, **kwargs))

    def load(self, fp: IO[Any], **kwargs: Any) -> Any:
        """Read and parse a JSON document from ``fp``."""
        return self.loads(fp.read(), **kwargs)

    def _prepare_response_obj(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if args and kwargs:
            raise TypeError("jsonify() takes positional arguments or keywords, not both")
        if not args and not kwargs:
            return None
        if len(args) == 1:
            return args[0]
        return list(args) if args else kwargs

    def response(self, *args: Any, **kwargs: Any) -> Response:
        """A JSON response, ``jsonify``-style: one value, several (a list), or keywords
        (a dict)."""
        obj = self._prepare_response_obj(args, kwargs)
        return self._response_class()(f"{self.dumps(obj)}\n", mimetype="application/json")

    def _response_class(self) -> type[Response]:
        if self._app is not None:
            return self._app.response_class  # type: ignore[no-any-return]
        # A provider made without an app: werkzeug's response (ctxcore's Response
        # parses JSON with this package, which must not import it back).
        from werkzeug.wrappers import Response as PlainResponse

        return PlainResponse  # type: ignore[return-value]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.backend}>"


def _default(obj: Any) -> Any:
    """What the standard library cannot serialize by itself, as Flask serializes it."""
    if isinstance(obj, datetime.date):
        return http_date(obj)
    if isinstance(obj, decimal.Decimal | uuid.UUID):
        return str(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    if hasattr(obj, "__html__"):
        return str(obj.__html__())
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


class DefaultJSONProvider(JSONProvider):
    """The standard library's ``json``, with Flask's conventions (module docstring).

    Attributes to change on an instance or a subclass: ``default`` (called for objects
    json cannot serialize), ``ensure_ascii``, ``sort_keys``, ``compact`` (``None``:
    indented responses only in debug mode), ``mimetype``.
    """

    default: Any = staticmethod(_default)
    ensure_ascii = True
    sort_keys = True
    compact: bool | None = None
    mimetype = "application/json"

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """``json.dumps`` with this provider's ``default``, ``ensure_ascii`` and
        ``sort_keys`` unless given."""
        kwargs.setdefault("default", self.default)
        kwargs.setdefault("ensure_ascii", self.ensure_ascii)
        kwargs.setdefault("sort_keys", self.sort_keys)
        return _std_dumps(obj, **kwargs)  # type: ignore[no-any-return]

    def loads(self, s: str | bytes | bytearray, **kwargs: Any) -> Any:
        """``json.loads``."""
        return _std_loads(s, **kwargs)

    def _indent(self) -> bool:
        if self.compact is None:
            return bool(self._app is not None and self._app.debug)
        return not self.compact

    def response(self, *args: Any, **kwargs: Any) -> Response:
        """A JSON response (``jsonify``): compact, or indented by 2 when debugging
        (``compact=None``) or when ``compact`` is False."""
        obj = args[0] if len(args) == 1 and not kwargs else self._prepare_response_obj(args, kwargs)
        app = self._app
        response_class = app.response_class if app is not None else self._response_class()
        return response_class(self._body(obj), mimetype=self.mimetype)

    def _body(self, obj: Any) -> str | bytes:
        """A response's body: the document through :meth:`dumps`, and a newline."""
        if self._indent():
            return f"{self.dumps(obj, indent=2)}\n"
        if type(self).dumps is DefaultJSONProvider.dumps and _c_make_encoder is not None:
            # What dumps(obj, separators=(",", ":")) writes, from the standard library's
            # C encoder called directly: json.dumps builds a JSONEncoder and runs two
            # Python methods around it. A new one per call: its markers (the
            # circular-reference check) cannot be shared between threads.
            escape = _escape_ascii if self.ensure_ascii else _escape_utf8
            encode = _c_make_encoder(
                {}, self.default, escape, None, ":", ",", self.sort_keys, False, True
            )
            return "".join(encode(obj, 0)) + "\n"
        return f"{self.dumps(obj, separators=(',', ':'))}\n"


class _FastJSONProvider(DefaultJSONProvider):
    """:class:`DefaultJSONProvider` through a faster library, same documents.

    ``dumps(obj)``, compact output (``separators=(",", ":")``, what responses use) and
    2-space indented output come from the fast library when it can write the value as
    the standard library would; ``dumps(obj)`` is then compact (the standard provider
    separates with ``", "`` and ``": "``: the same document, other whitespace).
    Anything else — objects that need ``default``, NaN and infinities, other keyword
    arguments, other separators — is the standard library's. Parsing goes to the fast
    library, with the standard library's fallbacks (see :mod:`ctxcore.json`).
    """

    def __init__(self, app: Any = None) -> None:
        super().__init__(app)
        self.module = load_backend(self.backend)
        self._loads = fast_loads(self.backend, self.module)

    def _fast(self, obj: Any, indent: int | None) -> str | None:
        """The fast library's document, or ``None`` when it cannot write it as the
        standard library would."""
        raise NotImplementedError

    def _fast_body(self, obj: Any, indent: int | None) -> str | bytes | None:
        """A response's body from the fast library (document and newline), or ``None``."""
        text = self._fast(obj, indent)
        return None if text is None else f"{text}\n"

    def _body(self, obj: Any) -> str | bytes:
        # Straight from the fast library, unless a subclass changed dumps(): responses
        # then go through it, as Flask's do.
        if type(self).dumps is _FastJSONProvider.dumps:
            body = self._fast_body(obj, 2 if self._indent() else None)
            if body is not None:
                return body
        return super()._body(obj)

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """Serialize ``obj``: the fast library when it can, else the standard one."""
        if not kwargs:
            text = self._fast(obj, None)
        elif kwargs.keys() <= {"separators", "indent"} and _fast_layout(kwargs):
            text = self._fast(obj, kwargs.get("indent"))
        else:
            text = None
        return super().dumps(obj, **kwargs) if text is None else text

    def loads(self, s: str | bytes | bytearray, **kwargs: Any) -> Any:
        """Parse with the fast library (the standard one for keywords it lacks)."""
        return self._loads(s, **kwargs)


def _fast_layout(kwargs: dict[str, Any]) -> bool:
    """Whether ``separators``/``indent`` ask for a layout the fast libraries write:
    compact, or indented by 2 with the standard separators."""
    indent, separators = kwargs.get("indent"), kwargs.get("separators")
    if indent is None:
        return separators == (",", ":")
    return indent == 2 and separators is None


class UJSONProvider(_FastJSONProvider):
    """:class:`DefaultJSONProvider` through ujson.

    One difference remains: ujson writes a ``Decimal`` as a number (``1.1``), not as
    the string the standard provider writes (``"1.10"``).
    """

    backend = "ujson"

    def _fast(self, obj: Any, indent: int | None) -> str | None:
        try:
            # ujson escapes "/" by default; the standard library does not.
            out: str = self.module.dumps(
                obj,
                ensure_ascii=self.ensure_ascii,
                sort_keys=self.sort_keys,
                indent=indent or 0,
                escape_forward_slashes=False,
            )
        except (TypeError, OverflowError, ValueError):
            return None  # needs ``default``, or beyond what ujson writes
        # ujson writes a NaN or infinity key as "nan", "inf" or "-inf".
        if hides_non_finite(out, obj, UJSON_TRACES):
            return None
        return out


class ORJSONProvider(_FastJSONProvider):
    """:class:`DefaultJSONProvider` through orjson.

    orjson writes UTF-8 only, so this provider's ``ensure_ascii`` is False (with True,
    every document goes to the standard library). Dates, datetimes and dataclasses are
    written as the standard provider writes them (orjson's own formats are not used).
    """

    backend = "orjson"
    ensure_ascii = False

    def __init__(self, app: Any = None) -> None:
        super().__init__(app)
        self._options = orjson_options(self.module)

    def _encode(self, obj: Any, indent: int | None, option: int = 0) -> bytes | None:
        """orjson's document (with ``option`` added), or ``None`` when it cannot write
        it as the standard library would."""
        if self.ensure_ascii:
            return None
        orjson = self.module
        option |= self._options
        if self.sort_keys:
            option |= orjson.OPT_SORT_KEYS
        if indent:
            option |= orjson.OPT_INDENT_2
        return orjson_encode(orjson, obj, option)

    def _fast(self, obj: Any, indent: int | None) -> str | None:
        out = self._encode(obj, indent)
        return None if out is None else out.decode()

    def _fast_body(self, obj: Any, indent: int | None) -> str | bytes | None:
        # The bytes go into the response as they are: no decoding, no encoding back.
        return self._encode(obj, indent, self.module.OPT_APPEND_NEWLINE)


_CLASSES: dict[str, type[DefaultJSONProvider]] = {
    "json": DefaultJSONProvider,
    "ujson": UJSONProvider,
    "orjson": ORJSONProvider,
}


def provider_class(backend: str) -> type[DefaultJSONProvider]:
    """The provider class for ``backend`` (``"json"``, ``"ujson"``, ``"orjson"``)."""
    load_backend(backend)  # the clear error for an unknown or missing library
    return _CLASSES[backend]


def get_provider(backend: str = "json", app: Any = None) -> DefaultJSONProvider:
    """A provider for ``backend`` serving ``app``."""
    return provider_class(backend)(app)
