"""LocalStack: a stack per ident, for contexts pushed on top of each other."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

from ._ident import IdentSpec, resolve_ident
from ._proxy import UNBOUND, LocalProxy, then_attribute
from ._slots import Slot, make_slot

__all__ = ["LocalStack", "StackMethods"]

T = TypeVar("T")


class _Marker:
    """Identifies a stack's frames (for diagnostics, which find them by scanning the heap)."""

    __slots__ = ("__weakref__",)


def _is_frame(value: Any) -> bool:
    """Whether ``value`` is what a LocalStack publishes: nothing, or a stack frame."""
    return value is None or (
        type(value) is tuple and len(value) == 3 and isinstance(value[2], _Marker)
    )


class StackMethods(Generic[T]):
    """What both implementations of :class:`LocalStack` share: everything but the hot paths.

    They walk the current ident's frames through ``_get`` (``slot.get``), which each
    implementation provides.
    """

    __slots__ = ()

    _get: Callable[[Any], Any]
    _slot: Slot
    _marker: _Marker

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


class LocalStack(StackMethods[T]):
    """A stack whose contents belong to the current ident.

    Drop-in for ``werkzeug.local.LocalStack``: :meth:`push`, :meth:`pop`, :attr:`top`,
    and ``stack()`` / ``stack("name")`` for a :class:`LocalProxy` to the top item.

    :param context_var: the ``ContextVar`` to keep the stack in (``ident="context"``
        only); one is created when omitted.
    :param ident: what the stack is scoped to; see :class:`ctxcore.Local`.

    Each ident's stack is an immutable linked list of ``(item, below, marker)`` frames:
    a push or pop replaces the current ident's frame and never touches one that a
    copied context (a child task) still holds, so pushing in a child never changes the
    parent's stack.
    """

    __slots__ = ("__weakref__", "_get", "_marker", "_set", "_slot")

    def __init__(
        self, context_var: ContextVar[Any] | None = None, *, ident: IdentSpec = None
    ) -> None:
        slot = make_slot(
            resolve_ident(ident), None, context_var, owner="LocalStack", accepts=_is_frame
        )
        self._slot: Slot = slot
        # Bound C callables kept on the instance: push/pop are one call each into them.
        self._get = slot.get
        self._set = slot.set
        self._marker = _Marker()

    def push(self, obj: T) -> None:
        """Push ``obj`` onto the current ident's stack."""
        self._set((obj, self._get(None), self._marker))

    def pop(self) -> T | None:
        """Remove and return the top item, or return ``None`` if the stack is empty."""
        frame = self._get(None)
        if frame is None:
            return None
        self._set(frame[1])
        top: T = frame[0]
        return top

    @property
    def top(self) -> T | None:
        """The top item, or ``None`` if the stack is empty."""
        frame = self._get(None)
        if frame is None:
            return None
        top: T = frame[0]
        return top

    def __call__(
        self, name: str | None = None, *, unbound_message: str | None = None
    ) -> LocalProxy[Any]:
        """Return a :class:`LocalProxy` to the top item, or to its attribute ``name``."""
        return LocalProxy(self, name, unbound_message=unbound_message)

    def _ctxcore_proxy_lookup(self, name: str | None) -> Callable[[], Any]:
        """The proxy's lookup of the top item (see :class:`ctxcore.local.ProxySource`)."""
        get = self._get

        def top() -> Any:
            frame = get(None)
            return UNBOUND if frame is None else frame[0]

        return top if name is None else then_attribute(top, name)
