"""The JSON libraries behind providers and the patch, and the calls each can honour.

NaN and infinities are where the fast libraries part from the standard library, which
writes ``NaN``, ``Infinity`` and ``-Infinity`` (and raises ``ValueError`` for them
when ``allow_nan=False``). orjson writes each as ``null``, silently, as a value and as
a key. ujson writes them as the standard library does as values, but as ``"nan"``,
``"inf"`` and ``"-inf"`` as keys, even with ``allow_nan=False``. Neither gets a say:
a document that holds one is handed to the standard library. Finding out must not
cost what it saves (:func:`hides_non_finite`): the document is searched in C
(``_c.c``: about 1 us for a 2 KB document, what searching the output text for a
``null`` costs alone). Where the extension was not built or ``CTXCORE_NO_EXTENSIONS`` is
set, the search is in Python (:func:`py_has_non_finite`, the reference, as slow as the
standard library's dumps), so it runs only when the fast output shows a trace: a
``null`` from orjson, ``nan"`` or ``inf"`` from ujson.
"""

from __future__ import annotations

import importlib
import json as _std
import math
import re
from collections.abc import Callable
from typing import Any, Literal

__all__ = [
    "BACKENDS",
    "ORIGINAL",
    "ORJSON_TRACES",
    "UJSON_TRACES",
    "fast_dumps",
    "fast_loads",
    "has_non_finite",
    "hides_non_finite",
    "load_backend",
    "non_finite_checks",
    "orjson_encode",
    "orjson_options",
    "py_has_non_finite",
]

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


def py_has_non_finite(obj: Any) -> bool:
    """Whether ``obj`` (a JSON-like value, acyclic) holds a NaN or an infinity anywhere:
    in dict keys or values, list or tuple items, at any depth."""
    pending = [obj]
    while pending:
        item = pending.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return False


def non_finite_checks() -> dict[Literal["c", "py"], Callable[[Any], bool]]:
    """Each implementation of :func:`has_non_finite` available here, by name (tests run
    both); ``"c"`` when the extension was built, whatever the environment says."""
    checks: dict[Literal["c", "py"], Callable[[Any], bool]] = {"py": py_has_non_finite}
    try:
        from ._c import has_non_finite as compiled
    except ImportError:
        return checks
    checks["c"] = compiled
    return checks


def _chosen() -> Callable[[Any], bool]:
    # One switch for every extension: what keeps the compiled Local out of this process
    # (CTXCORE_NO_EXTENSIONS, or no extension built) keeps this check out too.
    from ctxcore.local import implementation

    if implementation() != "c":
        return py_has_non_finite
    return non_finite_checks().get("c", py_has_non_finite)


#: Whether a JSON-like value holds a NaN or an infinity (the C walk where it was built).
has_non_finite: Callable[[Any], bool] = _chosen()
# Only the Python walk costs more than looking for its traces in the output first.
_TRACES_FIRST = has_non_finite is py_has_non_finite
#: What a NaN or infinity written otherwise than the standard library writes it leaves
#: in each library's output: orjson writes null; ujson writes "nan", "inf", "-inf" keys.
ORJSON_TRACES = (b"null",)
UJSON_TRACES = ('nan"', 'inf"')


def hides_non_finite(out: Any, obj: Any, traces: tuple[Any, ...]) -> bool:
    """Whether ``out``, a fast library's document of ``obj``, may differ from the
    standard library's for a NaN or an infinity (``traces``: what such a one leaves)."""
    if _TRACES_FIRST and not any(trace in out for trace in traces):
        return False
    return has_non_finite(obj)


# Keywords each fast library takes as the standard library does; any other keyword
# (or a value it cannot honour) sends the call to the standard library.
_UJSON_DUMPS = {"ensure_ascii", "sort_keys", "indent", "allow_nan"}
_ORJSON_DUMPS = {"ensure_ascii", "sort_keys", "indent", "allow_nan"}


def fast_dumps(backend: str, module: Any) -> Callable[..., str]:
    """``json.dumps`` through ``backend`` where it writes what the standard library
    writes (up to whitespace), and the standard library's own ``dumps`` otherwise."""
    std_dumps = ORIGINAL["dumps"]
    if backend == "json":
        return std_dumps  # type: ignore[no-any-return]
    if backend == "ujson":
        return _ujson_dumps(module, std_dumps)
    return _orjson_dumps(module, std_dumps)


def _ujson_dumps(module: Any, std_dumps: Callable[..., str]) -> Callable[..., str]:
    def dumps(obj: Any, **kwargs: Any) -> str:
        if kwargs.keys() - _UJSON_DUMPS or kwargs.get("indent") not in (None, 0):
            return std_dumps(obj, **kwargs)
        try:
            # ujson escapes "/" by default; the standard library does not.
            out: str = module.dumps(
                obj,
                ensure_ascii=kwargs.get("ensure_ascii", True),
                sort_keys=kwargs.get("sort_keys", False),
                allow_nan=kwargs.get("allow_nan", True),
                escape_forward_slashes=False,
            )
        except (TypeError, OverflowError, ValueError):
            # Not serializable, beyond 64 bits, or a NaN with allow_nan=False: the
            # standard library's answer (or its own error).
            return std_dumps(obj, **kwargs)
        if hides_non_finite(out, obj, UJSON_TRACES):
            return std_dumps(obj, **kwargs)  # a NaN or infinity key (module docstring)
        return out

    return dumps


def orjson_options(module: Any) -> int:
    """The options every orjson call here starts from: dates, datetimes and dataclasses
    are handed back (to ``default``, or to the standard library, which refuses them
    unless told how), never written in orjson's own formats."""
    return int(module.OPT_PASSTHROUGH_DATETIME | module.OPT_PASSTHROUGH_DATACLASS)


def orjson_encode(module: Any, obj: Any, option: int) -> bytes | None:
    """orjson's document of ``obj``, or ``None`` when orjson cannot write it as the
    standard library would (then the standard library must)."""
    try:
        out: bytes = module.dumps(obj, option=option)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        # Perhaps keys that are not str: orjson writes int, float, bool and None keys
        # as the standard library does only when asked, and is slower then (so it is
        # asked on a second try). Sorted, they would come in another order: 10 before 2.
        if option & module.OPT_SORT_KEYS:
            return None
        try:
            out = module.dumps(obj, option=option | module.OPT_NON_STR_KEYS)
        except TypeError:
            return None
    return None if hides_non_finite(out, obj, ORJSON_TRACES) else out


def _orjson_dumps(module: Any, std_dumps: Callable[..., str]) -> Callable[..., str]:
    base = orjson_options(module)
    options = {
        (sort_keys, indent): base
        | (module.OPT_SORT_KEYS if sort_keys else 0)
        | (module.OPT_INDENT_2 if indent else 0)
        for sort_keys in (False, True)
        for indent in (False, True)
    }

    def dumps(obj: Any, **kwargs: Any) -> str:
        # orjson always writes UTF-8 (ensure_ascii=False) and only indents by 2.
        indent = kwargs.get("indent")
        ascii_only = kwargs.get("ensure_ascii", True)
        if ascii_only or indent not in (None, 2) or kwargs.keys() - _ORJSON_DUMPS:
            return std_dumps(obj, **kwargs)
        out = orjson_encode(module, obj, options[bool(kwargs.get("sort_keys")), indent == 2])
        # None: not serializable, or a NaN or infinity orjson would write as null.
        return std_dumps(obj, **kwargs) if out is None else out.decode()

    return dumps


def fast_loads(backend: str, module: Any) -> Callable[..., Any]:
    """``json.loads`` through ``backend``, with the standard library's answers where the
    fast parser would read a document differently."""
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
