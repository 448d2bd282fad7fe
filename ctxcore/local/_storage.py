"""Storages: the dict of one ident's attributes, and the tracking of those a Local published."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._local import LocalMethods


#: Under "context", how many references an unshared storage has besides the writer's
#: own: the bound method just published in this context (README.md, "Write path"). Both
#: write paths test against it; the C one is handed it at import.
PUBLISHED = 1


class Storage(dict[str, Any]):
    """One ident's attributes; each Local has its own subclass (see :func:`storage_class`)."""

    __slots__ = ("__weakref__",)

    #: The Local whose attributes these are (a weak reference, set once it exists).
    _ctxcore_owner: Callable[[], LocalMethods | None]


def storage_class(fallback: Callable[[LocalMethods | None, str], Any]) -> type[Storage]:
    """Make a Storage subclass for one Local.

    A miss lands in ``__missing__`` (the read path's only Python frame), which hands the
    name to ``fallback`` with the owning Local: class attributes resolve there, and
    anything else raises an ``AttributeError`` naming the ident source.
    """

    class LocalStorage(Storage):
        __slots__ = ()

        def __missing__(self, name: str) -> Any:
            return fallback(type(self)._ctxcore_owner(), name)

    return LocalStorage


class Tracker:
    """Weak references to the storages a Local published.

    They let a dropped Local empty the storages that contexts it never sees still hold,
    and let diagnostics count the idents holding values. The write path appends to
    ``refs`` directly; :meth:`prune` keeps the list within twice the live storages.
    """

    __slots__ = ("cap", "refs")

    def __init__(self) -> None:
        self.refs: list[weakref.ref[Storage]] = []
        self.cap = 64

    def prune(self) -> None:
        """Drop the references whose storage is gone."""
        # In place: the write path holds a bound refs.append.
        self.refs[:] = [ref for ref in self.refs if ref() is not None]
        self.cap = max(64, 2 * len(self.refs))

    def live(self) -> list[Storage]:
        """Return the storages still alive and holding at least one attribute."""
        storages = (ref() for ref in self.refs)
        return [storage for storage in storages if storage]

    def release(self) -> None:
        """Empty every storage still alive: the Local is gone, its values go too.

        Contexts the Local never sees again still hold its storages (a context cannot
        drop one variable). Each is emptied and made a plain :class:`Storage`, so what
        stays behind is an empty dict, not the Local's own storage class.
        """
        for ref in self.refs:
            storage = ref()
            if storage is not None:
                dict.clear(storage)
                storage.__class__ = Storage
        self.refs.clear()
