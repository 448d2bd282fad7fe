"""Which implementation this process uses, and the C one's share of the Python rules.

``_c`` (the C extension) wherever it was built and imports; ``_py`` otherwise (PyPy, an
install without a C compiler), or when ``CTXCORE_NO_EXTENSIONS`` is set to anything but
``""``/``"0"``. Loading ``_c`` hands it, through ``_c._init``, every rule both
implementations follow, from the Python module that defines it.
"""

from __future__ import annotations

import os
from functools import partial
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypeVar

from . import _py
from ._ident import describe
from ._local import MISSING, LocalMethods, new_local
from ._proxy import (
    OWN,
    PROXY_DOC,
    UNBOUND,
    UNBOUND_OWN,
    ProxyMethods,
    checked_message,
    data_model,
    make_lookup,
)
from ._stack import Marker, StackMethods, stack_slot
from ._storage import PUBLISHED, Storage

__all__ = [
    "ENV_VAR",
    "Implementation",
    "Local",
    "LocalProxy",
    "LocalStack",
    "implementation",
    "load_c",
]

T = TypeVar("T")

Implementation: TypeAlias = Literal["c", "py"]

#: Set to anything but ``""`` or ``"0"`` to use the pure-Python implementation.
ENV_VAR = "CTXCORE_NO_EXTENSIONS"


def _make_c(bind: Any, subclass: type[Any], slot: Any, tracker: Any, empty: Any) -> Any:
    return bind(subclass, slot.reach(), slot.set, tracker, empty, describe(slot.ident))


def _build_c(c: Any, kind: str, source: Any, names: tuple[str, ...], fallback: Any) -> Any:
    """The C lookups; a pure-Python stack's top is read by its own lookup."""
    if kind == "stack" and not isinstance(source, c.StackBase):
        return c.Lookup("call", _py._build(kind, source, (), None), names, fallback)
    return c.Lookup(kind, source, names, fallback)


def _proxy_parts(
    build: Any,
    local: Any,
    name: str | None = None,
    *,
    unbound_message: str | None = None,
    fallback: Any = None,
) -> tuple[Any, str, Any]:
    message = checked_message(local, name, unbound_message)
    return make_lookup(local, name, fallback, build), message, local


def load_c(**planted: Any) -> ModuleType | None:
    """Import ``_c`` and hand it the rules, or return ``None`` where it was not built.

    ``planted`` replaces rules on the C side only (tests show that the differential test
    notices); called again without it, the real rules come back.
    """
    try:
        from . import _c
    except ImportError:
        return None
    lookup = _c.ProxyBase.__dict__["_ctxcore_lookup"].__get__
    message = _c.ProxyBase.__dict__["_ctxcore_message"].__get__
    namespace = {"__slots__": (), "__module__": _c.__name__}
    proxy_namespace = namespace | {"__doc__": PROXY_DOC, **data_model(lookup, message, _c.target)}
    # What a class statement would record: makes LocalStack[T] and LocalProxy[T] generic.
    generic: Any = (ProxyMethods[T], StackMethods[T])  # type: ignore[valid-type]
    proxy_namespace["__orig_bases__"] = (_c.ProxyBase, generic[0])
    stack_namespace = namespace | {"__orig_bases__": (_c.StackBase, generic[1])}
    rules: dict[str, Any] = {
        "unbound": UNBOUND,
        "own": OWN,
        "unbound_own": UNBOUND_OWN,
        "storage": Storage,
        "marker": Marker,
        "published": PUBLISHED,
        "missing": MISSING,
        "build_local": partial(new_local, lambda *parts: {}, partial(_make_c, _c.make_local)),
        "stack_slot": stack_slot,
        "build_proxy": partial(_proxy_parts, partial(_build_c, _c)),
        "classes": {
            "Local": (LocalMethods, namespace | {"__doc__": _py.Local.__doc__}),
            "LocalStack": (StackMethods, stack_namespace | {"__doc__": _py.LocalStack.__doc__}),
            "LocalProxy": (ProxyMethods, proxy_namespace),
        },
    }
    _c._init(**(rules | planted))
    _c.Local._ctxcore_proxy = _c.LocalStack._ctxcore_proxy = _c.LocalProxy
    return _c


_C = None if os.environ.get(ENV_VAR, "").strip() not in ("", "0") else load_c()

if TYPE_CHECKING:
    # One static type for both: the C classes mirror the pure-Python API.
    from ._py import Local, LocalProxy, LocalStack
else:
    _in_use = _py if _C is None else _C
    Local, LocalStack, LocalProxy = _in_use.Local, _in_use.LocalStack, _in_use.LocalProxy


def implementation() -> Implementation:
    """Return ``"c"`` or ``"py"``: which module's Local, LocalStack and LocalProxy are in use."""
    return "py" if _C is None else "c"
