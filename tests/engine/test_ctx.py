"""App and request contexts: pushing, popping, teardown, and carrying them elsewhere."""

from __future__ import annotations

import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from ctxcore import (
    App,
    copy_current_request_context,
    current_app,
    g,
    has_app_context,
    has_request_context,
    request,
    session,
    stream_with_context,
)
from ctxcore._stacks import top_app_context

if sys.version_info < (3, 11):
    from exceptiongroup import ExceptionGroup


@pytest.fixture
def app() -> App:
    app = App(__name__)
    app.config["SECRET_KEY"] = "test"
    return app


def test_globals_outside_contexts_say_what_is_missing() -> None:
    assert not has_app_context()
    assert not has_request_context()
    with pytest.raises(RuntimeError, match=r"outside of request context.*test_request_context"):
        request.path
    with pytest.raises(RuntimeError, match=r"outside of application context.*app_context"):
        current_app.name
    with pytest.raises(RuntimeError, match="outside of request context"):
        session.get("x")
    assert not g  # unbound proxies are falsy


def test_request_context_pushes_an_implicit_app_context(app: App) -> None:
    with app.test_request_context("/path?a=1"):
        assert has_request_context()
        assert has_app_context()
        assert current_app._get_current_object() is app
        assert request.args["a"] == "1"
    assert not has_app_context()


def test_request_context_pushes_its_app_over_another_apps_context(app: App) -> None:
    other = App("other")
    with other.app_context(), app.test_request_context("/"):
        assert current_app.name == app.name
    assert not has_app_context()


def test_request_context_reuses_the_active_app_context(app: App) -> None:
    with app.app_context() as app_ctx, app.test_request_context("/"):
        assert top_app_context() is app_ctx


def test_nested_repush_tears_down_once_on_last_pop(app: App) -> None:
    torn: list[Any] = []
    app.teardown_appcontext(torn.append)
    ctx = app.app_context()
    with ctx:
        with ctx:
            pass
        assert torn == []
    assert torn == [None]


def test_tokens_check_the_push_they_belong_to(app: App) -> None:
    first, second = app.app_context(), app.app_context()
    token_first = first.push()
    token_second = second.push()
    with pytest.raises(RuntimeError, match="does not belong"):
        second.pop(token=token_first)
    second.pop(token=token_second)
    first.pop(token=token_first)


def test_popping_the_wrong_context_names_both(app: App) -> None:
    outer, inner = app.app_context(), app.app_context()
    outer.push()
    inner.push()
    with pytest.raises(RuntimeError, match=r"wrong context.*AppContext.*is not the active one"):
        outer.pop()
    inner.pop()
    outer.pop()


def test_popping_an_unpushed_context_says_so(app: App) -> None:
    with pytest.raises(RuntimeError, match="no context is active"):
        app.app_context().pop()
    with pytest.raises(RuntimeError, match="no context is active"):
        app.test_request_context("/").pop()


def test_popping_from_another_thread_fails_clearly(app: App) -> None:
    ctx = app.test_request_context("/")
    ctx.push()
    errors: list[str] = []

    def pop_elsewhere() -> None:
        try:
            ctx.pop()
        except RuntimeError as exc:
            errors.append(str(exc))

    thread = threading.Thread(target=pop_elsewhere)
    thread.start()
    thread.join()
    ctx.pop()
    assert len(errors) == 1
    assert "not pushed here" in errors[0]


def test_all_teardown_callbacks_run_and_errors_are_grouped(app: App) -> None:
    ran: list[str] = []

    def failing(name: str) -> Any:
        def callback(exc: BaseException | None) -> None:
            ran.append(name)
            raise ValueError(name)

        return callback

    app.teardown_appcontext(failing("a"))
    app.teardown_appcontext(lambda exc: ran.append("ok"))
    app.teardown_appcontext(failing("b"))
    ctx = app.app_context()
    ctx.push()
    with pytest.raises(ExceptionGroup) as info:
        ctx.pop()
    assert sorted(ran) == ["a", "b", "ok"]
    assert sorted(str(e) for e in info.value.exceptions) == ["a", "b"]
    assert not has_app_context()


def test_a_single_failing_teardown_raises_its_own_error(app: App) -> None:
    def fail(exc: BaseException | None) -> None:
        raise KeyError("only")

    app.teardown_request(fail)
    ctx = app.test_request_context("/")
    ctx.push()
    with pytest.raises(KeyError, match="only"):
        ctx.pop()
    assert not has_request_context()
    assert not has_app_context()


def test_g_namespace_api(app: App) -> None:
    with app.app_context():
        g.user = "ada"
        assert g.get("user") == "ada"
        assert g.get("missing", 3) == 3
        assert "user" in g
        assert g.setdefault("role", "admin") == "admin"
        assert g.setdefault("role", "other") == "admin"
        assert sorted(g) == ["role", "user"]
        assert "ctxcore.g of 'tests.engine.test_ctx'" in repr(g)
        assert g.pop("role") == "admin"
        assert g.pop("role", None) is None
        with pytest.raises(KeyError):
            g.pop("role")


def test_each_request_gets_its_own_g(app: App) -> None:
    @app.route("/<name>")
    def view(name: str) -> str:
        before = g.get("name")
        g.name = name
        return f"{before}-{g.name}"

    client = app.test_client()
    assert [client.get(f"/{n}").get_data(as_text=True) for n in "ab"] == ["None-a", "None-b"]


@pytest.mark.parametrize("ident", ["context", "thread"])
def test_copy_current_request_context_runs_concurrently_in_a_pool(ident: str) -> None:
    app = App(__name__, ident=ident)  # type: ignore[arg-type]
    app.config["SECRET_KEY"] = "s"
    torn: list[Any] = []
    app.teardown_request(torn.append)
    barrier = threading.Barrier(8)

    @app.route("/work")
    def work() -> str:
        session["who"] = "ada"

        @copy_current_request_context
        def job(i: int) -> str:
            barrier.wait(10)
            return f"{i}:{request.path}:{session['who']}:{current_app.name}"

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(job, range(8)))
        return ",".join(results)

    body = app.test_client().get("/work").get_data(as_text=True)
    assert body.split(",") == [f"{i}:/work:ada:{app.name}" for i in range(8)]
    assert torn == [None]  # the copies ran no teardown


def test_copy_current_request_context_outside_a_request_fails() -> None:
    with pytest.raises(RuntimeError, match="needs an active request context"):
        copy_current_request_context(lambda: None)


def test_stream_with_context_keeps_the_request_while_consumed_later(app: App) -> None:
    closed: list[bool] = []

    @app.route("/stream")
    def stream() -> Any:
        def generate() -> Any:
            try:
                yield request.args["a"]
                yield "-"
                yield request.path
            finally:
                closed.append(True)

        return stream_with_context(generate())

    response = app.test_client().get("/stream?a=x", buffered=False)
    assert response.get_data(as_text=True) == "x-/stream"
    response.close()
    assert closed == [True]


def test_stream_with_context_as_decorator_outside_request_fails(app: App) -> None:
    @stream_with_context
    def generate() -> Any:
        yield "x"

    with pytest.raises(RuntimeError, match="needs an active request context"):
        generate()
    with app.test_request_context("/d"):
        assert list(generate()) == ["x"]


def test_plain_generator_response_still_sees_the_request(app: App) -> None:
    @app.route("/gen")
    def gen() -> Any:
        return (part for part in (request.path, "!"))

    assert app.test_client().get("/gen").get_data(as_text=True) == "/gen!"
