"""LocalProxy: an object that forwards everything to the current value of a source."""

from __future__ import annotations

import copy
import math
import operator
import os
from collections.abc import Callable
from contextvars import ContextVar
from functools import partial
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

__all__ = ["UNBOUND", "LocalProxy", "ProxySource"]

T = TypeVar("T")


class _Unbound:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<unbound>"


#: What a proxy's lookup returns when nothing is bound. A callable handed to
#: :class:`LocalProxy` may return it too (instead of raising) to get the unbound
#: behaviour: ``repr`` says unbound, ``bool`` is ``False``, the rest raises the
#: proxy's ``RuntimeError``.
UNBOUND: Any = _Unbound()

# Names answered by the proxy itself rather than forwarded.
_OWN = frozenset({"_get_current_object", "__wrapped__", "_ctxcore_lookup", "_ctxcore_message"})


class ProxySource(Protocol):
    """What a class provides to be proxied by name (``Local``, ``LocalStack``).

    The proxy asks the source's *type*, so a source whose instances intercept attribute
    access (a Local) answers without running its own hooks.
    """

    def _ctxcore_proxy_lookup(self, name: str | None) -> Callable[[], Any]:
        """Return a zero-argument lookup of the current object (or :data:`UNBOUND`)."""

    def _ctxcore_proxy_describe(self, name: str | None) -> str:
        """Say what the proxy stands for, for the unbound message."""


def _hook(source: object, name: str) -> Callable[..., Any] | None:
    # Looked up on the type: a Local's instances intercept attribute access.
    hook: Callable[..., Any] | None = getattr(type(source), name, None)
    return hook


def _describe_source(source: object, name: str | None) -> str:
    describe = _hook(source, "_ctxcore_proxy_describe")
    if describe is not None:
        return str(describe(source, name))
    attr = f" attribute {name!r}" if name else ""
    if isinstance(source, ContextVar):
        return f"ContextVar {source.name!r}{attr}"
    target = getattr(source, "__qualname__", None) or repr(source)
    return f"the result of {target}(){attr}"


def _checked_message(source: object, name: str | None, unbound_message: str | None) -> str:
    """Check a proxy's ``name`` and return its unbound message (given, or the default)."""
    if name is not None and not isinstance(name, str):
        raise TypeError(f"name must be a string, not {type(name).__name__}")
    return _default_message(source, name) if unbound_message is None else unbound_message


def _default_message(source: object, name: str | None) -> str:
    return (
        f"Working outside of a context: nothing is bound to {_describe_source(source, name)} "
        "here. Push a context first (for example 'with app.app_context():' or "
        "'with app.request_context(environ):'), carry the current one into this thread, "
        "greenlet or task with ctxcore.copy_current_context() or "
        "copy_current_request_context, or pass the value explicitly."
    )


def _make_lookup(source: object, name: str | None) -> Callable[[], Any]:
    """Build a zero-argument lookup returning the target or :data:`UNBOUND`.

    A :class:`ProxySource` (Local, LocalStack) builds its own; a ContextVar or a
    callable is handled here.
    """
    lookup = _hook(source, "_ctxcore_proxy_lookup")
    if lookup is not None:
        built: Callable[[], Any] = lookup(source, name)
        return built
    if isinstance(source, ContextVar):
        get: Callable[[], Any] = partial(source.get, UNBOUND)
    elif callable(source):
        get = source
    else:
        raise TypeError(
            f"LocalProxy cannot proxy a {type(source).__name__}: give it a Local and a name, "
            "a LocalStack, a ContextVar or a callable returning the object"
        )
    return get if name is None else then_attribute(get, name)


def then_attribute(get: Callable[[], Any], name: str) -> Callable[[], Any]:
    """A lookup of attribute ``name`` (dotted allowed) of what ``get`` returns, or UNBOUND."""
    get_name = operator.attrgetter(name)

    def named_lookup() -> Any:
        obj = get()
        return obj if obj is UNBOUND else get_name(obj)

    return named_lookup


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
        local: ContextVar[T] | ProxySource | Callable[[], T],
        name: str | None = None,
        *,
        unbound_message: str | None = None,
    ) -> None:
        message = _checked_message(local, name, unbound_message)
        object.__setattr__(self, "_ctxcore_lookup", _make_lookup(local, name))
        object.__setattr__(self, "_ctxcore_message", message)
        object.__setattr__(self, "__wrapped__", local)

    def _get_current_object(self) -> T:
        """Return the object the proxy currently stands for.

        Raises ``RuntimeError`` (with the unbound message) if nothing is bound.
        """
        obj = _lookup(self)()
        if obj is UNBOUND:
            raise RuntimeError(_message(self))
        return obj  # type: ignore[no-any-return]

    def __getattribute__(self, name: str) -> Any:
        if name in _OWN:
            return object.__getattribute__(self, name)
        obj = _lookup(self)()
        if obj is UNBOUND:
            # Answered unbound as werkzeug's proxy does, so help() and introspection work.
            if name == "__class__":
                return LocalProxy
            if name == "__doc__":
                return LocalProxy.__doc__
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
        return [] if obj is UNBOUND else dir(obj)

    def __repr__(self) -> str:
        obj = _lookup(self)()
        if obj is UNBOUND:
            return f"<{type(self).__name__} unbound>"
        return repr(obj)

    def __bool__(self) -> bool:
        obj = _lookup(self)()
        return False if obj is UNBOUND else bool(obj)

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
    if obj is UNBOUND:
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


def _special(name: str) -> Callable[..., Any]:
    """Call the target's own special method, looked up on its type as the interpreter does."""

    def call(obj: Any, *args: Any) -> Any:
        return getattr(type(obj), name)(obj, *args)

    return call


# How a special method reaches the target (``t``); ``a`` is the operand.
UNARY = "f(t)"
BINARY = "f(t, a)"
REFLECTED = "f(a, t)"
INPLACE = "f(t, a) must return t"
VARIADIC = "f(t, *args)"


class Op(NamedTuple):
    """One row of the operator table: how a special method is forwarded."""

    form: str
    func: Callable[..., Any]
    #: For in-place operators, the statement's symbol (for the error message).
    symbol: str = ""


def _arithmetic(
    stem: str, func: Callable[[Any, Any], Any], ifunc: Callable[[Any, Any], Any], symbol: str
) -> dict[str, Op]:
    """The three rows of a binary operator: ``__op__``, ``__rop__`` and ``__iop__``."""
    return {
        f"__{stem}__": Op(BINARY, func),
        f"__r{stem}__": Op(REFLECTED, func),
        f"__i{stem}__": Op(INPLACE, ifunc, symbol),
    }


#: Every special method the proxy forwards, declared once. The class body above holds
#: those that need more than a row (attribute access, repr/bool/dir with their unbound
#: fallbacks, str/bytes/format/hash, call, copy, round and pow with optional operands,
#: isinstance/issubclass checks).
OPERATIONS: dict[str, Op] = {
    # comparisons
    "__lt__": Op(BINARY, operator.lt),
    "__le__": Op(BINARY, operator.le),
    "__eq__": Op(BINARY, operator.eq),
    "__ne__": Op(BINARY, operator.ne),
    "__gt__": Op(BINARY, operator.gt),
    "__ge__": Op(BINARY, operator.ge),
    # containers and iteration
    "__len__": Op(UNARY, len),
    "__length_hint__": Op(UNARY, operator.length_hint),
    "__getitem__": Op(BINARY, operator.getitem),
    "__setitem__": Op(VARIADIC, operator.setitem),
    "__delitem__": Op(BINARY, operator.delitem),
    "__contains__": Op(BINARY, operator.contains),
    "__iter__": Op(UNARY, iter),
    "__next__": Op(UNARY, next),
    "__reversed__": Op(UNARY, reversed),
    # unary arithmetic and numeric conversions
    "__neg__": Op(UNARY, operator.neg),
    "__pos__": Op(UNARY, operator.pos),
    "__abs__": Op(UNARY, abs),
    "__invert__": Op(UNARY, operator.invert),
    "__complex__": Op(UNARY, complex),
    "__int__": Op(UNARY, int),
    "__float__": Op(UNARY, float),
    "__index__": Op(UNARY, operator.index),
    "__trunc__": Op(UNARY, math.trunc),
    "__floor__": Op(UNARY, math.floor),
    "__ceil__": Op(UNARY, math.ceil),
    # binary arithmetic: forward, reflected and in place
    **_arithmetic("add", operator.add, operator.iadd, "+="),
    **_arithmetic("sub", operator.sub, operator.isub, "-="),
    **_arithmetic("mul", operator.mul, operator.imul, "*="),
    **_arithmetic("matmul", operator.matmul, operator.imatmul, "@="),
    **_arithmetic("truediv", operator.truediv, operator.itruediv, "/="),
    **_arithmetic("floordiv", operator.floordiv, operator.ifloordiv, "//="),
    **_arithmetic("mod", operator.mod, operator.imod, "%="),
    **_arithmetic("lshift", operator.lshift, operator.ilshift, "<<="),
    **_arithmetic("rshift", operator.rshift, operator.irshift, ">>="),
    **_arithmetic("and", operator.and_, operator.iand, "&="),
    **_arithmetic("xor", operator.xor, operator.ixor, "^="),
    **_arithmetic("or", operator.or_, operator.ior, "|="),
    "__divmod__": Op(BINARY, divmod),
    "__rdivmod__": Op(REFLECTED, divmod),
    # context managers, awaiting, async iteration, paths
    "__enter__": Op(UNARY, _special("__enter__")),
    "__exit__": Op(VARIADIC, _special("__exit__")),
    "__aenter__": Op(UNARY, _special("__aenter__")),
    "__aexit__": Op(VARIADIC, _special("__aexit__")),
    "__await__": Op(UNARY, _special("__await__")),
    "__aiter__": Op(UNARY, _special("__aiter__")),
    "__anext__": Op(UNARY, _special("__anext__")),
    "__fspath__": Op(UNARY, os.fspath),
}


def _method(name: str, op: Op) -> Callable[..., Any]:
    """Build the proxy's method for one row (fixed arities: ``*args`` costs a tuple)."""
    func = op.func
    if op.form == UNARY:

        def method(self: LocalProxy[Any]) -> Any:
            return func(_target(self))

    elif op.form == BINARY:

        def method(self: LocalProxy[Any], other: Any) -> Any:  # type: ignore[misc]
            return func(_target(self), other)

    elif op.form == REFLECTED:

        def method(self: LocalProxy[Any], other: Any) -> Any:  # type: ignore[misc]
            return func(other, _target(self))

    elif op.form == INPLACE:
        symbol = op.symbol

        def method(self: LocalProxy[Any], other: Any) -> Any:  # type: ignore[misc]
            return _inplace(self, func, symbol, other)

    else:

        def method(self: LocalProxy[Any], *args: Any) -> Any:  # type: ignore[misc]
            return func(_target(self), *args)

    method.__name__ = method.__qualname__ = name
    return method


for _name, _op in OPERATIONS.items():
    setattr(LocalProxy, _name, _method(_name, _op))
del _name, _op
