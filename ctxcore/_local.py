"""Local: attribute storage scoped to the current ident (context, thread, greenlet, ...).

How a read stays at ``threading.local`` speed
---------------------------------------------
Every Local gets its own subclass whose ``__getattribute__`` reaches the stored value
through C callables only:

* the current ident's attributes live in a ``_Storage`` (a dict), published through
  the slot as its bound ``__getitem__`` (call it ``R``);
* ``local.name`` calls ``__getattribute__``; when that attribute is a descriptor, the
  interpreter binds it and then calls the result with ``name``. On Python <= 3.12 it is
  ``classmethod(property(slot.get))``: binding runs ``slot.get(cls)`` (``ContextVar.get``
  with the class as the default), then ``R(name)`` is a dict lookup. With nothing stored
  the class itself comes back and ``cls(name)`` lands in ``__new__``, which raises
  ``AttributeError`` -- the only Python frame, and only on a miss;
* elsewhere it is ``property(slot.reader(EMPTY))``: a ``next()`` over ``starmap`` that
  ignores the instance and returns the current ``R`` or the empty storage's.

Storages are never mutated once published: a write copies the current one, so a copied
context (a child task) keeps the values it saw at the copy (copy-on-write). Each storage
is tracked weakly, so a Local that is dropped empties the storages that other contexts
still hold instead of keeping its values alive with them.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from ._ident import IdentSpec, describe, resolve_ident
from ._slots import ContextSlot, KeyedSlot, Slot, ThreadSlot, make_slot

if TYPE_CHECKING:
    from ._proxy import LocalProxy

__all__ = ["Local", "LocalManager", "release_local"]


class _Storage(dict[str, Any]):
    """One ident's attributes. Never mutated after it is published (copy-on-write)."""

    __slots__ = ("__weakref__",)

    def __missing__(self, name: str) -> Any:
        # Reached from the C read path; Local.__getattr__ turns it into a full message.
        raise AttributeError(name)


_EMPTY = _Storage()
_EMPTY_GET = _EMPTY.__getitem__


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


class _Tracker:
    """Weak references to the storages a copy-on-write Local published.

    They let a dropped Local empty the storages other contexts still hold, and let
    diagnostics count the idents holding values. The write path appends to ``refs``
    directly; :meth:`prune` keeps the list within twice the live storages.
    """

    __slots__ = ("cap", "refs")

    def __init__(self) -> None:
        self.refs: list[weakref.ref[_Storage]] = []
        self.cap = 64

    def prune(self) -> None:
        # In place: the write path holds a bound refs.append.
        self.refs[:] = [ref for ref in self.refs if ref() is not None]
        self.cap = max(64, 2 * len(self.refs))

    def live(self) -> list[_Storage]:
        storages = (ref() for ref in self.refs)
        return [storage for storage in storages if storage]

    def release(self) -> None:
        for storage in self.live():
            dict.clear(storage)
        self.refs.clear()


def _unset(cls: type, name: str) -> Any:
    # classmethod(property(get)) returned the class: nothing is stored for this ident.
    raise AttributeError(name)


def _copy_on_write_hooks(slot: Slot, tracker: _Tracker) -> tuple[Any, Any]:
    """``__setattr__``/``__delattr__`` for contexts: never mutate a published storage.

    A context copy (every asyncio task, every ``call_soon``) shares the storage it saw,
    so each write publishes a fresh one and tracks it.
    """
    refs = tracker.refs

    # Names bound as defaults (fast local loads): this is the hot write path.
    def __setattr__(  # noqa: PLR0917
        self: Local,
        name: str,
        value: Any,
        get: Callable[[Any], Any] = slot.get,
        put: Callable[[Any], Any] = slot.set,
        new: type[_Storage] = _Storage,
        empty: Any = _EMPTY_GET,
        track: Callable[[Any], None] = refs.append,
        ref: type[weakref.ref[Any]] = weakref.ref,
    ) -> None:
        storage = new(get(empty).__self__)
        storage[name] = value
        put(storage.__getitem__)
        track(ref(storage))
        if len(refs) > tracker.cap:
            tracker.prune()

    def __delattr__(self: Local, name: str) -> None:
        current = slot.get(_EMPTY_GET).__self__
        if name not in current:
            raise _missing(self, name)
        storage = _Storage(current)
        del storage[name]
        slot.set(storage.__getitem__)
        refs.append(weakref.ref(storage))

    return __setattr__, __delattr__


def _in_place_hooks(slot: Slot, tracker: _Tracker | None) -> tuple[Any, Any]:
    """``__setattr__``/``__delattr__`` for threads, greenlets and callables.

    Nothing copies a thread's or a greenlet's values, so each ident owns one storage
    and writes go straight into it. ``tracker`` (if any) learns each new storage, for
    diagnostics; the slot itself frees values when its ident ends.
    """
    get = slot.get

    def __setattr__(self: Local, name: str, value: Any, empty: Any = _EMPTY_GET) -> None:
        current = get(empty)
        if current is empty:
            storage = _Storage()
            slot.set(storage.__getitem__)
            if tracker is not None:
                tracker.refs.append(weakref.ref(storage))
            storage[name] = value
        else:
            current.__self__[name] = value

    def __delattr__(self: Local, name: str) -> None:
        storage = get(_EMPTY_GET).__self__
        if name not in storage:
            raise _missing(self, name)
        del storage[name]

    return __setattr__, __delattr__


def _build_class(base: type[Local], slot: Slot, tracker: _Tracker | None) -> type[Local]:
    """Create the per-Local subclass whose hooks close over ``slot``."""
    if isinstance(slot, ContextSlot):
        assert tracker is not None
        setattr_hook, delattr_hook = _copy_on_write_hooks(slot, tracker)
    else:
        setattr_hook, delattr_hook = _in_place_hooks(slot, tracker)
    namespace: dict[str, Any] = {
        "__slots__": (),
        "__module__": base.__module__,
        "__qualname__": base.__qualname__,
        "__setattr__": setattr_hook,
        "__delattr__": delattr_hook,
        "_ctxcore_slot": slot,
        "_ctxcore_tracker": tracker,
    }
    if CHAINED_CLASSMETHOD and isinstance(slot, ContextSlot | ThreadSlot):
        getter: Any = property(slot.get)
        namespace["__getattribute__"] = classmethod(getter)
        namespace["__new__"] = _unset
    else:
        namespace["__getattribute__"] = property(slot.reader(_EMPTY_GET))
    return type(base.__name__, (base,), namespace)


def _missing(local: Local, name: str) -> AttributeError:
    slot: Slot = type(local)._ctxcore_slot
    return AttributeError(
        f"{type(local).__name__!r} object has no attribute {name!r} in the current "
        f"{describe(slot.ident)}: it was never set here, or was deleted or released",
        name=name,
        obj=local,
    )


def _storage(local: Local) -> _Storage:
    storage: _Storage = type(local)._ctxcore_slot.get(_EMPTY_GET).__self__
    return storage


class Local:
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
    at the copy, and nothing it sets reaches its parent.
    """

    __slots__ = ("__weakref__",)

    _ctxcore_slot: Slot
    _ctxcore_tracker: _Tracker | None

    def __new__(
        cls, context_var: ContextVar[Any] | None = None, *, ident: IdentSpec = None
    ) -> Local:
        if context_var is not None and not isinstance(context_var, ContextVar):
            raise TypeError(
                f"context_var must be a contextvars.ContextVar, not {type(context_var).__name__}"
            )
        slot = make_slot(resolve_ident(ident), _EMPTY_GET, context_var)
        # Context storages are shared by context copies and outlive the Local's own
        # objects, so they are tracked to be emptied when it goes; thread storages are
        # tracked only to be counted. Keyed slots own and count their values.
        tracker = None if isinstance(slot, KeyedSlot) else _Tracker()
        self: Local = object.__new__(_build_class(cls, slot, tracker))
        if tracker is not None:
            weakref.finalize(self, tracker.release).atexit = False
        return self

    def __init__(
        self, context_var: ContextVar[Any] | None = None, *, ident: IdentSpec = None
    ) -> None:
        """Arguments are handled by ``__new__``."""

    def __getattr__(self, name: str) -> Any:
        # Reached after the storage lookup failed: class attributes (methods, dunders)
        # resolve normally; anything else gets a message naming the ident source.
        try:
            return object.__getattribute__(self, name)
        except AttributeError:
            pass
        raise _missing(self, name) from None

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        """Iterate over ``(name, value)`` for the current ident."""
        return iter(list(_storage(self).items()))

    def __call__(self, name: str, *, unbound_message: str | None = None) -> LocalProxy[Any]:
        """Return a :class:`LocalProxy` to attribute ``name`` of this Local."""
        from ._proxy import LocalProxy

        return LocalProxy(self, name, unbound_message=unbound_message)

    def __release_local__(self) -> None:
        """Drop every value of the current ident."""
        type(self)._ctxcore_slot.clear()

    def __repr__(self) -> str:
        slot = type(self)._ctxcore_slot
        return f"<{type(self).__module__}.Local ident={describe(slot.ident)!r} at {id(self):#x}>"

    def __dir__(self) -> list[str]:
        return sorted(set(object.__dir__(self)) | set(_storage(self)))


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
            return _ClosingIterator(iterable, self.cleanup)

        return application

    def middleware(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Decorator form of :meth:`make_middleware`."""
        import functools

        return functools.update_wrapper(self.make_middleware(func), func)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} storages: {len(self.locals)}>"


class _ClosingIterator:
    """Iterate a WSGI response, then run ``cleanup`` once it is closed."""

    __slots__ = ("_cleanup", "_iterable", "_iterator")

    def __init__(self, iterable: Any, cleanup: Callable[[], None]) -> None:
        self._iterable = iterable
        self._iterator = iter(iterable)
        self._cleanup = cleanup

    def __iter__(self) -> _ClosingIterator:
        return self

    def __next__(self) -> Any:
        return next(self._iterator)

    def close(self) -> None:
        try:
            close = getattr(self._iterable, "close", None)
            if close is not None:
                close()
        finally:
            self._cleanup()
