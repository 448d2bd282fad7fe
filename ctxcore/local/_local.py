"""Local: attribute storage scoped to the current ident (context, thread, greenlet, ...).

How a read stays at ``threading.local`` speed
---------------------------------------------
Every Local gets its own subclass whose ``__getattribute__`` reaches the stored value
through C callables only:

* the current ident's attributes live in a storage (a dict), published through the
  slot as its bound ``__getitem__`` (call it ``R``);
* ``local.name`` calls ``__getattribute__``; when that attribute is a descriptor, the
  interpreter binds it and then calls the result with ``name``. On Python <= 3.12 it is
  ``classmethod(property(slot.get))``: binding runs ``slot.get(cls)`` (``ContextVar.get``
  with the class as the default), then ``R(name)`` is a dict lookup. With nothing stored
  the class itself comes back, and ``cls(name)`` lands in ``__new__``;
* elsewhere it is ``property(slot.reader(empty))``: a ``next()`` over ``starmap`` that
  ignores the instance and returns the current ``R`` or the empty storage's.

A miss (``__missing__`` or ``__new__``) is the only Python frame: it resolves class
attributes (methods, dunders) or raises ``AttributeError`` naming the ident source.
No ``__getattr__`` is defined, which keeps the interpreter on its quicker hook.

Why ``__new__`` is the read-miss path
-------------------------------------
On the classmethod route a miss is not an exception but a value: ``slot.get(cls)``
returns its default, the per-Local class, and the interpreter then calls it with the
name. Calling a class runs its ``__new__``, so the per-Local class's ``__new__`` *is*
the miss handler (``_unset``): it never builds an instance. That is why the base
class's ``__new__`` creates the one instance with ``object.__new__(subclass)``; on
that route, calling ``type(local)(...)`` reads a name instead of making a second Local.

Writes under ``"context"``: the rules
-------------------------------------
Under ``"context"`` a published storage is never mutated while another context can see
it: a child task or a copied context keeps the values it saw at the copy. Copying on
every write would cost a dict copy per ``local.x = ...``, so a write changes the storage
in place when this context is provably its only user, and copies it otherwise. The
proof is a reference count, and it holds only under these rules (``_copy_on_write_hooks``):

1. *What is counted.* A context does not reference the storage directly: its variable
   holds ``R``, a bound method, and every copy of the context shares that same ``R``
   object. ``R`` holds the storage once however many contexts share it, so counting the
   storage's references as they stand cannot tell "only here" from "here and in ten
   copies".
2. *Republish first.* So the write first publishes a new bound method (``put(
   storage.__getitem__)``) in this context. If no copy holds the old ``R``, it dies on
   the spot; if one does, it keeps a second reference to the storage alive.
3. *Owned means exactly two references:* the hook's local variable ``storage`` and the
   bound method just published. ``owned`` is measured at import (``_SOLE``, what
   ``sys.getrefcount`` reports for an object one local holds: interpreters differ on
   whether the call's own argument counts) plus one for the published method. One more
   reference means another context, or some other holder, can see the storage: copy.
4. *No other strong reference in the hook's frame.* The hook keeps only ``storage``:
   the old bound method is used in an expression (``get(empty).__self__``) and dropped
   at once, and the ``Token`` that ``ContextVar.set`` returns is discarded, not stored
   (a token holds the old value, hence the old ``R``). Keeping either in a local would
   make every write look shared; a stray reference elsewhere only costs a copy, never
   correctness, because the rule errs towards copying.
5. *The empty storage is never written.* ``nothing`` (the storage behind ``empty``) is
   shared by every context that never wrote: a write there always makes a new storage.

Without reference counts (not CPython) ``getrefcount`` is a stand-in that never
matches, so every write copies. Deletes follow the same rules.

Threads, greenlets and callable idents are never copied, so their storage is written
in place. Storages are tracked weakly, so a dropped Local empties those other contexts
still hold.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

from ._bodies import ClosingBody
from ._ident import IdentSpec, describe, resolve_ident
from ._proxy import UNBOUND, LocalProxy, then_attribute
from ._slots import ContextSlot, KeyedSlot, Slot, ThreadSlot, make_slot
from ._storage import Storage, Tracker, storage_class

__all__ = ["Local", "LocalManager", "LocalMethods", "release_local"]

# Without reference counts (not CPython) a replaced storage is never reused.
getrefcount: Callable[[Any], int] = getattr(sys, "getrefcount", lambda obj: -1)


def _classmethod_wraps_descriptors() -> bool:
    """Tell whether ``classmethod(property(f))`` binds to ``f(cls)`` (Python 3.9-3.12)."""
    chained: Any = property(lambda cls: "chained")

    class Probe:
        value: Any = classmethod(chained)

    try:
        return bool(Probe().value == "chained")
    except Exception:  # pragma: no cover - depends on the interpreter
        return False


#: Whether reads can use the classmethod/property binding (see the module docstring).
CHAINED_CLASSMETHOD = _classmethod_wraps_descriptors()


def _fallback(local: LocalMethods | None, name: str) -> Any:
    """Resolve a name the storage does not hold: a class attribute, or an error."""
    if local is None:  # pragma: no cover - only reachable while the Local is being freed
        raise AttributeError(name)
    try:
        return object.__getattribute__(local, name)
    except AttributeError:
        pass
    raise _missing(local, name) from None


def _unset(cls: type[Local], name: str) -> Any:
    # classmethod(property(get)) returned the class: nothing stored for this ident.
    return _fallback(cls._ctxcore_owner(), name)


def _missing(local: LocalMethods, name: str) -> AttributeError:
    slot: Slot = type(local)._ctxcore_slot
    return AttributeError(
        f"{type(local).__name__!r} object has no attribute {name!r} in the current "
        f"{describe(slot.ident)}: it was never set here, or was deleted or released",
        name=name,
        obj=local,
    )


def _sole_reference_count() -> int:
    """What ``sys.getrefcount`` reports for a storage held by one local variable only.

    Measured rather than assumed, in a frame shaped like the write path's: interpreters
    differ in whether the call's own argument is counted.
    """
    probe = Storage()
    return getrefcount(probe)


_SOLE = _sole_reference_count()


def _copy_on_write_hooks(
    slot: Slot, tracker: Tracker, new: type[Storage], empty: Any
) -> tuple[Any, Any]:
    """``__setattr__``/``__delattr__`` for contexts: never mutate a storage another sees.

    A context copy (every asyncio task, every ``call_soon``) shares the storage it saw.
    A write first republishes the current storage under a new bound method: that makes
    this context's variables stop sharing the old entry with any copy. If the storage
    is then referenced only by that new entry (and this frame), no other context can see
    it and it is changed in place; otherwise the write copies it (copy-on-write).
    """
    refs = tracker.refs

    def copy_of(storage: Storage) -> Storage:
        copied = new()
        copied.update(storage)
        refs.append(weakref.ref(copied))
        if len(refs) > tracker.cap:
            tracker.prune()
        return copied

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
        owned: int = _SOLE + 1,
    ) -> None:
        storage = get(empty).__self__
        if storage is not nothing:
            put(storage.__getitem__)
            if refcount(storage) == owned:
                storage[name] = value
                return
        storage = copy_of(storage)
        storage[name] = value
        put(storage.__getitem__)

    def __delattr__(self: Local, name: str) -> None:
        storage = slot.get(empty).__self__
        if name not in storage:
            raise _missing(self, name)
        slot.set(storage.__getitem__)
        if getrefcount(storage) != _SOLE + 1:
            storage = copy_of(storage)
            slot.set(storage.__getitem__)
        del storage[name]

    return __setattr__, __delattr__


def _in_place_hooks(
    slot: Slot, tracker: Tracker | None, new: type[Storage], empty: Any
) -> tuple[Any, Any]:
    """``__setattr__``/``__delattr__`` for threads, greenlets and callables.

    Nothing copies a thread's or a greenlet's values, so each ident owns one storage
    and writes go straight into it; ``tracker`` learns each new storage.
    """
    get = slot.get

    def __setattr__(self: Local, name: str, value: Any, empty: Any = empty) -> None:
        current = get(empty)
        if current is empty:
            storage = new()
            slot.set(storage.__getitem__)
            if tracker is not None:
                tracker.refs.append(weakref.ref(storage))
            storage[name] = value
        else:
            current.__self__[name] = value

    def __delattr__(self: Local, name: str) -> None:
        storage = get(empty).__self__
        if name not in storage:
            raise _missing(self, name)
        del storage[name]

    return __setattr__, __delattr__


class StorageParts(NamedTuple):
    """What a new Local's class carries: its storage class, "nothing stored", write hooks."""

    new: type[Storage]
    empty: Any
    setattr_hook: Callable[[Local, str, Any], None]
    delattr_hook: Callable[[Local, str], None]


def storage_parts(slot: Slot, tracker: Tracker | None) -> StorageParts:
    """A storage class of its own for a new Local on ``slot``, and the write hooks
    (copy-on-write under "context", in place otherwise); sets ``slot.empty``."""
    new = storage_class(_fallback)
    empty = new().__getitem__  # this Local's "nothing stored": never written to
    slot.empty = empty
    if isinstance(slot, ContextSlot):
        assert tracker is not None
        return StorageParts(new, empty, *_copy_on_write_hooks(slot, tracker, new, empty))
    return StorageParts(new, empty, *_in_place_hooks(slot, tracker, new, empty))


def _build_class(base: type[Local], slot: Slot, tracker: Tracker | None) -> type[Local]:
    """Create the per-Local subclass whose hooks close over ``slot``."""
    new, empty, setattr_hook, delattr_hook = storage_parts(slot, tracker)
    namespace: dict[str, Any] = {
        "__slots__": (),
        "__module__": base.__module__,
        "__qualname__": base.__qualname__,
        "__setattr__": setattr_hook,
        "__delattr__": delattr_hook,
        "_ctxcore_slot": slot,
        "_ctxcore_tracker": tracker,
        "_ctxcore_storage": new,
        "_ctxcore_empty": empty,
    }
    if CHAINED_CLASSMETHOD and isinstance(slot, ContextSlot | ThreadSlot):
        getter: Any = property(slot.get)
        namespace["__getattribute__"] = classmethod(getter)
        namespace["__new__"] = _unset
    else:
        namespace["__getattribute__"] = property(slot.reader(empty))
    return type(base.__name__, (base,), namespace)


def _is_storage_value(value: Any) -> bool:
    """Whether ``value`` is what a Local publishes: nothing, or a storage's lookup."""
    return value is None or isinstance(getattr(value, "__self__", None), Storage)


def _released(tracker: Tracker, slot: Slot) -> None:
    """A Local was collected: its values go everywhere, and its storages' class with them."""
    tracker.release()
    slot.forget()


#: Why ``LocalProxy(local)`` without a name is refused.
NEEDS_A_NAME = "LocalProxy(Local) needs a name: LocalProxy(local, 'attribute')"


def _storage(local: LocalMethods) -> Storage:
    cls = type(local)
    storage: Storage = cls._ctxcore_slot.get(cls._ctxcore_empty).__self__
    return storage


class LocalMethods:
    """What both implementations of :class:`Local` share: everything but the hot paths.

    Each Local's class carries its slot, tracker and storage class (``_build_class``
    here, ``Local.__new__`` in ``_compiled.py``); these methods read them from
    ``type(self)``, so the instance's own attribute hooks never run.
    """

    __slots__ = ()

    _ctxcore_slot: Slot
    _ctxcore_tracker: Tracker | None
    _ctxcore_storage: type[Storage]
    _ctxcore_empty: Any
    _ctxcore_owner: Callable[[], Any]

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        """Iterate over ``(name, value)`` for the current ident."""
        return iter(list(_storage(self).items()))

    def _ctxcore_proxy_describe(self, name: str | None) -> str:
        """Name what a proxy of attribute ``name`` stands for, for its unbound message."""
        return f"{self!r} attribute {name!r}"

    def __release_local__(self) -> None:
        """Drop every value of the current ident."""
        type(self)._ctxcore_slot.clear()

    def __repr__(self) -> str:
        slot = type(self)._ctxcore_slot
        return f"<{type(self).__module__}.Local ident={describe(slot.ident)!r} at {id(self):#x}>"

    def __dir__(self) -> list[str]:
        return sorted(set(object.__dir__(self)) | set(_storage(self)))


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

    _ctxcore_owner: Callable[[], Local | None]

    def __new__(
        cls, context_var: ContextVar[Any] | None = None, *, ident: IdentSpec = None
    ) -> Local:
        slot = make_slot(resolve_ident(ident), None, context_var, accepts=_is_storage_value)
        # Keyed slots (callable idents) own and count their values; the others publish
        # storages that outlive the Local's own objects, so those are tracked.
        tracker = None if isinstance(slot, KeyedSlot) else Tracker()
        subclass = _build_class(cls, slot, tracker)
        self: Local = object.__new__(subclass)
        owner = weakref.ref(self)
        subclass._ctxcore_owner = owner
        subclass._ctxcore_storage._ctxcore_owner = owner
        if tracker is not None:
            weakref.finalize(self, _released, tracker, slot).atexit = False
        return self

    def __init__(
        self, context_var: ContextVar[Any] | None = None, *, ident: IdentSpec = None
    ) -> None:
        """Arguments are handled by ``__new__``."""

    if TYPE_CHECKING:

        def __getattr__(self, name: str) -> Any: ...

    def __call__(self, name: str, *, unbound_message: str | None = None) -> LocalProxy[Any]:
        """Return a :class:`LocalProxy` to attribute ``name`` of this Local."""
        return LocalProxy(self, name, unbound_message=unbound_message)

    def _ctxcore_proxy_lookup(self, name: str | None) -> Callable[[], Any]:
        """The proxy's lookup of attribute ``name`` (see :class:`ctxcore.local.ProxySource`)."""
        if name is None:
            raise TypeError(NEEDS_A_NAME)
        first, _, rest = name.partition(".")
        # All C for a plain name: getattr(local, first, UNBOUND) through the read path.
        head = partial(getattr, self, first, UNBOUND)
        return then_attribute(head, rest) if rest else head


def release_local(local: Local | Any) -> None:
    """Drop the current ident's values from a Local or LocalStack.

    Werkzeug-compatible: anything with ``__release_local__`` works.
    """
    local.__release_local__()


class LocalManager:
    """Release a group of Locals together, for example at the end of each request.

    :param locals: a Local/LocalStack or a list of them.
    """

    __slots__ = ("locals",)

    def __init__(self, locals: Any | list[Any] | None = None) -> None:
        if locals is None:
            self.locals: list[Any] = []
        elif isinstance(locals, list | tuple):
            self.locals = list(locals)
        else:
            self.locals = [locals]
        for item in self.locals:
            if not hasattr(type(item), "__release_local__"):
                raise TypeError(
                    f"LocalManager manages Local and LocalStack objects, not {type(item).__name__}"
                )

    def cleanup(self) -> None:
        """Release the current ident's values of every managed Local."""
        for local in self.locals:
            release_local(local)

    def make_middleware(self, app: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap a WSGI app so that every managed Local is released after each request."""

        def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            iterable = app(environ, start_response)
            return ClosingBody(iterable, self.cleanup)

        return application

    def middleware(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Decorator form of :meth:`make_middleware`."""
        import functools

        return functools.update_wrapper(self.make_middleware(func), func)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} storages: {len(self.locals)}>"
