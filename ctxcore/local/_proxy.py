"""LocalProxy's shared half: its rules, messages, lookups and data model.

Both implementations build their proxy from this module: the pure-Python
``_py.LocalProxy`` and the C ``_c.LocalProxy``, to which ``ctxcore.local`` hands
:data:`UNBOUND`, :data:`OWN` and :data:`UNBOUND_OWN` at import. Each supplies only how
to resolve its target (attribute access, the hot path, is its own); every other special
method comes from :func:`data_model`, written once here.
"""

from __future__ import annotations

import copy
import math
import operator
import os
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, Generic, NamedTuple, TypeVar

__all__ = ["OWN", "UNBOUND", "UNBOUND_OWN", "ProxyMethods", "data_model", "make_lookup"]

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

#: Names a proxy answers itself, bound or not.
OWN = frozenset({"_get_current_object", "_ctxcore_lookup", "_ctxcore_message"})
#: Names an unbound proxy answers itself (``__class__`` the proxy's type, ``__doc__`` its
#: docstring, ``__wrapped__`` the source), as werkzeug's does; bound, they are forwarded.
UNBOUND_OWN = frozenset({"__class__", "__doc__", "__wrapped__"})

#: Why ``LocalProxy(local)`` without a name is refused.
NEEDS_A_NAME = "LocalProxy(Local) needs a name: LocalProxy(local, 'attribute')"


def _hook(source: object, name: str) -> Any:
    # Looked up on the type: a Local's instances intercept attribute access.
    return getattr(type(source), name, None)


def _describe_source(source: object, name: str | None) -> str:
    describe = _hook(source, "_ctxcore_proxy_describe")
    if describe is not None:
        return str(describe(source, name))
    attr = f" attribute {name!r}" if name else ""
    if isinstance(source, ContextVar):
        return f"ContextVar {source.name!r}{attr}"
    target = getattr(source, "__qualname__", None) or repr(source)
    return f"the result of {target}(){attr}"


def checked_message(source: object, name: str | None, unbound_message: str | None) -> str:
    """Check a proxy's ``name`` and return its unbound message (given, or the default)."""
    if name is not None and not isinstance(name, str):
        raise TypeError(f"name must be a string, not {type(name).__name__}")
    if unbound_message is not None:
        return unbound_message
    return (
        f"Working outside of a context: nothing is bound to {_describe_source(source, name)} "
        "here. Push a context first (for example 'with app.app_context():' or "
        "'with app.request_context(environ):'), carry the current one into this thread, "
        "greenlet or task with ctxcore.copy_current_context() or "
        "copy_current_request_context, or pass the value explicitly."
    )


#: ``build(kind, source, names, fallback)``: one implementation's lookup of a kind.
Build = Callable[[str, Any, tuple[str, ...], Any], Callable[[], Any]]


def make_lookup(source: object, name: str | None, fallback: Any, build: Build) -> Any:
    """Classify a proxy's source and have ``build`` make its zero-argument lookup.

    Kinds: ``"local"`` (attribute ``name`` of a Local), ``"stack"`` (a LocalStack's
    top), ``"var"`` (a ContextVar), ``"call"`` (any callable). The lookup returns the
    target, or :data:`UNBOUND`; when the source itself holds nothing and ``fallback`` is
    given, ``fallback()`` is the answer instead (it may return :data:`UNBOUND` too).
    """
    kind = _hook(source, "_ctxcore_proxy_kind")
    if kind is None and isinstance(source, ContextVar):
        kind = "var"
    elif kind is None and callable(source):
        kind = "call"
    elif kind is None:
        raise TypeError(
            f"LocalProxy cannot proxy a {type(source).__name__}: give it a Local and a name, "
            "a LocalStack, a ContextVar or a callable returning the object"
        )
    if kind == "local" and name is None:
        raise TypeError(NEEDS_A_NAME)
    if fallback is not None and not callable(fallback):
        raise TypeError(f"fallback must be callable, not {type(fallback).__name__}")
    names = () if name is None else tuple(name.split("."))
    return build(kind, source, names, fallback)


def then_attribute(get: Callable[[], Any], names: tuple[str, ...], fallback: Any) -> Any:
    """``get()``'s attribute ``names`` (in turn), or ``fallback()`` when it is UNBOUND."""
    if not names and fallback is None:
        return get
    get_name = operator.attrgetter(".".join(names)) if names else None

    def named_lookup() -> Any:
        obj = get()
        if obj is UNBOUND:
            return UNBOUND if fallback is None else fallback()
        return obj if get_name is None else get_name(obj)

    return named_lookup


class ProxyMethods(Generic[T]):
    """Both proxies' base: what :func:`data_model` does not hold (typing, the docstring)."""

    __slots__ = ()


PROXY_DOC = """Forward every operation to the current object of a context-local source.

    :param local: where the object lives: a :class:`Local` (with ``name``), a
        :class:`LocalStack` (its top), a ``ContextVar``, or any callable returning the
        object (a ``functools.partial(lookup, "request")`` included).
    :param name: an attribute (dotted names allowed) to take from the object.
    :param unbound_message: the ``RuntimeError`` message when nothing is bound.
    :param fallback: called for the object when the source holds nothing (for example
        an empty stack); it may return :data:`UNBOUND`.

    The proxy forwards attribute access, calls, operators, iteration, context managers,
    awaiting, copying and more. When nothing is bound, ``repr`` says so, ``bool`` is
    ``False``, ``dir`` is empty, ``__class__`` is the proxy type, ``__wrapped__`` the
    source and everything else raises ``RuntimeError``. In-place operators on immutable
    targets raise ``TypeError`` instead of silently dropping the result.
    """
ProxyMethods.__doc__ = PROXY_DOC


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


#: Every special method the proxy forwards, declared once. :func:`data_model` holds
#: those that need more than a row (repr/bool/dir with their unbound fallbacks, setattr,
#: round and pow with optional operands); attribute reads are each implementation's own.
OPERATIONS: dict[str, Op] = {
    # conversions, hashing, calls, copies, attributes, type checks
    "__str__": Op(UNARY, str),
    "__bytes__": Op(UNARY, bytes),
    "__format__": Op(BINARY, format),
    "__hash__": Op(UNARY, hash),
    "__copy__": Op(UNARY, copy.copy),
    "__deepcopy__": Op(BINARY, copy.deepcopy),
    "__delattr__": Op(BINARY, delattr),
    "__rpow__": Op(REFLECTED, pow),
    "__instancecheck__": Op(REFLECTED, isinstance),
    "__subclasscheck__": Op(REFLECTED, issubclass),
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


def data_model(
    lookup: Callable[[Any], Callable[[], Any]],
    message: Callable[[Any], str],
    target: Callable[[Any], Any],
) -> dict[str, Callable[..., Any]]:
    """Every special method a proxy forwards, on one implementation's helpers.

    ``lookup(proxy)`` returns the proxy's lookup, ``message(proxy)`` its unbound message,
    ``target(proxy)`` its object or the ``RuntimeError``. Closures over them, so each
    implementation gets the same methods at the speed of its own helpers.
    """

    def _get_current_object(self: Any) -> Any:
        """Return the object the proxy currently stands for.

        Raises ``RuntimeError`` (with the unbound message) if nothing is bound.
        """
        return target(self)

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if name == "__orig_class__":
            return  # typing records the alias used to build the proxy; nothing to forward
        setattr(target(self), name, value)

    def __call__(self: Any, *args: Any, **kwargs: Any) -> Any:
        return target(self)(*args, **kwargs)

    def __dir__(self: Any) -> list[str]:
        obj = lookup(self)()
        return [] if obj is UNBOUND else dir(obj)

    def __repr__(self: Any) -> str:
        obj = lookup(self)()
        return f"<{type(self).__name__} unbound>" if obj is UNBOUND else repr(obj)

    def __bool__(self: Any) -> bool:
        obj = lookup(self)()
        return False if obj is UNBOUND else bool(obj)

    def __round__(self: Any, ndigits: int | None = None) -> Any:
        obj = target(self)
        return round(obj) if ndigits is None else round(obj, ndigits)

    def __pow__(self: Any, other: Any, modulo: Any = None) -> Any:
        obj = target(self)
        return pow(obj, other) if modulo is None else pow(obj, other, modulo)

    def __ipow__(self: Any, other: Any, modulo: Any = None) -> Any:
        return inplace(self, operator.ipow, "**=", other)

    def inplace(proxy: Any, op: Callable[[Any, Any], Any], symbol: str, other: Any) -> Any:
        obj = target(proxy)
        if op(obj, other) is not obj:
            raise TypeError(
                f"'{symbol}' through a LocalProxy needs a target that changes in place, but "
                f"{type(obj).__name__} returned a new object that the proxy cannot store. "
                f"Assign to the source instead (for example g.count = g.count {symbol[:-1]} 1)."
            )
        return proxy

    methods: dict[str, Callable[..., Any]] = {
        name: func
        for name, func in locals().items()
        if name.startswith("_") and callable(func) and name not in {"inplace"}
    }
    for name, op in OPERATIONS.items():
        methods[name] = _method(name, op, target, inplace)
    return methods


def _method(name: str, op: Op, target: Callable[[Any], Any], inplace: Any) -> Any:
    """Build the proxy's method for one row (fixed arities: ``*args`` costs a tuple)."""
    func = op.func
    if op.form == UNARY:

        def method(self: Any) -> Any:
            return func(target(self))

    elif op.form == BINARY:

        def method(self: Any, other: Any) -> Any:  # type: ignore[misc]
            return func(target(self), other)

    elif op.form == REFLECTED:

        def method(self: Any, other: Any) -> Any:  # type: ignore[misc]
            return func(other, target(self))

    elif op.form == INPLACE:
        symbol = op.symbol

        def method(self: Any, other: Any) -> Any:  # type: ignore[misc]
            return inplace(self, func, symbol, other)

    else:

        def method(self: Any, *args: Any) -> Any:  # type: ignore[misc]
            return func(target(self), *args)

    method.__name__ = method.__qualname__ = name
    return method
