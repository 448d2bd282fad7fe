"""Which implementation of Local, LocalStack and LocalProxy this process uses.

The compiled one (``_compiled.py`` on the ``_speedups`` C extension) wherever the
extension was built and imports; the pure-Python one otherwise (PyPy, an install
without a C compiler), or when ``CTXCORE_NO_EXTENSIONS`` is set to anything but
``""``/``"0"``. The choice is made once, at import; both stay importable for tests and
benchmarks (:func:`implementations`).
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeAlias

from . import _local, _proxy, _stack

__all__ = [
    "ENV_VAR",
    "Classes",
    "Implementation",
    "Local",
    "LocalProxy",
    "LocalStack",
    "compiled_module",
    "implementation",
    "implementations",
]

Implementation: TypeAlias = Literal["compiled", "python"]

#: Set to anything but ``""`` or ``"0"`` to use the pure-Python implementation.
ENV_VAR = "CTXCORE_NO_EXTENSIONS"


def _disabled() -> bool:
    return os.environ.get(ENV_VAR, "").strip() not in ("", "0")


def compiled_module() -> ModuleType | None:
    """Return ``ctxcore.local._compiled`` if the C extension imports, else ``None``.

    Ignores ``CTXCORE_NO_EXTENSIONS``: it tells whether the extension *could* be used.
    """
    try:
        from . import _compiled
    except ImportError:
        return None
    return _compiled


_COMPILED = None if _disabled() else compiled_module()

if TYPE_CHECKING:
    # One static type for both: the compiled classes mirror the pure-Python API.
    from ._local import Local
    from ._proxy import LocalProxy
    from ._stack import LocalStack
elif _COMPILED is not None:
    Local = _COMPILED.Local
    LocalProxy = _COMPILED.LocalProxy
    LocalStack = _COMPILED.LocalStack
else:
    Local = _local.Local
    LocalProxy = _proxy.LocalProxy
    LocalStack = _stack.LocalStack


def implementation() -> Implementation:
    """Return ``"compiled"`` or ``"python"``: which Local, LocalStack and LocalProxy are in use."""
    return "python" if _COMPILED is None else "compiled"


class Classes(NamedTuple):
    """One implementation's classes."""

    Local: type[Any]
    LocalStack: type[Any]
    LocalProxy: type[Any]


def implementations() -> dict[Implementation, Classes]:
    """Return each implementation available here, by name.

    ``"python"`` is always there; ``"compiled"`` when the extension was built (even if
    ``CTXCORE_NO_EXTENSIONS`` keeps this process on the pure-Python one).
    """
    found = {"python": Classes(_local.Local, _stack.LocalStack, _proxy.LocalProxy)}
    compiled = compiled_module()
    if compiled is not None:
        found["compiled"] = Classes(compiled.Local, compiled.LocalStack, compiled.LocalProxy)
    return found  # type: ignore[return-value]
