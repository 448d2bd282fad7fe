"""Type stubs for the C extension ``ctxcore.local._c`` (see ``_c.c``)."""

from collections.abc import Callable
from typing import Any

from ._py import Local as Local
from ._py import LocalProxy as LocalProxy
from ._py import LocalStack as LocalStack

class LocalBase:
    """The C read and write paths of ctxcore's Local."""

class StackBase:
    """The C push, pop and top of ctxcore's LocalStack."""

class ProxyBase:
    """The C attribute path of ctxcore's LocalProxy."""

class Lookup:
    """``Lookup(kind, source, names, fallback=None)()``: a proxy's object, or UNBOUND."""

    def __init__(
        self, kind: str, source: Any, names: tuple[str, ...], fallback: Any = None
    ) -> None: ...
    def __call__(self) -> Any: ...

def _init(**rules: Any) -> None: ...
def make_local(
    subclass: type[Any],
    reach: tuple[str, Any, Any],
    set: Callable[[Any], object],
    tracker: Any,
    empty: Any,
    where: str,
    /,
) -> Any: ...
def target(proxy: Any, /) -> Any: ...
