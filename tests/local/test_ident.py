"""Ident sources: validation, the process-wide default and its environment variable."""

from __future__ import annotations

import contextvars
import subprocess
import sys
import threading
from types import ModuleType
from typing import Any

import pytest

import ctxcore


@pytest.mark.parametrize("kind", ["Local", "LocalStack"])
def test_unknown_ident_string_is_a_value_error(impl: ModuleType, kind: str) -> None:
    with pytest.raises(ValueError, match=r"unknown ident 'task'.*use 'context'"):
        getattr(impl, kind)(ident="task")


@pytest.mark.parametrize("kind", ["Local", "LocalStack"])
@pytest.mark.parametrize("ident", [3, 2.5, b"context", object()])
def test_non_callable_non_string_ident_is_a_type_error(
    impl: ModuleType, kind: str, ident: Any
) -> None:
    with pytest.raises(TypeError, match="ident must be a string or a callable"):
        getattr(impl, kind)(ident=ident)


@pytest.mark.parametrize("kind", ["Local", "LocalStack"])
def test_greenlet_ident_without_greenlet_says_what_to_use(
    impl: ModuleType, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "greenlet", None)  # makes "import greenlet" fail
    with pytest.raises(ValueError, match=r"needs the greenlet package.*ident='context'"):
        getattr(impl, kind)(ident="greenlet")


@pytest.mark.parametrize("kind", ["Local", "LocalStack"])
def test_context_var_of_wrong_type_is_a_type_error(impl: ModuleType, kind: str) -> None:
    with pytest.raises(TypeError, match=r"context_var must be a contextvars\.ContextVar"):
        getattr(impl, kind)("not a var")


def test_context_var_with_other_ident_is_a_value_error(impl: ModuleType) -> None:
    var: contextvars.ContextVar[Any] = contextvars.ContextVar("ctxcore.test.ident")
    with pytest.raises(ValueError, match="only applies to ident='context'"):
        impl.Local(var, ident="thread")


def test_callable_ident_scopes_values(impl: ModuleType) -> None:
    current = {"tenant": "a"}
    local = impl.Local(ident=lambda: current["tenant"])
    local.name = "first"
    current["tenant"] = "b"
    assert not hasattr(local, "name")
    local.name = "second"
    current["tenant"] = "a"
    assert local.name == "first"
    assert ctxcore.live_idents(local) == 2


def test_callable_ident_returning_objects_is_released_with_them(impl: ModuleType) -> None:
    class Session:
        pass

    sessions = [Session(), Session()]
    current = {"session": sessions[0]}
    local = impl.Local(ident=lambda: current["session"])
    local.user = 1
    current["session"] = sessions[1]
    local.user = 2
    assert ctxcore.live_idents(local) == 2
    current["session"] = sessions[1]
    del sessions[0]
    assert ctxcore.live_idents(local) == 1
    assert local.user == 2


def test_thread_ident_shares_values_between_tasks_of_a_thread(impl: ModuleType) -> None:
    import asyncio

    local = impl.Local(ident="thread")

    async def main() -> list[int]:
        local.value = 1

        async def read() -> int:
            return int(local.value)

        return list(await asyncio.gather(read(), read()))

    assert asyncio.run(main()) == [1, 1]
    seen: list[bool] = []
    thread = threading.Thread(target=lambda: seen.append(hasattr(local, "value")))
    thread.start()
    thread.join()
    assert seen == [False]


def test_set_default_ident_applies_to_new_objects_only(impl: ModuleType) -> None:
    before = impl.Local()
    previous = ctxcore.set_default_ident("thread")
    try:
        assert previous == "context"
        after = impl.Local()
        assert type(after)._ctxcore_slot.ident == "thread"
        assert type(before)._ctxcore_slot.ident == "context"
        assert impl.LocalStack().ident == "thread"
    finally:
        ctxcore.set_default_ident(previous)


def test_set_default_ident_validates() -> None:
    with pytest.raises(ValueError, match="unknown ident"):
        ctxcore.set_default_ident("fiber")  # type: ignore[arg-type]
    assert ctxcore.get_default_ident() == "context"


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
        check=False,
    )


def test_environment_variable_sets_the_default() -> None:
    result = _python(
        "import ctxcore; print(ctxcore.get_default_ident(), ctxcore.LocalStack().ident)",
        CTXCORE_IDENT="thread",
    )
    assert result.stdout.split() == ["thread", "thread"], result.stderr


def test_bad_environment_variable_fails_at_import_with_a_clear_error() -> None:
    result = _python("import ctxcore", CTXCORE_IDENT="fibers")
    assert result.returncode != 0
    assert "CTXCORE_IDENT='fibers' is not an ident source" in result.stderr
