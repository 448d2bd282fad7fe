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
import importlib
import json as _std
import re
from collections.abc import Callable, Iterator
from typing import Any

__all__ = [
    "JSONProvider",
    "get_provider",
    "is_patched",
    "patch",
    "patched",
    "unpatch",
]

_ORIGINAL = {name: getattr(_std, name) for name in ("dumps", "loads", "dump", "load")}
_BACKENDS = ("json", "ujson", "orjson")


def _load_backend(name: str) -> Any:
    if name not in _BACKENDS:
        raise ValueError(f"unknown JSON backend {name!r}: choose one of {', '.join(_BACKENDS)}")
    if name == "json":
        return _std
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ValueError(
            f"JSON backend {name!r} is not installed (pip install {name}); "
            "'json' (the standard library) is always available"
        ) from exc


# Keywords each fast library takes as the standard library does; any other keyword
# (or a value it cannot honour) sends the call to the standard library.
_UJSON_DUMPS = {"ensure_ascii", "sort_keys", "indent"}


def _fast_dumps(backend: str, module: Any) -> Callable[..., str]:
    std_dumps = _ORIGINAL["dumps"]
    if backend == "json":
        return std_dumps  # type: ignore[no-any-return]
    if backend == "ujson":

        def dumps(obj: Any, **kwargs: Any) -> str:
            if kwargs.keys() - _UJSON_DUMPS or kwargs.get("indent") not in (None, 0):
                return std_dumps(obj, **kwargs)  # type: ignore[no-any-return]
            try:
                # ujson escapes "/" by default; the standard library does not.
                return module.dumps(  # type: ignore[no-any-return]
                    obj,
                    ensure_ascii=kwargs.get("ensure_ascii", True),
                    sort_keys=kwargs.get("sort_keys", False),
                    escape_forward_slashes=False,
                )
            except (TypeError, OverflowError, ValueError):
                return std_dumps(obj, **kwargs)  # type: ignore[no-any-return]

        return dumps

    option_sort = module.OPT_SORT_KEYS
    option_indent = module.OPT_INDENT_2
    option_plain = module.OPT_NON_STR_KEYS

    def orjson_dumps(obj: Any, **kwargs: Any) -> str:
        # orjson always writes UTF-8 (ensure_ascii=False) and only indents by 2.
        unsupported = kwargs.keys() - {"sort_keys", "indent", "ensure_ascii"}
        if unsupported or kwargs.get("ensure_ascii", True) or kwargs.get("indent") not in (None, 2):
            return std_dumps(obj, **kwargs)  # type: ignore[no-any-return]
        option = option_plain
        if kwargs.get("sort_keys"):
            option |= option_sort
        if kwargs.get("indent") == 2:
            option |= option_indent
        try:
            return module.dumps(obj, option=option).decode()  # type: ignore[no-any-return]
        except (TypeError, module.JSONEncodeError):
            return std_dumps(obj, **kwargs)  # type: ignore[no-any-return]

    return orjson_dumps


def _fast_loads(backend: str, module: Any) -> Callable[..., Any]:
    std_loads: Callable[..., Any] = _ORIGINAL["loads"]
    if backend == "json":
        return std_loads

    # orjson reads integers beyond 64 bits as floats, silently: leave those documents to
    # the standard library (19+ digits may not fit in 64 bits).
    long_int_text = re.compile(r"\d{19,}").search if backend == "orjson" else None
    long_int_bytes = re.compile(rb"\d{19,}").search if backend == "orjson" else None

    def loads(s: str | bytes | bytearray, **kwargs: Any) -> Any:
        if kwargs:
            return std_loads(s, **kwargs)
        if long_int_text is not None and long_int_bytes is not None:
            search = long_int_text if isinstance(s, str) else long_int_bytes
            if search(s):  # type: ignore[arg-type]
                return std_loads(s)
        try:
            return module.loads(s)
        except (ValueError, TypeError, OverflowError):
            # NaN/Infinity, huge integers, lone surrogates...: the standard library
            # accepts some of these; let it decide (and raise its own error if not).
            return std_loads(s)

    return loads


class JSONProvider:
    """Serialize and parse JSON with one backend; used by JSON responses.

    :param backend: ``"json"``, ``"ujson"`` or ``"orjson"``.
    """

    def __init__(self, backend: str = "json", *, sort_keys: bool = False) -> None:
        self.backend = backend
        self.module = _load_backend(backend)
        self.sort_keys = sort_keys
        self._dumps = _fast_dumps(backend, self.module)
        self._loads = _fast_loads(backend, self.module)

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """Serialize ``obj`` to a JSON string."""
        if self.sort_keys:
            kwargs.setdefault("sort_keys", True)
        if self.backend == "orjson":
            kwargs.setdefault("ensure_ascii", False)
        return self._dumps(obj, **kwargs)

    def loads(self, s: str | bytes | bytearray, **kwargs: Any) -> Any:
        """Parse a JSON document."""
        return self._loads(s, **kwargs)

    def response(self, obj: Any, status: int | None = None) -> Any:
        """A JSON response for ``obj`` (``application/json``)."""
        from ctxcore.wrappers import Response

        return Response(self.dumps(obj) + "\n", status=status, mimetype="application/json")

    def __repr__(self) -> str:
        return f"<JSONProvider {self.backend}>"


_providers: dict[tuple[str, bool], JSONProvider] = {}


def get_provider(backend: str = "json", *, sort_keys: bool = False) -> JSONProvider:
    """Return the (shared) provider for ``backend``."""
    key = (backend, sort_keys)
    provider = _providers.get(key)
    if provider is None:
        provider = _providers[key] = JSONProvider(backend, sort_keys=sort_keys)
    return provider


_patched: list[str] = []


def patch(backend: str = "orjson") -> None:
    """Make the ``json`` module use ``backend`` where it can (see the module docstring).

    Patches ``json.dumps``, ``json.loads``, ``json.dump`` and ``json.load``; undo with
    :func:`unpatch`. Patching again switches backend.
    """
    module = _load_backend(backend)
    dumps = _fast_dumps(backend, module)
    loads = _fast_loads(backend, module)

    def dump(obj: Any, fp: Any, **kwargs: Any) -> None:
        fp.write(dumps(obj, **kwargs))

    def load(fp: Any, **kwargs: Any) -> Any:
        return loads(fp.read(), **kwargs)

    for name, func in (("dumps", dumps), ("loads", loads), ("dump", dump), ("load", load)):
        func.__doc__ = _ORIGINAL[name].__doc__
        setattr(_std, name, func)
    _patched[:] = [backend]


def unpatch() -> None:
    """Restore the standard library's ``json`` functions."""
    for name, func in _ORIGINAL.items():
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
