"""LocalProxy: an object that forwards everything to the current value of a source."""

from __future__ import annotations

import copy
import math
import operator
import os
from collections.abc import Callable
from contextvars import ContextVar
from functools import partial
from typing import Any, Generic, TypeVar

from ._local import Local
from ._stack import LocalStack

__all__ = ["LocalProxy"]

T = TypeVar("T")

# Returned by a lookup when nothing is bound; never escapes this module.
_UNBOUND: Any = type("_Unbound", (), {"__repr__": lambda self: "<unbound>"})()

# Names answered by the proxy itself rather than forwarded.
_OWN = frozenset({"_get_current_object", "__wrapped__", "_ctxcore_lookup", "_ctxcore_message"})


def _describe_source(source: object, name: str | None) -> str:
    attr = f" attribute {name!r}" if name else ""
    if isinstance(source, ContextVar):
        return f"ContextVar {source.name!r}{attr}"
    if isinstance(source, LocalStack):
        return f"the top of {source!r}{attr}"
    if isinstance(source, Local):
        return f"{source!r} attribute {name!r}"
    target = getattr(source, "__qualname__", None) or repr(source)
    return f"the result of {target}(){attr}"


def _default_message(source: object, name: str | None) -> str:
    return (
        f"Working outside of a context: nothing is bound to {_describe_source(source, name)} "
        "here. Push a context first (for example 'with app.app_context():' or "
        "'with app.request_context(environ):'), carry the current one into this thread, "
        "greenlet or task with ctxcore.copy_current_context() or "
        "copy_current_request_context, or pass the value explicitly."
    )


def _make_lookup(source: object, name: str | None) -> Callable[[], Any]:  # noqa: PLR0911
    """Build a zero-argument lookup returning the target or ``_UNBOUND``."""
    get_name = None if name is None else operator.attrgetter(name)
    if isinstance(source, Local):
        if name is None:
            raise TypeError("LocalProxy(Local) needs a name: LocalProxy(local, 'attribute')")
        first, _, rest = name.partition(".")
        # C fast path: getattr(local, first, _UNBOUND).
        head = partial(getattr, source, first, _UNBOUND)
        if not rest:
            return head
        tail = operator.attrgetter(rest)

        def local_lookup() -> Any:
            obj = head()
            return obj if obj is _UNBOUND else tail(obj)

        return local_lookup
    if isinstance(source, LocalStack):
        stack_get = source._get

        def stack_lookup() -> Any:
            frame = stack_get(None)
            if frame is None:
                return _UNBOUND
            return frame[0] if get_name is None else get_name(frame[0])

        return stack_lookup
    if isinstance(source, ContextVar):
        var_get = partial(source.get, _UNBOUND)
        if get_name is None:
            return var_get

        def var_lookup() -> Any:
            obj = var_get()
            return obj if obj is _UNBOUND else get_name(obj)

        return var_lookup
    if callable(source):
        if get_name is None:
            return source
        return lambda: get_name(source())
    raise TypeError(
        f"LocalProxy cannot proxy a {type(source).__name__}: give it a Local and a name, "
        "a LocalStack, a ContextVar or a callable returning the object"
    )


class LocalProxy(Generic[T]):
    """Forward every operation to the current object of a context-local source.

    :param local: where the object lives: a :class:`Local` (with ``name``), a
        :class:`LocalStack` (its top), a ``ContextVar``, or any callable returning the
        object (a ``functools.partial(lookup, "request")`` included).
    :param name: an attribute (dotted names allowed) to take from the object.
    :param unbound_message: the ``RuntimeError`` message when nothing is bound.

    The proxy forwards attribute access, calls, operators, iteration, context managers,
    awaiting, copying and more. When nothing is bound, ``repr`` says so, ``bool`` is
    ``False``, ``dir`` is empty, ``__class__`` is ``LocalProxy`` and everything else
    raises ``RuntimeError``. In-place operators on immutable targets raise ``TypeError``
    instead of silently dropping the result.
    """

    __slots__ = ("__weakref__", "__wrapped__", "_ctxcore_lookup", "_ctxcore_message")

    def __init__(
        self,
        local: ContextVar[T] | Local | LocalStack[T] | Callable[[], T],
        name: str | None = None,
        *,
        unbound_message: str | None = None,
    ) -> None:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string, not {type(name).__name__}")
        if unbound_message is None:
            unbound_message = _default_message(local, name)
        object.__setattr__(self, "_ctxcore_lookup", _make_lookup(local, name))
        object.__setattr__(self, "_ctxcore_message", unbound_message)
        object.__setattr__(self, "__wrapped__", local)

    def _get_current_object(self) -> T:
        """Return the object the proxy currently stands for.

        Raises ``RuntimeError`` (with the unbound message) if nothing is bound.
        """
        obj = _lookup(self)()
        if obj is _UNBOUND:
            raise RuntimeError(_message(self))
        return obj  # type: ignore[no-any-return]

    def __getattribute__(self, name: str) -> Any:
        if name in _OWN:
            return object.__getattribute__(self, name)
        obj = _lookup(self)()
        if obj is _UNBOUND:
            if name == "__class__":
                return LocalProxy
            raise RuntimeError(_message(self))
        return getattr(obj, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "__orig_class__":
            return  # typing records the alias used to build the proxy; nothing to forward
        setattr(_target(self), name, value)

    def __delattr__(self, name: str) -> None:
        delattr(_target(self), name)

    def __dir__(self) -> list[str]:
        obj = _lookup(self)()
        return [] if obj is _UNBOUND else dir(obj)

    def __repr__(self) -> str:
        obj = _lookup(self)()
        if obj is _UNBOUND:
            return f"<{type(self).__name__} unbound>"
        return repr(obj)

    def __bool__(self) -> bool:
        obj = _lookup(self)()
        return False if obj is _UNBOUND else bool(obj)

    def __str__(self) -> str:
        return str(_target(self))

    def __bytes__(self) -> bytes:
        return bytes(_target(self))

    def __format__(self, format_spec: str) -> str:
        return format(_target(self), format_spec)

    def __hash__(self) -> int:
        return hash(_target(self))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _target(self)(*args, **kwargs)

    def __copy__(self) -> Any:
        return copy.copy(_target(self))

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        return copy.deepcopy(_target(self), memo)

    def __round__(self, ndigits: int | None = None) -> Any:
        obj = _target(self)
        return round(obj) if ndigits is None else round(obj, ndigits)

    def __pow__(self, other: Any, modulo: Any = None) -> Any:
        obj = _target(self)
        return pow(obj, other) if modulo is None else pow(obj, other, modulo)

    def __rpow__(self, other: Any) -> Any:
        return pow(other, _target(self))

    def __ipow__(self, other: Any, modulo: Any = None) -> Any:
        return _inplace(self, operator.ipow, "**=", other)

    def __instancecheck__(self, instance: Any) -> bool:
        return isinstance(instance, _target(self))

    def __subclasscheck__(self, subclass: Any) -> bool:
        return issubclass(subclass, _target(self))


# The slots' member descriptors, called directly: reading a slot through the proxy's own
# __getattribute__ would forward it to the target.
_lookup: Callable[[LocalProxy[Any]], Callable[[], Any]] = LocalProxy.__dict__[
    "_ctxcore_lookup"
].__get__
_message: Callable[[LocalProxy[Any]], str] = LocalProxy.__dict__["_ctxcore_message"].__get__


def _target(proxy: LocalProxy[Any]) -> Any:
    obj = _lookup(proxy)()
    if obj is _UNBOUND:
        raise RuntimeError(_message(proxy))
    return obj


def _inplace(proxy: LocalProxy[Any], op: Callable[[Any, Any], Any], symbol: str, other: Any) -> Any:
    obj = _target(proxy)
    result = op(obj, other)
    if result is not obj:
        raise TypeError(
            f"'{symbol}' through a LocalProxy needs a target that changes in place, but "
            f"{type(obj).__name__} returned a new object that the proxy cannot store. "
            f"Assign to the source instead (for example g.count = g.count {symbol[:-1]} 1)."
        )
    return proxy


def _forward(func: Callable[..., Any], name: str) -> Callable[..., Any]:
    # Fixed arities where the operator allows: *args costs a tuple on every call.
    arity = _ARITY.get(name)
    if arity == 0:

        def method(self: LocalProxy[Any]) -> Any:
            return func(_target(self))

    elif arity == 1:

        def method(self: LocalProxy[Any], other: Any) -> Any:  # type: ignore[misc]
            return func(_target(self), other)

    else:

        def method(self: LocalProxy[Any], *args: Any) -> Any:  # type: ignore[misc]
            return func(_target(self), *args)

    method.__name__ = method.__qualname__ = name
    return method


def _reflect(func: Callable[[Any, Any], Any], name: str) -> Callable[..., Any]:
    def method(self: LocalProxy[Any], other: Any) -> Any:
        return func(other, _target(self))

    method.__name__ = method.__qualname__ = name
    return method


def _inplace_method(func: Callable[[Any, Any], Any], symbol: str, name: str) -> Callable[..., Any]:
    def method(self: LocalProxy[Any], other: Any) -> Any:
        return _inplace(self, func, symbol, other)

    method.__name__ = method.__qualname__ = name
    return method


def _special(name: str) -> Callable[..., Any]:
    """Call the target's own special method, looked up on its type as the interpreter does."""

    def call(obj: Any, *args: Any) -> Any:
        return getattr(type(obj), name)(obj, *args)

    return call


_FORWARDED: dict[str, Callable[..., Any]] = {
    "__lt__": operator.lt,
    "__le__": operator.le,
    "__eq__": operator.eq,
    "__ne__": operator.ne,
    "__gt__": operator.gt,
    "__ge__": operator.ge,
    "__len__": len,
    "__length_hint__": operator.length_hint,
    "__getitem__": operator.getitem,
    "__setitem__": operator.setitem,
    "__delitem__": operator.delitem,
    "__iter__": iter,
    "__next__": next,
    "__reversed__": reversed,
    "__contains__": operator.contains,
    "__neg__": operator.neg,
    "__pos__": operator.pos,
    "__abs__": abs,
    "__invert__": operator.invert,
    "__complex__": complex,
    "__int__": int,
    "__float__": float,
    "__index__": operator.index,
    "__trunc__": math.trunc,
    "__floor__": math.floor,
    "__ceil__": math.ceil,
    "__enter__": _special("__enter__"),
    "__exit__": _special("__exit__"),
    "__aenter__": _special("__aenter__"),
    "__aexit__": _special("__aexit__"),
    "__await__": _special("__await__"),
    "__aiter__": _special("__aiter__"),
    "__anext__": _special("__anext__"),
    "__fspath__": os.fspath,
    "__divmod__": divmod,
}

# Binary operators: (operator, in-place operator, in-place symbol).
_BINARY: dict[str, tuple[Callable[[Any, Any], Any], Callable[[Any, Any], Any], str]] = {
    "add": (operator.add, operator.iadd, "+="),
    "sub": (operator.sub, operator.isub, "-="),
    "mul": (operator.mul, operator.imul, "*="),
    "matmul": (operator.matmul, operator.imatmul, "@="),
    "truediv": (operator.truediv, operator.itruediv, "/="),
    "floordiv": (operator.floordiv, operator.ifloordiv, "//="),
    "mod": (operator.mod, operator.imod, "%="),
    "lshift": (operator.lshift, operator.ilshift, "<<="),
    "rshift": (operator.rshift, operator.irshift, ">>="),
    "and": (operator.and_, operator.iand, "&="),
    "xor": (operator.xor, operator.ixor, "^="),
    "or": (operator.or_, operator.ior, "|="),
}


_UNARY = [
    "__len__",
    "__length_hint__",
    "__iter__",
    "__next__",
    "__reversed__",
    "__neg__",
    "__pos__",
    "__abs__",
    "__invert__",
    "__complex__",
    "__int__",
    "__float__",
    "__index__",
    "__trunc__",
    "__floor__",
    "__ceil__",
    "__enter__",
    "__aenter__",
    "__await__",
    "__aiter__",
    "__anext__",
    "__fspath__",
]
_ARITY = dict.fromkeys(_UNARY, 0) | dict.fromkeys(
    [
        "__lt__",
        "__le__",
        "__eq__",
        "__ne__",
        "__gt__",
        "__ge__",
        "__getitem__",
        "__delitem__",
        "__contains__",
        "__divmod__",
    ],
    1,
)
_ARITY |= {f"__{stem}__": 1 for stem in _BINARY}


def _install() -> None:
    for dunder, func in _FORWARDED.items():
        setattr(LocalProxy, dunder, _forward(func, dunder))
    for stem, (func, ifunc, symbol) in _BINARY.items():
        setattr(LocalProxy, f"__{stem}__", _forward(func, f"__{stem}__"))
        setattr(LocalProxy, f"__r{stem}__", _reflect(func, f"__r{stem}__"))
        setattr(LocalProxy, f"__i{stem}__", _inplace_method(ifunc, symbol, f"__i{stem}__"))
    LocalProxy.__rdivmod__ = _reflect(divmod, "__rdivmod__")  # type: ignore[attr-defined]


_install()
