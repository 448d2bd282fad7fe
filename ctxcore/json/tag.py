"""Tagged JSON: JSON that keeps the Python types sessions hold (as Flask's sessions do).

Plain JSON turns a tuple into a list and cannot hold bytes, datetimes or UUIDs. The
tagged form wraps such a value in a one-key dict naming its type (``{" t": [1, 2]}``),
and turns it back on load. Supported: ``tuple``, ``bytes``, ``Markup`` (any object with
``__html__``), ``UUID``, ``datetime`` (as an HTTP date, so to the second, in UTC), and
dicts whose one key happens to look like a tag (escaped, so they load as themselves).
Register more with :meth:`TaggedJSONSerializer.register`.

The fast path matters (every changed session is serialized): values that need no tag
are returned as they are, without copying.
"""

from __future__ import annotations

import json
from base64 import b64decode, b64encode
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from werkzeug.http import http_date, parse_date

__all__ = [
    "JSONTag",
    "PassDict",
    "PassList",
    "TagBytes",
    "TagDateTime",
    "TagDict",
    "TagMarkup",
    "TagTuple",
    "TagUUID",
    "TaggedJSONSerializer",
]

_PLAIN = (str, int, float, bool, type(None))


class JSONTag:
    """One tagged type: subclass it, set ``key`` and implement the three methods.

    :param serializer: the serializer it belongs to (to tag nested values).
    """

    #: The tag's dict key; ``""`` for a tag that only rewrites values (no key).
    key: ClassVar[str] = ""

    def __init__(self, serializer: TaggedJSONSerializer) -> None:
        self.serializer = serializer

    def check(self, value: Any) -> bool:
        """Whether this tag handles ``value``."""
        raise NotImplementedError

    def to_json(self, value: Any) -> Any:
        """``value`` as JSON-able data (nested values tagged with ``serializer.tag``)."""
        raise NotImplementedError

    def to_python(self, value: Any) -> Any:
        """The data back as the Python value."""
        raise NotImplementedError

    def tag(self, value: Any) -> Any:
        """``value`` wrapped under this tag's key."""
        return {self.key: self.to_json(value)}


class TagDict(JSONTag):
    """A dict whose one key is a tag's key would load as that tag: its key is escaped."""

    key = " di"

    def check(self, value: Any) -> bool:
        return (
            isinstance(value, dict)
            and len(value) == 1
            and next(iter(value)) in self.serializer.tags
        )

    def to_json(self, value: Any) -> Any:
        key = next(iter(value))
        return {f"{key}__": self.serializer.tag(value[key])}

    def to_python(self, value: Any) -> Any:
        key = next(iter(value))
        return {key[:-2]: value[key]}


class PassDict(JSONTag):
    """A dict subclass: its values are tagged, the dict itself needs no tag.

    Plain dicts and lists take the serializer's fast path and never reach this tag or
    :class:`PassList`; these handle subclasses (an ``OrderedDict``, a ``defaultdict``).
    """

    def check(self, value: Any) -> bool:
        return isinstance(value, dict)

    def to_json(self, value: Any) -> Any:
        return {key: self.serializer.tag(item) for key, item in value.items()}

    tag = to_json


class PassList(JSONTag):
    """A list subclass: its items are tagged, the list itself needs no tag."""

    def check(self, value: Any) -> bool:
        return isinstance(value, list)

    def to_json(self, value: Any) -> Any:
        return [self.serializer.tag(item) for item in value]

    tag = to_json


class TagTuple(JSONTag):
    """A tuple (JSON has only lists)."""

    key = " t"

    def check(self, value: Any) -> bool:
        return isinstance(value, tuple)

    def to_json(self, value: Any) -> Any:
        return [self.serializer.tag(item) for item in value]

    def to_python(self, value: Any) -> Any:
        return tuple(value)


class TagBytes(JSONTag):
    """Bytes, as base64."""

    key = " b"

    def check(self, value: Any) -> bool:
        return isinstance(value, bytes)

    def to_json(self, value: Any) -> Any:
        return b64encode(value).decode("ascii")

    def to_python(self, value: Any) -> Any:
        return b64decode(value)


class TagMarkup(JSONTag):
    """``Markup`` (anything with ``__html__``), as its HTML."""

    key = " m"

    def check(self, value: Any) -> bool:
        return callable(getattr(value, "__html__", None))

    def to_json(self, value: Any) -> Any:
        return str(value.__html__())

    def to_python(self, value: Any) -> Any:
        from markupsafe import Markup

        return Markup(value)


class TagUUID(JSONTag):
    """A UUID, as its hex string."""

    key = " u"

    def check(self, value: Any) -> bool:
        return isinstance(value, UUID)

    def to_json(self, value: Any) -> Any:
        return value.hex

    def to_python(self, value: Any) -> Any:
        return UUID(value)


class TagDateTime(JSONTag):
    """A datetime, as an HTTP date (to the second, UTC)."""

    key = " d"

    def check(self, value: Any) -> bool:
        return isinstance(value, datetime)

    def to_json(self, value: Any) -> Any:
        return http_date(value)

    def to_python(self, value: Any) -> Any:
        return parse_date(value)


class TaggedJSONSerializer:
    """``dumps``/``loads`` of tagged JSON (see the module docstring)."""

    default_tags: ClassVar[list[type[JSONTag]]] = [
        TagDict,
        PassDict,
        TagTuple,
        PassList,
        TagBytes,
        TagMarkup,
        TagUUID,
        TagDateTime,
    ]

    def __init__(self) -> None:
        self.tags: dict[str, JSONTag] = {}
        self.order: list[JSONTag] = []
        # Built once: json.dumps/loads with options build a new encoder/decoder per call.
        self._encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
        self._decode = json.JSONDecoder(object_hook=self.untag).decode
        for tag_class in self.default_tags:
            self.register(tag_class)

    def register(
        self, tag_class: type[JSONTag], force: bool = False, index: int | None = None
    ) -> None:
        """Add a tag (checked after the others, or at ``index``).

        Raises ``KeyError`` if its key is taken, unless ``force`` replaces the other.
        """
        tag = tag_class(self)
        if tag.key:
            if tag.key in self.tags and not force:
                raise KeyError(f"tag {tag.key!r} is already registered")
            self.tags[tag.key] = tag
        if index is None:
            self.order.append(tag)
        else:
            self.order.insert(index, tag)

    def tag(self, value: Any) -> Any:
        """``value`` as JSON-able data, typed values tagged (plain values unchanged)."""
        kind = type(value)
        if kind in _PLAIN:
            return value
        if kind is dict and not (len(value) == 1 and next(iter(value)) in self.tags):
            return {key: self.tag(item) for key, item in value.items()}
        if kind is list:
            return [self.tag(item) for item in value]
        for tag in self.order:
            if tag.check(value):
                return tag.tag(value)
        return value  # not taggable: json reports it

    def untag(self, value: dict[str, Any]) -> Any:
        """The value a one-key tagged dict stands for (other dicts as they are)."""
        if len(value) != 1:
            return value
        key = next(iter(value))
        tag = self.tags.get(key)
        return value if tag is None else tag.to_python(value[key])

    def dumps(self, value: Any) -> str:
        """Tag, then serialize as compact JSON."""
        return self._encode(self.tag(value))

    def loads(self, value: str | bytes) -> Any:
        """Parse tagged JSON back into Python values."""
        if isinstance(value, bytes | bytearray):
            value = value.decode()
        return self._decode(value)
