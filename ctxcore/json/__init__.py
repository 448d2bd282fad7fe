"""JSON: ``dumps``/``loads`` through the current app, its providers, and a ``json`` patch.

:func:`dumps`, :func:`loads`, :func:`dump`, :func:`load` and :func:`jsonify` use the
current app's provider (``app.json``) inside an app context, and the standard library
with Flask's conventions outside one. Providers (:mod:`ctxcore.json.provider`):
``"json"`` (the standard library, the default), ``"ujson"`` and ``"orjson"``.
:func:`patch` swaps ``json.dumps``/``loads``/``dump``/``load`` for versions that use a
faster library when it can honour the call and fall back to the standard library when
it cannot (``cls=``, ``default=``, ``indent`` other than 2 with orjson, custom
separators, ``object_hook``, integers beyond 64 bits ...): nothing fails that worked
before, and parsed values are the same. Output differs in
whitespace and some escapes (the fast libraries write compact JSON); tests pin exactly
where.
"""

from __future__ import annotations

import contextlib
import json as _std
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

from ._backends import ORIGINAL, fast_dumps, fast_loads, load_backend
from .provider import (
    DefaultJSONProvider,
    JSONProvider,
    ORJSONProvider,
    UJSONProvider,
    get_provider,
)

if TYPE_CHECKING:
    from ctxcore.wrappers import Response

__all__ = [
    "DefaultJSONProvider",
    "JSONProvider",
    "ORJSONProvider",
    "UJSONProvider",
    "dump",
    "dumps",
    "get_provider",
    "is_patched",
    "jsonify",
    "load",
    "loads",
    "patch",
    "patched",
    "unpatch",
]

_outside_app = DefaultJSONProvider()


def _provider() -> JSONProvider:
    from ctxcore._stacks import top_app_context

    ctx = top_app_context()
    return ctx.app.json if ctx is not None else _outside_app


def dumps(obj: Any, **kwargs: Any) -> str:
    """Serialize ``obj`` with the current app's provider (the standard one outside)."""
    return _provider().dumps(obj, **kwargs)


def dump(obj: Any, fp: IO[str], **kwargs: Any) -> None:
    """Serialize ``obj`` to the text file ``fp`` (see :func:`dumps`)."""
    _provider().dump(obj, fp, **kwargs)


def loads(s: str | bytes | bytearray, **kwargs: Any) -> Any:
    """Parse a JSON document with the current app's provider (the standard one outside)."""
    return _provider().loads(s, **kwargs)


def load(fp: IO[Any], **kwargs: Any) -> Any:
    """Read and parse a JSON document from ``fp`` (see :func:`loads`)."""
    return _provider().load(fp, **kwargs)


def jsonify(*args: Any, **kwargs: Any) -> Response:
    """A JSON response of the arguments (one value, several as a list, or keywords as a
    dict), from the current app's provider. Needs an app context."""
    from ctxcore._stacks import top_app_context

    ctx = top_app_context()
    if ctx is None:
        raise RuntimeError("jsonify() needs an active app or request context")
    return ctx.app.json.response(*args, **kwargs)


_patched: list[str] = []


def patch(backend: str = "orjson") -> None:
    """Make the ``json`` module use ``backend`` where it can (see the module docstring).

    Patches ``json.dumps``, ``json.loads``, ``json.dump`` and ``json.load``; undo with
    :func:`unpatch`. Patching again switches backend.
    """
    module = load_backend(backend)
    dumps = fast_dumps(backend, module)
    loads = fast_loads(backend, module)

    def dump(obj: Any, fp: Any, **kwargs: Any) -> None:
        fp.write(dumps(obj, **kwargs))

    def load(fp: Any, **kwargs: Any) -> Any:
        return loads(fp.read(), **kwargs)

    for name, func in (("dumps", dumps), ("loads", loads), ("dump", dump), ("load", load)):
        func.__doc__ = ORIGINAL[name].__doc__
        setattr(_std, name, func)
    _patched[:] = [backend]


def unpatch() -> None:
    """Restore the standard library's ``json`` functions."""
    for name, func in ORIGINAL.items():
        setattr(_std, name, func)
    _patched.clear()


def is_patched() -> str | None:
    """The backend the ``json`` module is patched with, or ``None``."""
    return _patched[0] if _patched else None


@contextlib.contextmanager
def patched(backend: str = "orjson") -> Iterator[None]:
    """Patch ``json`` for the duration of a ``with`` block, then restore what was there."""
    previous = is_patched()
    patch(backend)
    try:
        yield
    finally:
        if previous is None:
            unpatch()
        else:
            patch(previous)
