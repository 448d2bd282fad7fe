"""Local's shared half: construction, errors, and every method but the hot paths.

Both implementations build their Locals with :func:`new_local`: a class of its own per
Local (carrying its slot, tracker and storage class, which :class:`LocalMethods` and the
diagnostics read from ``type(self)``), on top of ``_py.Local`` or the C ``_c.Local``.
How reads and writes work, and why, is in this folder's README.md.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from . import _dropped
from ._bodies import ClosingBody
from ._ident import IdentSpec, describe, resolve_ident
from ._slots import ContextSlot, KeyedSlot, Slot, make_slot
from ._storage import Storage, Tracker, storage_class

__all__ = ["MISSING", "LocalManager", "LocalMethods", "new_local", "release_local"]

#: A read or delete of a name the current ident does not hold (``%`` type name, name,
#: ident source). The C read path formats it too.
MISSING = (
    "%r object has no attribute %r in the current %s: it was never set here, "
    "or was deleted or released"
)


def _fallback(local: LocalMethods | None, name: str) -> Any:
    """Resolve a name the storage does not hold: a class attribute, or an error."""
    if local is None:  # pragma: no cover - only reachable while the Local is being freed
        raise AttributeError(name)
    try:
        return object.__getattribute__(local, name)
    except AttributeError:
        pass
    raise missing(local, name) from None


def missing(local: LocalMethods, name: str) -> AttributeError:
    """The ``AttributeError`` for ``name``, which the current ident does not hold."""
    where = describe(type(local)._ctxcore_slot.ident)
    text = MISSING % (type(local).__name__, name, where)
    return AttributeError(text, name=name, obj=local)


def _is_storage_value(value: Any) -> bool:
    """Whether ``value`` is what a Local publishes: nothing, or a storage's lookup."""
    return value is None or isinstance(getattr(value, "__self__", None), Storage)


def _released(tracker: Tracker, slot: Slot) -> None:
    """A Local was collected: its values go everywhere, and its storages' class with them.

    This runs wherever the collector runs, so it sets no ContextVar: the context's hold
    on the emptied storage goes later, at a safe point (``_dropped``).
    """
    tracker.release()
    if isinstance(slot, ContextSlot):
        _dropped.defer(slot.var)


#: ``namespace(slot, tracker, empty)``: what one implementation adds to a Local's class.
Namespace = Callable[[Slot, "Tracker | None", Any], dict[str, Any]]


def new_local(
    namespace: Namespace,
    make: Callable[[type[Any], Slot, Tracker | None, Any], Any],
    cls: type[Any],
    context_var: ContextVar[Any] | None = None,
    *,
    ident: IdentSpec = None,
) -> Any:
    """Build a Local of ``cls``: its slot, storage class and a class of its own.

    ``make(subclass, slot, tracker, empty)`` creates the instance (each implementation
    its way); ``empty`` is the bound lookup of this Local's never-written empty storage.
    """
    if _dropped.pending:
        _dropped.let_go()
    slot = make_slot(resolve_ident(ident), None, context_var, accepts=_is_storage_value)
    # Keyed slots (callable idents) own and count their values; the others publish
    # storages that outlive the Local's own objects, so those are tracked.
    tracker = None if isinstance(slot, KeyedSlot) else Tracker()
    new = storage_class(_fallback)
    slot.empty = empty = new().__getitem__
    attrs: dict[str, Any] = {
        "_ctxcore_slot": slot,
        "_ctxcore_tracker": tracker,
        "_ctxcore_empty": empty,
    }
    attrs["_ctxcore_storage"] = new
    attrs |= {"__slots__": (), "__module__": cls.__module__, "__qualname__": cls.__qualname__}
    subclass: Any = type(cls.__name__, (cls,), attrs | namespace(slot, tracker, empty))
    self = make(subclass, slot, tracker, empty)
    subclass._ctxcore_owner = new._ctxcore_owner = weakref.ref(self)
    if tracker is not None:
        weakref.finalize(self, _released, tracker, slot).atexit = False
    return self


def _storage(local: LocalMethods) -> Storage:
    cls = type(local)
    storage: Storage = cls._ctxcore_slot.get(cls._ctxcore_empty).__self__
    return storage


class LocalMethods:
    """What both implementations of :class:`Local` share: everything but the hot paths.

    These methods read the Local's parts from ``type(self)`` (see :func:`new_local`), so
    the instance's own attribute hooks never run.
    """

    __slots__ = ()

    _ctxcore_slot: Slot
    _ctxcore_tracker: Tracker | None
    _ctxcore_empty: Any
    _ctxcore_storage: type[Storage]
    _ctxcore_owner: Callable[[], Any]
    #: The proxy class of the same implementation (``local("name")``).
    _ctxcore_proxy: Callable[..., Any]
    #: How a proxy reaches this source (see ``_proxy.make_lookup``).
    _ctxcore_proxy_kind = "local"

    def __call__(self, name: str, *, unbound_message: str | None = None) -> Any:
        """Return a :class:`LocalProxy` to attribute ``name`` of this Local."""
        return type(self)._ctxcore_proxy(self, name, unbound_message=unbound_message)

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        """Iterate over ``(name, value)`` for the current ident."""
        return iter(list(_storage(self).items()))

    def _ctxcore_proxy_describe(self, name: str | None) -> str:
        """Name what a proxy of attribute ``name`` stands for, for its unbound message."""
        return f"{self!r} attribute {name!r}"

    def __release_local__(self) -> None:
        """Drop every value of the current ident."""
        if _dropped.pending:
            _dropped.let_go()
        type(self)._ctxcore_slot.clear()

    def __repr__(self) -> str:
        slot = type(self)._ctxcore_slot
        return f"<{type(self).__module__}.Local ident={describe(slot.ident)!r} at {id(self):#x}>"

    def __dir__(self) -> list[str]:
        return sorted(set(object.__dir__(self)) | set(_storage(self)))


def release_local(local: Any) -> None:
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
