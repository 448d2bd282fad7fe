"""Local: isolation, copy-on-write inheritance and the werkzeug-compatible surface."""

from __future__ import annotations

import contextvars
from types import ModuleType
from typing import Any

import pytest

from ctxcore import Local, release_local
from tests.backends import Backend, Worker

WORKERS = 32


def idents_for(backend: Backend) -> list[str]:
    return sorted({"context", backend.native_ident})


def test_workers_never_see_each_others_values(impl: ModuleType, backend: Backend) -> None:
    """Concurrent workers each read back only what they wrote, across many pauses."""
    for ident in idents_for(backend):
        local = impl.Local(ident=ident)  # type: ignore[arg-type]

        def worker(i: int, local: Local = local) -> Worker:
            local.value = i
            seen = []
            for step in range(5):
                yield
                seen.append(local.value)
                local.step = (i, step)
                yield
                assert local.step == (i, step)
            return seen

        results = backend.run([worker(i) for i in range(WORKERS)])
        assert results == [[i] * 5 for i in range(WORKERS)], ident


def test_child_sees_parent_values_at_creation(impl: ModuleType, backend: Backend) -> None:
    """A child started from a worker starts with the worker's values (context ident)."""
    local = impl.Local()

    def child(expected: int) -> Worker:
        yield
        return getattr(local, "value", None), expected

    def parent(i: int) -> Worker:
        local.value = i
        handle = backend.start_child(child(i))
        local.value = -i  # after the child was created: the child must not see it
        seen, expected = yield handle
        return seen == expected

    assert backend.run([parent(i) for i in range(1, 9)]) == [True] * 8


def test_child_writes_never_reach_parent(impl: ModuleType, backend: Backend) -> None:
    """Whatever a child sets or deletes stays in the child."""
    local = impl.Local()

    def child() -> Worker:
        local.value = "child"
        del local.shared
        local.extra = 1
        yield
        return sorted(name for name, _ in local)

    def parent() -> Worker:
        local.value = "parent"
        local.shared = "kept"
        names = yield backend.start_child(child())
        return names, local.value, local.shared, hasattr(local, "extra")

    [result] = backend.run([parent()])
    assert result == (["extra", "value"], "parent", "kept", False)


def test_copied_context_keeps_values_of_the_copy_time(impl: ModuleType) -> None:
    local = impl.Local()
    local.value = 1
    snapshot = contextvars.copy_context()
    local.value = 2
    assert snapshot.run(lambda: local.value) == 1
    snapshot.run(setattr, local, "value", 3)
    assert local.value == 2
    assert snapshot.run(lambda: local.value) == 3


def test_missing_name_raises_attribute_error_naming_the_ident(impl: ModuleType) -> None:
    local = impl.Local()
    with pytest.raises(AttributeError, match=r"'missing'.*current context") as info:
        local.missing
    assert info.value.name == "missing"
    assert getattr(local, "missing", "default") == "default"
    assert not hasattr(local, "missing")


def test_missing_name_in_fresh_context_raises_attribute_error(impl: ModuleType) -> None:
    local = impl.Local()
    local.value = 1
    assert contextvars.Context().run(hasattr, local, "value") is False


def test_delete_missing_raises_attribute_error(impl: ModuleType) -> None:
    local = impl.Local()
    with pytest.raises(AttributeError, match="'gone'"):
        del local.gone


@pytest.mark.parametrize("ident", ["context", "thread", "greenlet"])
def test_set_read_delete_iterate(impl: ModuleType, ident: str) -> None:
    local = impl.Local(ident=ident)  # type: ignore[arg-type]
    local.a = 1
    local.b = [2]
    assert (local.a, local.b) == (1, [2])
    assert dict(local) == {"a": 1, "b": [2]}
    local.a = 10
    assert local.a == 10
    del local.a
    assert not hasattr(local, "a")
    assert dict(local) == {"b": [2]}
    assert "b" in dir(local)
    with pytest.raises(AttributeError):
        del local.a


@pytest.mark.parametrize("ident", ["context", "thread", "greenlet"])
def test_release_local_drops_current_values(impl: ModuleType, ident: str) -> None:
    local = impl.Local(ident=ident)  # type: ignore[arg-type]
    local.a = 1
    release_local(local)
    assert list(local) == []
    local.b = 2
    assert dict(local) == {"b": 2}


def test_iteration_is_a_snapshot(impl: ModuleType) -> None:
    local = impl.Local()
    local.a = 1
    items = iter(local)
    local.b = 2
    assert list(items) == [("a", 1)]


def test_call_returns_a_proxy_to_the_attribute(impl: ModuleType) -> None:
    local = impl.Local()
    proxy = local("user", unbound_message="no user")
    assert isinstance(proxy, impl.LocalProxy)
    with pytest.raises(RuntimeError, match="no user"):
        proxy.name
    local.user = "ada"
    assert proxy.upper() == "ADA"


def test_dunder_names_resolve_to_the_local_itself(impl: ModuleType) -> None:
    local = impl.Local()
    local.value = 1
    assert local.__class__ is type(local)
    assert isinstance(local, impl.Local)
    assert type(local).__name__ == "Local"
    assert "Local" in repr(local)
    assert callable(local.__release_local__)


def test_context_var_argument_is_used_for_storage(impl: ModuleType) -> None:
    var: contextvars.ContextVar[Any] = contextvars.ContextVar("ctxcore.test.storage")
    local = impl.Local(var)
    local.value = 1
    assert var.get() is not None
    assert contextvars.copy_context()[var] is var.get()


def test_subclass_class_attributes_act_as_defaults(impl: ModuleType) -> None:
    class Settings(impl.Local):  # type: ignore[name-defined,misc]
        color = "blue"

        def shout(self) -> str:
            return str(self.color).upper()

    settings = Settings()
    assert isinstance(settings, Settings)
    assert settings.color == "blue"
    settings.color = "red"
    assert settings.shout() == "RED"
    assert contextvars.Context().run(lambda: settings.color) == "blue"


def test_werkzeug_code_runs_unchanged() -> None:
    """A snippet written against werkzeug.local behaves the same with ctxcore."""
    werkzeug_local = pytest.importorskip("werkzeug.local")
    import ctxcore

    def program(mod: Any) -> list[Any]:
        local = mod.Local()
        stack = mod.LocalStack()
        out: list[Any] = []
        local.user = "ada"
        out.append(local.user)
        out.append(sorted(dict(local)))
        stack.push({"id": 1})
        stack.push({"id": 2})
        out.append(stack.top["id"])
        proxy = mod.LocalProxy(local, "user")
        out.append(proxy.upper())
        top = stack()
        out.append(top["id"])
        out.append(stack.pop()["id"])
        out.append(stack.pop()["id"])
        out.append(stack.pop())
        out.append(stack.top)
        mod.release_local(local)
        out.append(getattr(local, "user", None))
        return out

    assert program(ctxcore) == program(werkzeug_local)


@pytest.mark.parametrize(("kind", "value"), [("Local", {"a": 1}), ("LocalStack", [1, 2])])
def test_a_context_var_holding_werkzeugs_format_is_refused_by_name(
    impl: ModuleType, kind: str, value: Any
) -> None:
    var: contextvars.ContextVar[Any] = contextvars.ContextVar("werkzeug.shaped")
    var.set(value)
    with pytest.raises(TypeError, match=r"context_var 'werkzeug.shaped' already holds a"):
        getattr(impl, kind)(var)


def test_a_context_var_holding_a_locals_values_is_shared(impl: ModuleType) -> None:
    var: contextvars.ContextVar[Any] = contextvars.ContextVar("shared")
    first = impl.Local(var)
    first.name = "kept"
    assert impl.Local(var).name == "kept"
