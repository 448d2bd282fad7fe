"""The JSON libraries behind providers and the patch, and the calls each can honour."""

from __future__ import annotations

import importlib
import json as _std
import math
import re
from collections.abc import Callable
from typing import Any

__all__ = ["BACKENDS", "ORIGINAL", "fast_dumps", "fast_loads", "has_non_finite", "load_backend"]

ORIGINAL = {name: getattr(_std, name) for name in ("dumps", "loads", "dump", "load")}
BACKENDS = ("json", "ujson", "orjson")


def load_backend(name: str) -> Any:
    if name not in BACKENDS:
        raise ValueError(f"unknown JSON backend {name!r}: choose one of {', '.join(BACKENDS)}")
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


def fast_dumps(backend: str, module: Any) -> Callable[..., str]:
    std_dumps = ORIGINAL["dumps"]
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
            out: bytes = module.dumps(obj, option=option)
        except (TypeError, module.JSONEncodeError):
            return std_dumps(obj, **kwargs)  # type: ignore[no-any-return]
        # orjson writes NaN and infinities as null, silently; the standard library
        # writes NaN/Infinity, which load back as the same floats. Only a document with
        # a null can hide one, so only then is the value searched.
        if b"null" in out and has_non_finite(obj):
            return std_dumps(obj, **kwargs)  # type: ignore[no-any-return]
        return out.decode()

    return orjson_dumps


def has_non_finite(obj: Any) -> bool:
    """Whether ``obj`` (a JSON-like value) holds a NaN or an infinity anywhere."""
    pending = [obj]
    while pending:
        item = pending.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return False


def fast_loads(backend: str, module: Any) -> Callable[..., Any]:
    std_loads: Callable[..., Any] = ORIGINAL["loads"]
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
