"""JSON: the providers used by JSON responses, and a reversible ``json`` monkey patch.

Providers: ``"json"`` (the standard library, the default), ``"ujson"`` and ``"orjson"``.
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
from typing import Any

from ._backends import ORIGINAL, fast_dumps, fast_loads, load_backend
from .provider import JSONProvider, get_provider

__all__ = [
    "JSONProvider",
    "get_provider",
    "is_patched",
    "patch",
    "patched",
    "unpatch",
]


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
