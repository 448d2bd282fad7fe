"""Property-based checks: any interleaving of workers equals each worker run alone."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctxcore import Local, LocalStack
from tests.backends import AsyncioBackend, Backend, GreenletBackend, ThreadBackend, Worker

NAMES = ("a", "b", "c")
Op = tuple[str, str, int]

ops = st.one_of(
    st.tuples(st.just("set"), st.sampled_from(NAMES), st.integers(0, 99)),
    st.tuples(st.just("del"), st.sampled_from(NAMES), st.just(0)),
    st.tuples(st.just("get"), st.sampled_from(NAMES), st.just(0)),
    st.tuples(st.just("push"), st.just(""), st.integers(0, 99)),
    st.tuples(st.just("pop"), st.just(""), st.just(0)),
    st.tuples(st.just("pause"), st.just(""), st.just(0)),
)
programs = st.lists(st.lists(ops, max_size=12), min_size=1, max_size=6)


def model(program: list[Op]) -> list[Any]:
    """What one worker observes when it runs alone, with plain dict and list state."""
    attrs: dict[str, int] = {}
    items: list[int] = []
    out: list[Any] = []
    for op, name, value in program:
        if op == "set":
            attrs[name] = value
        elif op == "del":
            out.append(attrs.pop(name, "missing"))
        elif op == "get":
            out.append(attrs.get(name, "missing"))
        elif op == "push":
            items.append(value)
        elif op == "pop":
            out.append(items.pop() if items else None)
    out.append((sorted(attrs.items()), list(items)))
    return out


def run(program: list[Op], local: Local, stack: LocalStack[int]) -> Worker:
    out: list[Any] = []
    for op, name, value in program:
        if op == "set":
            setattr(local, name, value)
        elif op == "del":
            current = getattr(local, name, "missing")
            if current != "missing":
                delattr(local, name)
            out.append(current)
        elif op == "get":
            out.append(getattr(local, name, "missing"))
        elif op == "push":
            stack.push(value)
        elif op == "pop":
            out.append(stack.pop())
        else:
            yield
    out.append((sorted(local), stack.items()))
    return out


def check(impl: ModuleType, backend: Backend, worker_programs: list[list[Op]], ident: str) -> None:
    local = impl.Local(ident=ident)  # type: ignore[arg-type]
    stack: LocalStack[int] = impl.LocalStack(ident=ident)  # type: ignore[arg-type]
    results = backend.run([run(program, local, stack) for program in worker_programs])
    assert results == [model(program) for program in worker_programs]


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(programs)
def test_thread_workers_match_the_model(impl: ModuleType, worker_programs: list[list[Op]]) -> None:
    check(impl, ThreadBackend(), worker_programs, "context")
    check(impl, ThreadBackend(), worker_programs, "thread")


@SETTINGS
@given(programs)
def test_asyncio_tasks_match_the_model(impl: ModuleType, worker_programs: list[list[Op]]) -> None:
    check(impl, AsyncioBackend(), worker_programs, "context")


@SETTINGS
@given(programs)
def test_greenlets_match_the_model(impl: ModuleType, worker_programs: list[list[Op]]) -> None:
    check(impl, GreenletBackend(), worker_programs, "context")
    check(impl, GreenletBackend(), worker_programs, "greenlet")


snapshot_ops = st.lists(
    st.one_of(
        st.tuples(st.just("set"), st.sampled_from(NAMES), st.integers(0, 99)),
        st.tuples(st.just("del"), st.sampled_from(NAMES), st.just(0)),
        st.tuples(st.just("copy"), st.just(""), st.just(0)),
        st.tuples(st.just("in-copy"), st.sampled_from(NAMES), st.integers(100, 199)),
    ),
    max_size=30,
)


@SETTINGS
@given(snapshot_ops)
def test_context_copies_keep_the_values_of_their_copy_time(
    impl: ModuleType, program: list[Op]
) -> None:
    """Writes in a context never show in copies taken earlier, and the reverse."""
    import contextvars

    local = impl.Local()
    current: dict[str, int] = {}
    copies: list[tuple[contextvars.Context, dict[str, int]]] = []
    for op, name, value in program:
        if op == "set":
            setattr(local, name, value)
            current[name] = value
        elif op == "del" and name in current:
            delattr(local, name)
            del current[name]
        elif op == "copy":
            copies.append((contextvars.copy_context(), dict(current)))
        elif op == "in-copy" and copies:
            ctx, expected = copies[-1]
            ctx.run(setattr, local, name, value)
            expected[name] = value
        assert dict(local) == current
        for ctx, expected in copies:
            assert ctx.run(lambda: dict(local)) == expected
