"""The compiled implementation: Local, LocalStack and LocalProxy on ``_speedups``.

Importing this module fails with ``ImportError`` when the C extension was not built;
``_impl.py`` then uses the pure-Python classes. Semantics are the pure-Python
implementation's, and so is most of the code: what runs on every request is in C,

* a Local's attribute read, and its write when the storage is this ident's alone;
* a LocalStack's ``push``, ``pop`` and ``top``;
* a LocalProxy's lookup of its current object and the attribute access through it,

and everything else is shared with the pure-Python modules: slots and storages, the
copy-on-write write hooks (which the C write path falls back to whenever it cannot
prove a storage unshared), release on garbage collection, repr and error messages, and
the proxy's data model, whose methods are the pure-Python ones rebound to this
module's C lookup (see :func:`_rebound`). Values are published in the same shapes
(a storage's bound ``__getitem__``, ``(item, below, marker)`` frames), so diagnostics
read both implementations alike.
"""

from __future__ import annotations

import sys
import types
import weakref
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

from . import _proxy, _speedups
from ._ident import IdentSpec, resolve_ident
from ._local import (
    NEEDS_A_NAME,
    LocalMethods,
    _is_storage_value,
    _missing,
    _released,
    storage_parts,
)
from ._proxy import UNBOUND, _checked_message, _hook
from ._slots import ContextSlot, GreenletSlot, KeyedSlot, Slot, ThreadSlot, make_slot
from ._stack import StackMethods, _is_frame, _Marker
from ._storage import Tracker

__all__ = ["Local", "LocalProxy", "LocalStack"]

T = TypeVar("T")

_bind_local = _speedups.LocalBase._ctxcore_bind
_bind_stack = _speedups.StackBase._ctxcore_bind
_bind_proxy = _speedups.ProxyBase._ctxcore_bind
Lookup = _speedups.Lookup


def _names(name: str | None) -> tuple[str, ...]:
    """A dotted attribute name as the parts the C lookup takes in turn."""
    return () if name is None else tuple(sys.intern(part) for part in name.split("."))


def _source(slot: Slot, empty: Any) -> dict[str, Any]:
    """How the C read path reaches the current ident's value for this slot."""
    if isinstance(slot, ContextSlot):
        return {"source": _speedups.SOURCE_CONTEXT, "var": slot.var}
    if isinstance(slot, GreenletSlot):
        return {
            "source": _speedups.SOURCE_GREENLET,
            "getcurrent": slot.getcurrent,
            "key": slot.key,
        }
    if isinstance(slot, ThreadSlot):
        # The slot keeps the value as attribute "value" of a thread-local object.
        return {"source": _speedups.SOURCE_THREAD, "holder": slot.local, "key": "value"}
    # Callable idents: the slot's own reader, a chain of C callables.
    return {"source": _speedups.SOURCE_READER, "reader": slot.reader(empty)}


class Local(_speedups.LocalBase, LocalMethods):
    """Attributes whose values belong to the current ident (compiled implementation).

    Same constructor, behaviour and errors as the pure-Python ``ctxcore.local.Local``;
    see its documentation.
    """

    __slots__ = ()

    def __new__(
        cls, context_var: ContextVar[Any] | None = None, *, ident: IdentSpec = None
    ) -> Local:
        slot = make_slot(resolve_ident(ident), None, context_var, accepts=_is_storage_value)
        tracker = None if isinstance(slot, KeyedSlot) else Tracker()
        new, empty, setter, deleter = storage_parts(slot, tracker)
        # A class per Local, as in the pure-Python implementation: it carries the slot,
        # tracker and storage class that the shared methods and diagnostics read.
        namespace: dict[str, Any] = {
            "__slots__": (),
            "__module__": cls.__module__,
            "__qualname__": cls.__qualname__,
            "_ctxcore_slot": slot,
            "_ctxcore_tracker": tracker,
            "_ctxcore_storage": new,
            "_ctxcore_empty": empty,
        }
        subclass: type[Local] = type(cls.__name__, (cls,), namespace)
        self: Local = _speedups.LocalBase.__new__(subclass)
        reached: dict[str, Any] = dict.fromkeys(("var", "getcurrent", "holder", "key", "reader"))
        reached.update(_source(slot, empty))
        _bind_local(
            self,
            **reached,
            empty=empty,
            setter=setter,
            deleter=deleter,
            missing=_missing,
        )
        owner = weakref.ref(self)
        subclass._ctxcore_owner = owner
        new._ctxcore_owner = owner
        if tracker is not None:
            weakref.finalize(self, _released, tracker, slot).atexit = False
        return self

    def __init__(
        self, context_var: ContextVar[Any] | None = None, *, ident: IdentSpec = None
    ) -> None:
        """Arguments are handled by ``__new__``."""

    def __call__(self, name: str, *, unbound_message: str | None = None) -> LocalProxy[Any]:
        """Return a :class:`LocalProxy` to attribute ``name`` of this Local."""
        return LocalProxy(self, name, unbound_message=unbound_message)

    def _ctxcore_proxy_lookup(self, name: str | None) -> Callable[[], Any]:
        """The proxy's lookup of attribute ``name``: ``getattr(self, name, UNBOUND)`` in C."""
        if name is None:
            raise TypeError(NEEDS_A_NAME)
        lookup: Callable[[], Any] = Lookup(_speedups.LOOKUP_LOCAL, self, _names(name))
        return lookup


class LocalStack(_speedups.StackBase, StackMethods[T], Generic[T]):
    """A stack whose contents belong to the current ident (compiled implementation).

    Same constructor and behaviour as the pure-Python ``ctxcore.local.LocalStack``:
    ``push``, ``pop`` and ``top`` run in C.
    """

    __slots__ = ()

    def __init__(
        self, context_var: ContextVar[Any] | None = None, *, ident: IdentSpec = None
    ) -> None:
        slot = make_slot(
            resolve_ident(ident), None, context_var, owner="LocalStack", accepts=_is_frame
        )
        var = slot.var if isinstance(slot, ContextSlot) else None
        if isinstance(slot, GreenletSlot):
            # Reads and in-place writes reach the greenlet's attribute straight from C.
            _bind_stack(self, slot, _Marker(), var, slot.getcurrent, slot.key)
        else:
            _bind_stack(self, slot, _Marker(), var)

    def __call__(
        self, name: str | None = None, *, unbound_message: str | None = None
    ) -> LocalProxy[Any]:
        """Return a :class:`LocalProxy` to the top item, or to its attribute ``name``."""
        return LocalProxy(self, name, unbound_message=unbound_message)

    def _ctxcore_proxy_lookup(self, name: str | None) -> Callable[[], Any]:
        """The proxy's lookup of the top item (or its attribute ``name``), in C."""
        lookup: Callable[[], Any] = Lookup(_speedups.LOOKUP_STACK, self, _names(name))
        return lookup


def _make_lookup(source: object, name: str | None) -> Any:
    """Build the C lookup for a proxy of ``source`` (and ``name``); see ``_proxy._make_lookup``."""
    hook = _hook(source, "_ctxcore_proxy_lookup")
    if hook is not None:
        built = hook(source, name)
        # A source of the other implementation (or a user's) gives a Python lookup.
        return built if isinstance(built, Lookup) else Lookup(_speedups.LOOKUP_CALL, built, ())
    if isinstance(source, ContextVar):
        return Lookup(_speedups.LOOKUP_VAR, source, _names(name))
    if callable(source):
        return Lookup(_speedups.LOOKUP_CALL, source, _names(name))
    raise TypeError(
        f"LocalProxy cannot proxy a {type(source).__name__}: give it a Local and a name, "
        "a LocalStack, a ContextVar or a callable returning the object"
    )


class LocalProxy(_speedups.ProxyBase, Generic[T]):
    __slots__ = ()
    __doc__ = _proxy.LocalProxy.__doc__

    def __init__(
        self,
        local: ContextVar[T] | _proxy.ProxySource | Callable[[], T],
        name: str | None = None,
        *,
        unbound_message: str | None = None,
    ) -> None:
        message = _checked_message(local, name, unbound_message)
        _bind_proxy(self, _make_lookup(local, name), message, local)


_message: Callable[[Any], str] = _speedups.ProxyBase.__dict__["_ctxcore_message"].__get__


def _unbound_attribute(proxy: LocalProxy[Any], name: str) -> Any:
    """Attribute access on an unbound proxy: answered as the pure-Python proxy does."""
    if name == "__class__":
        return LocalProxy
    if name == "__doc__":
        return LocalProxy.__doc__
    raise RuntimeError(_message(proxy))


def _rebound(func: Any, namespace: dict[str, Any]) -> Any:
    """The same function, resolving its globals in ``namespace``.

    The proxy's data model is written once, in ``_proxy.py``, against three helpers
    (``_lookup``, ``_message``, ``_target``); rebinding its methods to this module's C
    versions of them gives the compiled proxy the identical behaviour without a second
    copy of every operator.
    """
    rebound = types.FunctionType(
        func.__code__, namespace, func.__name__, func.__defaults__, func.__closure__
    )
    rebound.__kwdefaults__ = func.__kwdefaults__
    rebound.__qualname__ = func.__qualname__
    rebound.__doc__ = func.__doc__
    return rebound


def _adopt_data_model() -> None:
    namespace = dict(vars(_proxy))
    namespace.update(
        _lookup=_speedups.ProxyBase.__dict__["_ctxcore_lookup"].__get__,
        _message=_message,
        _target=_speedups.target,
        LocalProxy=LocalProxy,
    )
    namespace["_inplace"] = _rebound(_proxy._inplace, namespace)
    for name, member in vars(_proxy.LocalProxy).items():
        # __init__ is above; attribute reads are the C type's own (tp_getattro).
        if isinstance(member, types.FunctionType) and name not in {"__init__", "__getattribute__"}:
            setattr(LocalProxy, name, _rebound(member, namespace))


_adopt_data_model()
_speedups.configure(UNBOUND, _unbound_attribute, _proxy._OWN)
