"""LocalStack's shared half: what a frame is, the slot, and every method but push/pop/top.

Each ident's stack is an immutable linked list of ``(item, below, marker)`` frames: a
push or pop replaces the current ident's frame and never touches one that a copied
context (a child task) still holds. ``_py.LocalStack`` and the C ``_c.LocalStack`` (which
is handed :class:`Marker` and :func:`stack_slot` at import) keep the same frames.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

from . import _dropped
from ._ident import IdentSpec, resolve_ident
from ._slots import Slot, make_slot

__all__ = ["Marker", "StackMethods", "stack_slot"]

T = TypeVar("T")


class Marker:
    """The third item of a stack's frames: says which stack they belong to (diagnostics
    find them by scanning the heap), and that a value is a frame at all."""

    __slots__ = ("__weakref__",)


_Marker = Marker


def _is_frame(value: Any) -> bool:
    """Whether ``value`` is what a LocalStack publishes: nothing, or a stack frame."""
    return value is None or (type(value) is tuple and len(value) == 3 and type(value[2]) is Marker)


def stack_slot(context_var: ContextVar[Any] | None = None, *, ident: IdentSpec = None) -> Slot:
    """The slot of a new LocalStack (the constructor's arguments, checked)."""
    if _dropped.pending:
        _dropped.let_go()
    return make_slot(resolve_ident(ident), None, context_var, owner="LocalStack", accepts=_is_frame)


class StackMethods(Generic[T]):
    """What both implementations of :class:`LocalStack` share: everything but the hot paths.

    They walk the current ident's frames through ``_get`` (``slot.get``), which each
    implementation provides.
    """

    __slots__ = ()

    _get: Callable[[Any], Any]
    _slot: Slot
    _marker: _Marker
    #: The proxy class of the same implementation (``stack("name")``).
    _ctxcore_proxy: Callable[..., Any]
    #: How a proxy reaches this source (see ``_proxy.make_lookup``).
    _ctxcore_proxy_kind = "stack"

    def __call__(self, name: str | None = None, *, unbound_message: str | None = None) -> Any:
        """Return a :class:`LocalProxy` to the top item, or to its attribute ``name``."""
        return type(self)._ctxcore_proxy(self, name, unbound_message=unbound_message)

    def __len__(self) -> int:
        """Return the depth of the current ident's stack."""
        depth = 0
        frame = self._get(None)
        while frame is not None:
            depth += 1
            frame = frame[1]
        return depth

    def __contains__(self, obj: object) -> bool:
        """Tell whether ``obj`` is on the current ident's stack (by identity)."""
        frame = self._get(None)
        while frame is not None:
            if frame[0] is obj:
                return True
            frame = frame[1]
        return False

    def items(self) -> list[T]:
        """Return the current ident's items, bottom first."""
        items: list[T] = []
        frame = self._get(None)
        while frame is not None:
            items.append(frame[0])
            frame = frame[1]
        items.reverse()
        return items

    def __release_local__(self) -> None:
        """Empty the current ident's stack."""
        if _dropped.pending:
            _dropped.let_go()
        self._slot.clear()

    def _ctxcore_proxy_describe(self, name: str | None) -> str:
        """Name what a proxy of the top (or its ``name``) stands for, for its unbound message."""
        attr = f" attribute {name!r}" if name else ""
        return f"the top of {self!r}{attr}"

    @property
    def ident(self) -> Any:
        """The ident source this stack follows."""
        return self._slot.ident

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.LocalStack ident={self._slot.ident!r} depth={len(self)}>"
