"""The pure-Python implementation: Local, LocalStack and LocalProxy's hot paths.

Everything else is shared with the C implementation (``_local.py``, ``_stack.py``,
``_proxy.py``). README.md in this folder explains the read path (C callables behind a
descriptor), the write path and its one reference-count test, and copy-on-write.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Callable
from contextvars import ContextVar
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._ident import IdentSpec
from ._local import LocalMethods, _fallback, missing, new_local
from ._proxy import (
    OWN,
    PROXY_DOC,
    UNBOUND,
    UNBOUND_OWN,
    ProxyMethods,
    checked_message,
    data_model,
    make_lookup,
    then_attribute,
)
from ._slots import ContextSlot, Slot, ThreadSlot
from ._stack import Marker, StackMethods, stack_slot
from ._storage import PUBLISHED, Storage, Tracker

__all__ = ["Local", "LocalProxy", "LocalStack"]

T = TypeVar("T")

# Without reference counts (not CPython) a replaced storage is never reused.
getrefcount: Callable[[Any], int] = getattr(sys, "getrefcount", lambda obj: -1)


def _sole_reference_count() -> int:
    """What ``sys.getrefcount`` reports for a storage held by one local variable only
    (interpreters differ on whether the call's own argument counts)."""
    probe = Storage()
    return getrefcount(probe)


#: A storage this context alone holds: the write path's local variable, plus PUBLISHED.
OWNED = _sole_reference_count() + PUBLISHED


def _classmethod_wraps_descriptors() -> bool:
    """Tell whether ``classmethod(property(f))`` binds to ``f(cls)`` (Python 3.9-3.12)."""
    chained: Any = property(lambda cls: "chained")

    class Probe:
        value: Any = classmethod(chained)

    try:
        return bool(Probe().value == "chained")
    except Exception:  # pragma: no cover - depends on the interpreter
        return False


#: Whether reads can use the classmethod/property binding (README.md, "Read path").
CHAINED_CLASSMETHOD = _classmethod_wraps_descriptors()


def _unset(cls: type[Local], name: str) -> Any:
    # classmethod(property(get)) returned the class: nothing stored for this ident.
    return _fallback(cls._ctxcore_owner(), name)


def _copy_of(storage: Storage, tracker: Tracker) -> Storage:
    copied = type(storage)()
    copied.update(storage)
    tracker.refs.append(weakref.ref(copied))
    if len(tracker.refs) > tracker.cap:
        tracker.prune()
    return copied


def _copy_on_write_hooks(slot: Slot, tracker: Tracker, empty: Any) -> tuple[Any, Any]:
    """``__setattr__``/``__delattr__`` for contexts: never mutate a storage another sees
    (the rules are in README.md, "Write path")."""

    # Names bound as defaults (fast local loads): this is the hot write path.
    def __setattr__(
        self: Local,
        name: str,
        value: Any,
        get: Callable[[Any], Any] = slot.get,
        put: Callable[[Any], Any] = slot.set,
        empty: Any = empty,
        nothing: Storage = empty.__self__,
        refcount: Callable[[Any], int] = getrefcount,
        owned: int = OWNED,
    ) -> None:
        storage = get(empty).__self__
        if storage is not nothing:
            put(storage.__getitem__)
            if refcount(storage) == owned:
                storage[name] = value
                return
        storage = _copy_of(storage, tracker)
        storage[name] = value
        put(storage.__getitem__)

    def __delattr__(self: Local, name: str) -> None:
        storage = slot.get(empty).__self__
        if name not in storage:
            raise missing(self, name)
        slot.set(storage.__getitem__)
        if getrefcount(storage) != OWNED:
            storage = _copy_of(storage, tracker)
            slot.set(storage.__getitem__)
        del storage[name]

    return __setattr__, __delattr__


def _in_place_hooks(slot: Slot, tracker: Tracker | None, empty: Any) -> tuple[Any, Any]:
    """``__setattr__``/``__delattr__`` for threads, greenlets and callables: nothing copies
    their values, so each ident owns one storage and writes go straight into it."""
    get = slot.get

    def __setattr__(self: Local, name: str, value: Any, empty: Any = empty) -> None:
        current = get(empty)
        if current is empty:
            storage = type(empty.__self__)()
            slot.set(storage.__getitem__)
            if tracker is not None:
                tracker.refs.append(weakref.ref(storage))
            storage[name] = value
        else:
            current.__self__[name] = value

    def __delattr__(self: Local, name: str) -> None:
        storage = get(empty).__self__
        if name not in storage:
            raise missing(self, name)
        del storage[name]

    return __setattr__, __delattr__


def _namespace(slot: Slot, tracker: Tracker | None, empty: Any) -> dict[str, Any]:
    """The pure-Python Local's hooks: read through C callables, write in Python."""
    if isinstance(slot, ContextSlot):
        assert tracker is not None
        hooks = _copy_on_write_hooks(slot, tracker, empty)
    else:
        hooks = _in_place_hooks(slot, tracker, empty)
    namespace: dict[str, Any] = dict(zip(("__setattr__", "__delattr__"), hooks, strict=True))
    if CHAINED_CLASSMETHOD and isinstance(slot, ContextSlot | ThreadSlot):
        namespace["__getattribute__"] = classmethod(property(slot.get))  # type: ignore[arg-type]
        namespace["__new__"] = _unset
    else:
        namespace["__getattribute__"] = property(slot.reader(empty))
    return namespace


class Local(LocalMethods):
    """Attributes whose values belong to the current ident.

    Drop-in for ``werkzeug.local.Local``: set, read and delete attributes; iterate over
    ``(name, value)`` pairs; ``local("name")`` returns a :class:`LocalProxy`.

    :param context_var: the ``ContextVar`` to keep values in (``ident="context"`` only);
        one is created when omitted.
    :param ident: what a value is scoped to: ``"context"``, ``"thread"``, ``"greenlet"``
        or a callable returning a hashable ident; ``None`` uses the process-wide default
        (:func:`ctxcore.set_default_ident`).

    Reading a name that was never set for the current ident raises ``AttributeError``.
    Under ``"context"``, a copied context (a child task) starts with the values current
    at the copy, and nothing it sets reaches its parent. Class attributes of a subclass
    act as defaults. Each Local builds a small class of its own, so create Locals once
    (at module level), not per request.
    """

    __slots__ = ("__weakref__",)

    def __new__(
        cls, context_var: ContextVar[Any] | None = None, *, ident: IdentSpec = None
    ) -> Local:
        local: Local = new_local(_namespace, _make, cls, context_var, ident=ident)
        return local

    def __init__(
        self, context_var: ContextVar[Any] | None = None, *, ident: IdentSpec = None
    ) -> None:
        """Arguments are handled by ``__new__``."""

    if TYPE_CHECKING:

        def __getattr__(self, name: str) -> Any: ...


def _make(subclass: type[Local], *parts: Any) -> Local:
    return object.__new__(subclass)


class LocalStack(StackMethods[T]):
    """A stack whose contents belong to the current ident.

    Drop-in for ``werkzeug.local.LocalStack``: :meth:`push`, :meth:`pop`, :attr:`top`,
    and ``stack()`` / ``stack("name")`` for a :class:`LocalProxy` to the top item.

    :param context_var: the ``ContextVar`` to keep the stack in (``ident="context"``
        only); one is created when omitted.
    :param ident: what the stack is scoped to; see :class:`ctxcore.Local`.

    Pushing in a child task never changes the parent's stack (frames are immutable).
    """

    __slots__ = ("__weakref__", "_get", "_marker", "_set", "_slot")

    def __init__(
        self, context_var: ContextVar[Any] | None = None, *, ident: IdentSpec = None
    ) -> None:
        slot = stack_slot(context_var, ident=ident)
        self._slot: Slot = slot
        # Bound C callables kept on the instance: push/pop are one call each into them.
        self._get = slot.get
        self._set = slot.set
        self._marker = Marker()

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


def _build(kind: str, source: Any, names: tuple[str, ...], fallback: Any) -> Any:
    """The pure-Python lookups (see ``_proxy.make_lookup``)."""
    if kind == "local":
        # All C for a plain name: getattr(local, first, UNBOUND) through the read path.
        head: Callable[[], Any] = partial(getattr, source, names[0], UNBOUND)
        names = names[1:]
    elif kind == "stack":
        get = source._get

        def head() -> Any:
            frame = get(None)
            return UNBOUND if frame is None else frame[0]

    else:
        head = partial(source.get, UNBOUND) if kind == "var" else source
    return then_attribute(head, names, fallback)


class _ProxySlots:
    __slots__ = ("__weakref__", "__wrapped__", "_ctxcore_lookup", "_ctxcore_message")


# The slots' member descriptors, called directly: reading a slot through the proxy's own
# __getattribute__ would forward it to the target.
_lookup: Callable[[Any], Callable[[], Any]] = _ProxySlots.__dict__["_ctxcore_lookup"].__get__
_message: Callable[[Any], str] = _ProxySlots.__dict__["_ctxcore_message"].__get__


def _target(proxy: Any) -> Any:
    obj = _lookup(proxy)()
    if obj is UNBOUND:
        raise RuntimeError(_message(proxy))
    return obj


class LocalProxy(_ProxySlots, ProxyMethods[T], Generic[T]):
    __slots__ = ()
    __doc__ = PROXY_DOC

    def __init__(
        self,
        local: ContextVar[T] | Callable[[], T] | Any,
        name: str | None = None,
        *,
        unbound_message: str | None = None,
        fallback: Callable[[], Any] | None = None,
    ) -> None:
        message = checked_message(local, name, unbound_message)
        object.__setattr__(self, "_ctxcore_lookup", make_lookup(local, name, fallback, _build))
        object.__setattr__(self, "_ctxcore_message", message)
        object.__setattr__(self, "__wrapped__", local)

    def __getattribute__(self, name: str) -> Any:
        if name in OWN:
            return object.__getattribute__(self, name)
        obj = _lookup(self)()
        if obj is UNBOUND:
            if name in UNBOUND_OWN:
                return object.__getattribute__(self, name)
            raise RuntimeError(_message(self))
        return getattr(obj, name)

    if TYPE_CHECKING:

        def _get_current_object(self) -> T: ...
        def __getattr__(self, name: str) -> Any: ...


for _name, _method in data_model(_lookup, _message, _target).items():
    setattr(LocalProxy, _name, _method)
del _name, _method
Local._ctxcore_proxy = LocalStack._ctxcore_proxy = LocalProxy
