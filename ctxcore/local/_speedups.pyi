"""Type stubs for the C extension ``ctxcore.local._speedups`` (see ``_speedups.c``)."""

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

SOURCE_CONTEXT: int
SOURCE_GREENLET: int
SOURCE_THREAD: int
SOURCE_READER: int
LOOKUP_CALL: int
LOOKUP_VAR: int
LOOKUP_LOCAL: int
LOOKUP_STACK: int

class LocalBase:
    """The C read and write paths of the compiled Local."""

    def _ctxcore_bind(
        self,
        *,
        source: int,
        var: ContextVar[Any] | None,
        getcurrent: Callable[[], Any] | None,
        holder: object | None,
        key: str | None,
        reader: Callable[[Any], Any] | None,
        empty: Any,
        setter: Callable[[Any, str, Any], None],
        deleter: Callable[[Any, str], None],
        missing: Callable[[Any, str], BaseException],
    ) -> None: ...

class StackBase:
    """The C push, pop and top of the compiled LocalStack."""

    _get: Callable[[Any], Any]
    _set: Callable[[Any], object]
    _slot: Any
    _marker: Any
    @property
    def top(self) -> Any: ...
    def push(self, obj: Any, /) -> None: ...
    def pop(self) -> Any: ...
    def _ctxcore_bind(
        self,
        slot: Any,
        marker: Any,
        var: ContextVar[Any] | None,
        getcurrent: Any = None,
        key: str | None = None,
        /,
    ) -> None: ...

class Lookup:
    """``Lookup(kind, source, names)()``: a proxy's current object, or UNBOUND."""

    def __init__(self, kind: int, source: Any, names: tuple[str, ...]) -> None: ...
    def __call__(self) -> Any: ...

class ProxyBase:
    """The C attribute path of the compiled LocalProxy."""

    _ctxcore_lookup: Lookup
    _ctxcore_message: str
    __wrapped__: Any
    def _ctxcore_bind(self, lookup: Lookup, message: str, wrapped: Any, /) -> None: ...

def configure(
    unbound: Any, unbound_attr: Callable[[Any, str], Any], own_names: frozenset[str], /
) -> None: ...
def target(proxy: ProxyBase, /) -> Any: ...
