"""The phases of a ctxcore request under ASGI, in the order the adapter runs them.

``app.asgi(scope, receive, send)`` (``ctxcore.adapters.asgi``) relays the request into
a copy of the context (``run_relayed``), builds the request context from the scope
(``app.scope_request_context``), pushes it, routes it (``app.body_read_on_loop``: the
match, and whether async code may read the body), dispatches it
(``app.dispatch_async``), sends the response as two messages, and pops the context
(``app.end_request_async``): the serving protocol of ``ctxcore/serving.py``.

An ``async def`` view runs on the loop inside ``dispatch_async``; a sync view's whole
flow goes to the request's lane (its worker thread) in one hop, timed here as a hop
with nothing to run (``await lane(noop)``, then the lane given back) beside the flow
timed on the calling thread. The request declares no body (a GET), so there is nothing
to read ahead.

Sending is the adapter's ``_send_response`` (a private method: the serving protocol
leaves sending to the adapter, and nothing public sends a Response as messages).
"""

from __future__ import annotations

from contextvars import copy_context
from typing import Any

from ctxcore.adapters.body import RequestBody
from ctxcore.adapters.lanes import LanePool, RequestLane
from ctxcore.adapters.relay import run_relayed

from bench import apps, driving
from bench.phases.timing import Phase
from bench.phases.variant import ENDPOINT, Variant, answer_dict, bare_asgi, flow_app, send_two

__all__ = ["build"]

#: The body limit given to each request's body reader (none is read: a GET).
LIMIT = 1 << 20


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _drop(message: dict[str, Any]) -> None:
    return None


def _nothing() -> None:
    return None


def build(view: str) -> Variant:
    """The ASGI variant for an ``async def`` (``view="async"``) or a sync view."""
    app = apps.BUILDERS["ctxcore"](view)
    adapter = app.asgi
    flow = flow_app(view)
    loop = driving.new_loop()
    lanes = LanePool(4, name="bench-phases")
    scope = driving.asgi_scope(apps.ROUTE_PATH, apps.QUERY)
    label = f"ctxcore (ASGI, {view} view)"
    driving.check_json(label, driving.asgi_answer(adapter, scope, loop), apps.EXPECTED)
    driving.check_json("the flow app", driving.asgi_answer(flow.asgi, scope, loop), apps.EXPECTED)
    driver = driving.asgi_caller(bare_asgi, scope, loop)
    target = app.view_functions[ENDPOINT]

    def body() -> RequestBody:
        return RequestBody(_receive, LIMIT, loop, expected=False)

    def fresh(of: Any = app) -> Any:
        return of.scope_request_context(dict(scope), body(), None)

    def build_request(copy: dict[str, Any]) -> Any:
        return app.scope_request_context(copy, body(), None)

    def pushed(of: Any = app) -> Any:
        ctx = fresh(of)
        ctx.push()
        on_loop = of.body_read_on_loop(ctx)
        if on_loop != (view == "async"):
            raise RuntimeError(f"body_read_on_loop() is {on_loop} for a {view} view")
        return ctx

    def pop(ctx: Any) -> None:
        ctx.pop()

    def with_lane(of: Any = app) -> tuple[Any, RequestLane]:
        return pushed(of), RequestLane(lanes)

    async def end(state: tuple[Any, RequestLane]) -> None:
        ctx, lane = state
        await ctx.app.end_request_async(ctx, lane, None)
        lane.release()

    def with_answer() -> tuple[Any, dict[str, Any]]:
        return pushed(), answer_dict()

    def with_response() -> tuple[Any, Any, RequestBody, RequestLane]:
        ctx = pushed()
        return ctx, app.make_response(answer_dict()), body(), RequestLane(lanes)

    def pop_first(state: tuple[Any, ...]) -> None:
        state[0].pop()

    def push(ctx: Any) -> None:
        ctx.push()

    async def relay(_: Any) -> None:
        await run_relayed(send_two, _drop, copy_context())

    async def hop(lane: RequestLane) -> None:
        await lane(_nothing)
        lane.release()

    async def dispatch(state: tuple[Any, RequestLane]) -> None:
        await flow.dispatch_async(state[0], state[1])

    async def call_view(ctx: Any) -> None:
        await target(**ctx.request.view_args)

    async def send(state: tuple[Any, Any, RequestBody, RequestLane]) -> None:
        ctx, response, request_body, lane = state
        await adapter._send_response(response, ctx.request, request_body, _drop, lane)

    async def end_request(state: tuple[Any, RequestLane]) -> None:
        await app.end_request_async(state[0], state[1], None)

    phases = [
        Phase("driver (bare app)", lambda _: driver(), "the driver, an app that only answers"),
        Phase(
            "relay (run_relayed)", relay,
            "run_relayed(handler, send, copy_context()), handler sending two messages",
        ),
        Phase(
            "request object", build_request,
            "app.scope_request_context(scope, RequestBody(...))", prepare=lambda: dict(scope),
        ),
        Phase("context push", push, "ctx.push()", prepare=fresh, finish=pop),
        Phase(
            "routing (match)", app.body_read_on_loop, "app.body_read_on_loop(ctx) (the match)",
            prepare=fresh,
        ),
    ]  # fmt: skip
    if view == "async":
        phases.append(
            Phase(
                "flow (hooks, dispatch)", dispatch,
                "await app.dispatch_async(ctx, lane)",
                prepare=lambda: with_lane(flow), finish=end,
            )
        )  # fmt: skip
        phases.append(
            Phase("view", call_view, "await view(**request.view_args)", prepare=pushed, finish=pop)
        )
    else:
        phases.append(
            Phase(
                "lane hop", hop, "await lane(noop); lane.release()",
                prepare=lambda: RequestLane(lanes),
            )
        )  # fmt: skip
        phases.append(
            Phase(
                "flow (hooks, dispatch)", flow.dispatch_with_error_handling,
                "app.dispatch_with_error_handling(ctx), on the lane",
                prepare=lambda: pushed(flow), finish=pop,
            )
        )  # fmt: skip
        phases.append(
            Phase(
                "view", lambda ctx: target(**ctx.request.view_args), "view(**request.view_args)",
                prepare=pushed, finish=pop,
            )
        )  # fmt: skip
    phases += [
        Phase(
            "response build (JSON)", lambda state: app.make_response(state[1]),
            "app.make_response(dict)", prepare=with_answer, finish=pop_first,
        ),
        Phase(
            "response out", send, "adapter._send_response(...): two ASGI messages",
            prepare=with_response, finish=pop_first,
        ),
        Phase(
            "context pop (teardown)", end_request, "await app.end_request_async(ctx, lane)",
            prepare=with_lane, finish=lambda state: state[1].release(),
        ),
    ]  # fmt: skip
    whole = driving.asgi_caller(adapter, scope, loop)
    variant = Variant(f"asgi-{view}", f"ASGI, {view} view", whole, phases, loop)
    variant.closers += [lanes.close, loop.close]
    return variant
