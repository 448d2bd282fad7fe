"""The context suite's JSON cases: the same endpoint in every framework, and its goals."""

from __future__ import annotations

import pytest

from bench import apps, driving, loops
from bench.goals import MET, MISSED, check_goals, target_text
from bench.suites import context
from bench.suites._base import Goal, Impl

CASES = {case.name: case for case in context.CASES}


def test_the_json_cases_compare_ctxcore_with_each_peer() -> None:
    """ASGI async against Starlette, FastAPI and Quart; ASGI sync against the thread
    pools of Starlette and FastAPI; WSGI against Flask; the older cases stay."""
    impls = {name: [impl.name for impl in case.impls] for name, case in CASES.items()}
    assert impls["asgi json, async view"] == ["ctxcore", "starlette", "fastapi", "quart"]
    assert impls["asgi json, sync view"] == ["ctxcore", "starlette", "fastapi"]
    assert impls["wsgi json"] == ["ctxcore", "flask"]
    assert {"push+pop", "wsgi call", "asgi call"} <= set(CASES)


def test_the_goals_table_holds_the_json_goals() -> None:
    goals = {(g.case, g.subject, g.peer): (g.kind, g.factor) for g in context.GOALS}
    assert goals[("asgi json, async view", "ctxcore", "starlette")] == ("at_most", 2.0)
    assert goals[("asgi json, async view", "ctxcore", "fastapi")] == ("faster", 1.0)
    assert goals[("asgi json, async view", "ctxcore", "quart")] == ("faster", 1.0)
    assert goals[("wsgi json", "ctxcore", "flask")] == ("faster", 2.0)
    assert goals[("push+pop", "ctxcore", "flask")] == ("faster", 5.0)
    assert goals[("wsgi call", "ctxcore", "flask")] == ("faster", 2.0)


@pytest.mark.parametrize(("ours", "verdict"), [(190.0, MET), (210.0, MISSED)])
def test_within_2x_starlette_is_ctxcore_time_over_starlette_time(ours: float, verdict: str) -> None:
    """ "Within 2x of Starlette's time": ctxcore's time / Starlette's <= 2 (slower by at most)."""
    goal = next(g for g in context.GOALS if g.peer == "starlette")
    times = {
        "asgi json, async view | ctxcore": (ours, None),
        "asgi json, async view | starlette": (100.0, None),
    }
    (result,) = check_goals((goal,), times)
    assert result.measured == pytest.approx(ours / 100.0)
    assert result.verdict == verdict
    assert target_text(goal) == "<= 2x starlette's time"


def test_a_goal_of_factor_one_reads_as_faster_than() -> None:
    goal = Goal("c", "ctxcore", "quart", "faster", 1.0)
    assert target_text(goal) == "faster than quart"


@pytest.mark.parametrize(
    "impl",
    [
        pytest.param(impl, id=f"{case.name} | {impl.name}")
        for case in context.CASES
        if "json" in case.name
        for impl in case.impls
    ],
)
def test_each_json_app_answers_the_endpoint_before_it_is_timed(impl: Impl) -> None:
    """setup() builds the app and checks its answer once (a 404 would be fast too)."""
    if impl.skipped():
        pytest.skip(f"not installed: {impl.skipped()}")
    assert impl.setup is not None
    assert impl.loop is not None
    assert impl.loop(1, *impl.setup()) > 0  # one timed turn, as pyperf's first


def test_an_asgi_batch_makes_each_request_with_a_fresh_scope() -> None:
    seen: list[dict[str, object]] = []

    async def app(scope: dict[str, object], receive: object, send: object) -> None:
        scope["touched"] = True  # an app may change its scope: the next gets a clean one
        seen.append(scope)

    loop = driving.new_loop()
    try:
        run = driving.asgi_batch(app, driving.asgi_scope("/x"), loop)
        assert loops.batch(3, run) > 0
    finally:
        loop.close()
    assert len(seen) == 3 * loops.INNER
    assert len({id(scope) for scope in seen}) == len(seen)


def test_a_wrong_answer_is_refused() -> None:
    app = apps.build("starlette", "async", "asgi")
    loop = driving.new_loop()
    try:
        scope = driving.asgi_scope("/nowhere", apps.QUERY)
        with pytest.raises(RuntimeError, match="answered 404"):
            driving.check_json("starlette", driving.asgi_answer(app, scope, loop), apps.EXPECTED)
    finally:
        loop.close()
