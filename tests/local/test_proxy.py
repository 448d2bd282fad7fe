"""LocalProxy: every source kind, the whole data model, unbound fallbacks and errors."""

from __future__ import annotations

import asyncio
import contextvars
import copy
import functools
import inspect
import math
import operator
import os
import pickle
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

from ctxcore import LocalProxy, LocalStack

_var: contextvars.ContextVar[Any] = contextvars.ContextVar("ctxcore.test.proxy")


@pytest.fixture
def bound(impl: ModuleType) -> Callable[[Any], Any]:
    """Make a proxy over a fresh ContextVar holding a value in the current context."""

    def make(value: Any) -> LocalProxy[Any]:
        var: contextvars.ContextVar[Any] = contextvars.ContextVar("ctxcore.test.bound")
        var.set(value)
        proxy: LocalProxy[Any] = impl.LocalProxy(var)
        return proxy

    return make


@pytest.fixture
def unbound(impl: ModuleType) -> Callable[[], Any]:
    """Make a proxy over a ContextVar that holds nothing."""
    return lambda: impl.LocalProxy(contextvars.ContextVar("ctxcore.test.unbound"))


# -- sources ---------------------------------------------------------------------------


def test_local_source_with_dotted_name(impl: ModuleType) -> None:
    local = impl.Local()
    proxy = impl.LocalProxy(local, "user.name")
    assert not proxy
    local.user = type("User", (), {"name": "ada"})()
    assert proxy == "ada"
    assert proxy.upper() == "ADA"


def test_local_stack_source_with_and_without_name(impl: ModuleType) -> None:
    stack: LocalStack[Any] = impl.LocalStack()
    top = impl.LocalProxy(stack)
    attr = stack("real")
    assert repr(top) == "<LocalProxy unbound>"
    stack.push(3 + 4j)
    assert top == 3 + 4j
    assert attr == 3.0
    stack.push(1j)
    assert attr == 0.0
    stack.pop()
    stack.pop()
    assert not top


def test_context_var_source_with_name(impl: ModuleType) -> None:
    var: contextvars.ContextVar[Any] = contextvars.ContextVar("ctxcore.test.named")
    proxy = impl.LocalProxy(var, "__name__")
    var.set(math)
    assert proxy == "math"


def test_callable_and_partial_sources(impl: ModuleType) -> None:
    registry = {"request": "req-1"}

    def lookup(name: str) -> str:
        return registry[name]

    proxy = impl.LocalProxy(functools.partial(lookup, "request"))
    assert proxy.startswith("req")
    registry["request"] = "req-2"
    assert proxy == "req-2"
    attr = impl.LocalProxy(lambda: registry, "__len__")
    assert attr() == 1


def test_callable_source_errors_propagate(impl: ModuleType) -> None:
    def failing() -> Any:
        raise RuntimeError("no request here")

    with pytest.raises(RuntimeError, match="no request here"):
        impl.LocalProxy(failing).anything


def test_get_current_object(bound: Callable[[Any], Any]) -> None:
    target = [1]
    assert bound(target)._get_current_object() is target


def test_wrapped_is_the_targets_when_bound_and_the_source_when_unbound(
    impl: ModuleType, bound: Callable[[Any], Any]
) -> None:
    """As werkzeug's: inspect.unwrap stops at a target without __wrapped__."""
    with pytest.raises(AttributeError):
        bound([1]).__wrapped__

    @functools.wraps(len)
    def decorated(obj: Any) -> int:
        return len(obj)

    assert bound(decorated).__wrapped__ is len
    assert inspect.unwrap(bound([1])) is not None
    var: contextvars.ContextVar[Any] = contextvars.ContextVar("ctxcore.test.wrapped")
    assert impl.LocalProxy(var).__wrapped__ is var


def test_unbound_get_current_object_raises_runtime_error(unbound: Callable[[], Any]) -> None:
    with pytest.raises(RuntimeError, match=r"ctxcore\.test\.unbound"):
        unbound()._get_current_object()


# -- unbound behaviour -----------------------------------------------------------------


def test_unbound_fallbacks(unbound: Callable[[], Any], impl: ModuleType) -> None:
    proxy = unbound()
    assert repr(proxy) == "<LocalProxy unbound>"
    assert bool(proxy) is False
    assert dir(proxy) == []
    assert proxy.__class__ is impl.LocalProxy
    assert isinstance(proxy, impl.LocalProxy)
    assert isinstance(proxy.__wrapped__, contextvars.ContextVar)


@pytest.mark.parametrize(
    "use",
    [
        lambda p: p.attr,
        lambda p: p(),
        lambda p: p[0],
        len,
        lambda p: p + 1,
        lambda p: 1 + p,
        str,
        hash,
        lambda p: p == 1,
        iter,
        lambda p: setattr(p, "x", 1),
    ],
)
def test_unbound_use_raises_runtime_error_naming_the_fix(
    unbound: Callable[[], Any], use: Callable[[Any], Any]
) -> None:
    with pytest.raises(RuntimeError, match=r"nothing is bound to ContextVar .*Push a context"):
        use(unbound())


def test_custom_unbound_message(impl: ModuleType) -> None:
    proxy = impl.LocalProxy(contextvars.ContextVar("v"), unbound_message="no app here")
    with pytest.raises(RuntimeError, match=r"^no app here$"):
        proxy.name


def test_unbound_message_names_a_local_source(impl: ModuleType) -> None:
    proxy = impl.LocalProxy(impl.Local(), "user")
    with pytest.raises(RuntimeError, match="attribute 'user'"):
        proxy.name


# -- data model ------------------------------------------------------------------------


def test_string_conversions_and_format(bound: Callable[[Any], Any]) -> None:
    proxy = bound(3.14159)
    assert str(proxy) == "3.14159"
    assert repr(proxy) == "3.14159"
    assert f"{proxy:.2f}" == "3.14"
    assert bytes(bound(b"ab")) == b"ab"


def test_comparisons_and_hash(bound: Callable[[Any], Any]) -> None:
    proxy = bound(5)
    assert proxy == 5
    assert proxy != 6
    assert proxy < 6
    assert proxy <= 5
    assert proxy > 4
    assert proxy >= 5
    assert hash(proxy) == hash(5)
    assert {proxy: "x"}[5] == "x"


def test_attribute_get_set_delete_and_dir(bound: Callable[[Any], Any]) -> None:
    class Box:
        pass

    box = Box()
    proxy = bound(box)
    proxy.color = "red"
    assert box.color == "red"  # type: ignore[attr-defined]
    assert proxy.color == "red"
    assert "color" in dir(proxy)
    del proxy.color
    assert not hasattr(box, "color")
    with pytest.raises(AttributeError):
        proxy.color


def test_class_isinstance_issubclass(bound: Callable[[Any], Any]) -> None:
    proxy = bound([1])
    assert proxy.__class__ is list
    assert isinstance(proxy, list)
    klass = bound(bool)
    assert issubclass(klass, int)  # through the forwarded __bases__
    assert isinstance(True, klass)
    assert issubclass(bool, klass)
    assert not isinstance(1, klass)


def test_call_len_length_hint_and_containers(bound: Callable[[Any], Any]) -> None:
    assert bound(lambda x, y=1: x + y)(1, y=2) == 3
    data = bound([3, 1, 2])
    assert len(data) == 3
    assert operator.length_hint(data) == 3
    assert data[0] == 3
    data[0] = 9
    assert data[0] == 9
    del data[0]
    assert list(data) == [1, 2]
    assert list(reversed(data)) == [2, 1]
    assert 2 in data
    assert 7 not in data
    it = bound(iter([1, 2]))
    assert next(it) == 1
    assert list(it) == [2]


def test_binary_and_reflected_operators(bound: Callable[[Any], Any]) -> None:
    n = bound(7)
    assert (n + 1, 1 + n) == (8, 8)
    assert (n - 1, 10 - n) == (6, 3)
    assert (n * 2, 2 * n) == (14, 14)
    assert (n / 2, 14 / n) == (3.5, 2.0)
    assert (n // 2, 15 // n) == (3, 2)
    assert (n % 4, 15 % n) == (3, 1)
    assert (divmod(n, 2), divmod(15, n)) == ((3, 1), (2, 1))
    assert (n**2, 2**n, pow(n, 2, 5)) == (49, 128, 4)
    assert (n << 1, 1 << n) == (14, 128)
    assert (n >> 1, 256 >> n) == (3, 2)
    assert (n & 3, 3 & n) == (3, 3)
    assert (n | 8, 8 | n) == (15, 15)
    assert (n ^ 1, 1 ^ n) == (6, 6)


def test_matmul_both_ways(bound: Callable[[Any], Any]) -> None:
    class Matrix:
        def __matmul__(self, other: Any) -> str:
            return "left"

        def __rmatmul__(self, other: Any) -> str:
            return "right"

    proxy = bound(Matrix())
    assert proxy @ 1 == "left"
    assert 1 @ proxy == "right"


def test_in_place_operators_mutate_mutable_targets(bound: Callable[[Any], Any]) -> None:
    target = [1]
    proxy = bound(target)
    original = proxy
    proxy += [2]
    assert proxy is original
    assert target == [1, 2]
    flags = bound({1})
    flags |= {2}
    flags &= {2}
    assert flags == {2}


@pytest.mark.parametrize(
    ("value", "op"),
    [
        (1, operator.iadd),
        (1, operator.isub),
        ("a", operator.imul),
        ((1,), operator.iadd),
        (2, operator.ipow),
        (4, operator.itruediv),
        (4, operator.ifloordiv),
        (4, operator.imod),
        (4, operator.ilshift),
        (4, operator.irshift),
        (4, operator.iand),
        (4, operator.ior),
        (4, operator.ixor),
    ],
)
def test_in_place_operators_on_immutable_targets_raise(
    bound: Callable[[Any], Any], value: Any, op: Any
) -> None:
    proxy = bound(value)
    other = 2 if not isinstance(value, tuple) else (2,)
    with pytest.raises(TypeError, match="cannot store"):
        op(proxy, other)
    assert proxy._get_current_object() == value


def test_unary_and_numeric_conversions(bound: Callable[[Any], Any]) -> None:
    n = bound(-2.5)
    assert (-n, +n, abs(n)) == (2.5, -2.5, 2.5)
    assert ~bound(5) == -6
    assert (int(n), float(n), complex(n)) == (-2, -2.5, -2.5 + 0j)
    assert operator.index(bound(3)) == 3
    assert [0, 1, 2, 3][bound(3)] == 3
    assert (round(bound(2.567), 2), round(bound(2.5))) == (2.57, 2)
    assert (math.trunc(n), math.floor(n), math.ceil(n)) == (-2, -3, -2)


def test_context_managers_sync_and_async(bound: Callable[[Any], Any]) -> None:
    events: list[str] = []

    class Manager:
        def __enter__(self) -> str:
            events.append("enter")
            return "inside"

        def __exit__(self, *exc: Any) -> bool:
            events.append(f"exit {exc[0].__name__ if exc[0] else None}")
            return True

        async def __aenter__(self) -> str:
            events.append("aenter")
            return "ainside"

        async def __aexit__(self, *exc: Any) -> None:
            events.append("aexit")

    proxy = bound(Manager())
    with proxy as value:
        assert value == "inside"
        raise KeyError("suppressed by __exit__")

    async def use() -> str:
        async with proxy as avalue:
            return str(avalue)

    assert asyncio.run(use()) == "ainside"
    assert events == ["enter", "exit KeyError", "aenter", "aexit"]


def test_await_aiter_anext(bound: Callable[[Any], Any]) -> None:
    async def numbers() -> Any:
        for i in range(3):
            yield i

    async def main() -> tuple[int, list[int]]:
        future = asyncio.get_running_loop().create_future()
        future.set_result(42)
        awaited = await bound(future)
        gen = bound(numbers())
        first = await gen.__anext__()
        rest = [i async for i in gen]
        return awaited, [first, *rest]

    assert asyncio.run(main()) == (42, [0, 1, 2])


def test_copy_and_deepcopy_copy_the_target(bound: Callable[[Any], Any], impl: ModuleType) -> None:
    target = {"a": [1]}
    proxy = bound(target)
    shallow = copy.copy(proxy)
    deep = copy.deepcopy(proxy)
    assert shallow == target
    assert shallow is not target
    assert shallow["a"] is target["a"]
    assert deep["a"] is not target["a"]
    assert not isinstance(shallow, impl.LocalProxy)


def test_fspath_and_pickle_forward_to_target(bound: Callable[[Any], Any]) -> None:
    assert os.fspath(bound("/tmp")) == "/tmp"
    assert pickle.loads(pickle.dumps(bound([1, 2]))) == [1, 2]


def test_generic_alias_construction() -> None:
    var: contextvars.ContextVar[int] = contextvars.ContextVar("ctxcore.test.generic")
    proxy = LocalProxy[int](var)
    var.set(3)
    assert proxy + 1 == 4


def test_docstring_and_name_forwarded(bound: Callable[[Any], Any]) -> None:
    proxy = bound(math.sqrt)
    assert proxy.__name__ == "sqrt"
    assert proxy.__doc__ == math.sqrt.__doc__


def test_generator_proxy_iteration(bound: Callable[[Any], Any]) -> None:
    def gen() -> Iterator[int]:
        yield from range(3)

    assert list(bound(gen())) == [0, 1, 2]


# -- construction errors ---------------------------------------------------------------


def test_local_without_name_is_rejected(impl: ModuleType) -> None:
    with pytest.raises(TypeError, match="needs a name"):
        impl.LocalProxy(impl.Local())


@pytest.mark.parametrize("source", [42, "text", [1, 2], None])
def test_unsupported_source_is_rejected_at_construction(impl: ModuleType, source: Any) -> None:
    with pytest.raises(TypeError, match="cannot proxy"):
        impl.LocalProxy(source)


def test_non_string_name_is_rejected(impl: ModuleType) -> None:
    with pytest.raises(TypeError, match="name must be a string"):
        impl.LocalProxy(impl.Local(), 3)  # type: ignore[arg-type]


def test_unbound_proxy_answers_doc_and_wrapped_for_help(impl: ModuleType) -> None:
    var: contextvars.ContextVar[Any] = contextvars.ContextVar("unbound.doc")
    proxy = impl.LocalProxy(var)
    assert proxy.__doc__ == impl.LocalProxy.__doc__
    assert proxy.__wrapped__ is var
