"""Slots: one value per ident, for each ident source.

A slot is the storage primitive under Local and LocalStack. Each kind exposes ``get``
(``get(default)`` returns the current ident's value or ``default``) and ``set``, as C
callables wherever the source allows, because Local reads are built from them without a
Python frame in between.
"""

from __future__ import annotations

import contextlib
import sys
import weakref
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from functools import partial
from itertools import repeat, starmap
from typing import Any

from ._ident import Ident, require_greenlet

_counter = iter(range(1, sys.maxsize))
_SLOT_NAME = "ctxcore.local"


class Slot:
    """One value per ident; subclasses say what an ident is."""

    __slots__ = ("empty", "get", "ident", "set")

    #: The source this slot follows ("context", "thread", "greenlet" or a callable).
    ident: Ident
    #: The value that means "nothing stored for this ident".
    empty: Any
    #: ``get(default)``: the current ident's value, or ``default`` when there is none.
    get: Callable[[Any], Any]
    #: ``set(value)``: store ``value`` for the current ident.
    set: Callable[[Any], object]

    def reader(self, default: Any) -> Callable[[object], Any]:
        """Return ``f(ignored) -> current value or default``, without a Python frame.

        Used where a descriptor hands the callable an argument it must not see as the
        default (a ``property`` fget receives the instance).
        """
        # starmap calls get(default) afresh for each next(); partial(next, it) accepts
        # and drops the descriptor's argument as next()'s unused default.
        return partial(next, starmap(self.get, repeat((default,))))

    def reach(self) -> tuple[str, Any, Any]:
        """How the C implementation reaches the current value without this object's
        Python methods: ``("context", var, None)``, ``("thread", holder, attribute)``,
        ``("greenlet", getcurrent, attribute)`` or ``("reader", reader(empty), None)``."""
        return ("reader", self.reader(self.empty), None)

    def clear(self) -> None:
        """Drop the current ident's value."""
        self.set(self.empty)

    def idents(self) -> int | None:
        """Return how many idents hold a value, or ``None`` if the slot cannot count."""
        return None


class ContextSlot(Slot):
    """A value per ``contextvars.Context``; copies see the value at the time of the copy."""

    __slots__ = ("var",)

    def __init__(self, empty: Any, var: ContextVar[Any] | None = None) -> None:
        if var is None:
            # One shared name: a dropped Local's variable stays a key of every context
            # that saw it, and a name of its own would stay with it.
            var = ContextVar(_SLOT_NAME)
        self.ident = "context"
        self.empty = empty
        self.var = var
        self.get = var.get
        self.set = var.set

    def reach(self) -> tuple[str, Any, Any]:
        return ("context", self.var, None)


def _os_thread_local() -> type:
    """Return the interpreter's thread-local type, even after gevent monkey patching.

    ``"thread"`` means the OS thread: under gevent every greenlet of a thread shares it.
    """
    monkey = sys.modules.get("gevent.monkey")
    if monkey is not None and monkey.is_module_patched("threading"):
        original: type = monkey.get_original("_thread", "_local")
        return original
    import _thread

    return _thread._local


class ThreadSlot(Slot):
    """A value per OS thread, freed by the interpreter when the thread ends."""

    __slots__ = ("local",)

    #: The attribute of the thread-local object holding the value.
    KEY = "value"

    def __init__(self, empty: Any) -> None:
        # The interpreter's thread-local keys per-thread dicts by the thread state, so a
        # thread id reused after a thread ends starts empty.
        self.local = _os_thread_local()()
        self.ident = "thread"
        self.empty = empty
        self.get = partial(getattr, self.local, self.KEY)
        self.set = partial(setattr, self.local, self.KEY)

    def reach(self) -> tuple[str, Any, Any]:
        return ("thread", self.local, self.KEY)

    def clear(self) -> None:
        with contextlib.suppress(AttributeError):
            delattr(self.local, self.KEY)


class KeyedSlot(Slot):
    """A value per object returned by an ident function, in a dict owned by the slot.

    Weak-referenceable idents (greenlets, threads, most objects) are keyed by ``id()``
    and their entry is dropped when the object is collected. Other idents (ints,
    strings, tuples) are kept until cleared: the slot cannot know when they are over.
    """

    __slots__ = ("data", "ident_func", "key", "watch")

    def __init__(
        self,
        empty: Any,
        ident: Ident,
        ident_func: Callable[[], Hashable],
    ) -> None:
        self.ident = ident
        self.ident_func = ident_func
        self.empty = empty
        self.data: dict[Hashable, Any] = {}
        self.watch: dict[Hashable, weakref.ref[Any]] = {}
        self.key: Callable[[Any], Hashable] = _weak_key
        self.get = self._get
        self.set = self._set

    def _get(self, default: Any) -> Any:
        return self.data.get(self.key(self.ident_func()), default)

    def _set(self, value: Any) -> None:
        obj = self.ident_func()
        key = self.key(obj)
        if value is self.empty:
            self._forget(key)
            return
        if key not in self.watch and not isinstance(key, tuple):
            self._watch(obj, key)
        self.data[key] = value

    def _watch(self, obj: object, key: Hashable) -> None:
        forget = self._forget
        self.watch[key] = weakref.ref(obj, lambda _ref: forget(key))

    def _forget(self, key: Hashable) -> None:
        self.data.pop(key, None)
        self.watch.pop(key, None)

    def reader(self, default: Any) -> Callable[[object], Any]:
        # All C: the ident function, the key function and dict.get chained by map().
        idents = starmap(self.ident_func, repeat(()))
        values = map(self.data.get, map(self.key, idents), repeat(default))
        return partial(next, values)

    def clear(self) -> None:
        self._forget(self.key(self.ident_func()))

    def idents(self) -> int:
        return len(self.data)


def _weak_key(obj: object) -> Hashable:
    """Key an ident by ``id()`` when it can be watched, else by value (in a tuple)."""
    try:
        weakref.ref(obj)
    except TypeError:
        return (obj,)
    return id(obj)


class GreenletSlot(Slot):
    """A value per greenlet, kept as an attribute of the greenlet object.

    The value goes when the greenlet object does (a finished greenlet nobody holds).
    Reads cost a ``getcurrent()`` and an attribute lookup, both in C.
    """

    __slots__ = ("getcurrent", "holders", "key")

    def __init__(self, empty: Any) -> None:
        require_greenlet()
        from greenlet import getcurrent

        self.ident = "greenlet"
        self.empty = empty
        self.getcurrent = getcurrent
        # One attribute name per slot: slots never see one another's values.
        self.key = f"_ctxcore_slot_{next(_counter)}"
        # The greenlets that were given a value, for counting; weak, like the values.
        self.holders: weakref.WeakSet[Any] = weakref.WeakSet()
        self.get = self._get
        self.set = self._set

    def _get(self, default: Any) -> Any:
        return getattr(self.getcurrent(), self.key, default)

    def _set(self, value: Any) -> None:
        current = self.getcurrent()
        if value is self.empty:
            with contextlib.suppress(AttributeError):
                delattr(current, self.key)
            return
        if not hasattr(current, self.key):
            self.holders.add(current)
        setattr(current, self.key, value)

    def reader(self, default: Any) -> Callable[[object], Any]:
        # getattr(getcurrent(), key, default), chained in C.
        current = starmap(self.getcurrent, repeat(()))
        return partial(next, map(getattr, current, repeat(self.key), repeat(default)))

    def reach(self) -> tuple[str, Any, Any]:
        return ("greenlet", self.getcurrent, self.key)

    def clear(self) -> None:
        self._set(self.empty)

    def idents(self) -> int:
        missing = object()
        return sum(
            getattr(glet, self.key, missing) not in (missing, self.empty)
            for glet in list(self.holders)
        )


def make_slot(
    ident: Ident,
    empty: Any,
    var: ContextVar[Any] | None = None,
    *,
    owner: str = "Local",
    accepts: Callable[[Any], bool] = lambda value: True,
) -> Slot:
    """Build the slot for ``ident`` (``var`` is only used by the context source).

    ``accepts(value)`` checks what a given ``var`` already holds in the current context
    (``None`` when nothing): a value of another shape is a ``TypeError`` naming the
    variable, instead of a confusing failure on first use. ``owner`` names the kind of
    object (``"Local"``, ``"LocalStack"``) in that message.
    """
    if var is not None and not isinstance(var, ContextVar):
        raise TypeError(f"context_var must be a contextvars.ContextVar, not {type(var).__name__}")
    if var is not None and ident != "context":
        raise ValueError(f"context_var= only applies to ident='context', not {ident!r}")
    if var is not None and not accepts(var.get(None)):
        held = type(var.get(None)).__name__
        theirs = "list" if owner == "LocalStack" else "dict"
        raise TypeError(
            f"context_var {var.name!r} already holds a {held}, which is not a ctxcore "
            f"{owner}'s value (werkzeug's {owner} keeps a {theirs} there): give it a "
            "ContextVar of its own"
        )
    if ident == "context":
        return ContextSlot(empty, var)
    if ident == "thread":
        return ThreadSlot(empty)
    if ident == "greenlet":
        return GreenletSlot(empty)
    return KeyedSlot(empty, ident, ident)
