"""The phases of a ctxcore request under WSGI, in the order ``App.wsgi_app`` runs them.

``app(environ, start_response)`` copies the context and runs ``wsgi_app`` in it, which
builds the request context from the environ, pushes it, runs the flow
(``dispatch_with_error_handling``: routing, hooks, the view, the response build), turns
the response into a status, headers and a list of bytes (``plain_wsgi_response``), pops
the context (``pop_if_quiet``: nothing to tear down) and returns the list. Each of
those calls is timed alone here, on a request of its own.
"""

from __future__ import annotations

from typing import Any

from bench import apps, driving
from bench.phases.timing import Phase
from bench.phases.variant import ENDPOINT, Variant, answer_dict, bare_wsgi, flow_app
from ctxcore.wrappers import plain_wsgi_response

__all__ = ["build"]


def build() -> Variant:
    """The WSGI variant: the json endpoint's App (sync view) and its phases."""
    app = apps.BUILDERS["ctxcore"]("sync")
    flow = flow_app("sync")
    environ = driving.wsgi_environ(apps.ROUTE_PATH, apps.QUERY)
    driving.check_json("ctxcore (WSGI)", driving.wsgi_answer(app, environ), apps.EXPECTED)
    driving.check_json("the flow app", driving.wsgi_answer(flow, environ), apps.EXPECTED)
    driver = driving.wsgi_caller(bare_wsgi, environ)
    view = app.view_functions[ENDPOINT]

    def fresh(of: Any = app) -> Any:
        return of.request_context(dict(environ))

    def pushed(of: Any = app) -> Any:
        ctx = fresh(of)
        ctx.push()
        of.match_request(ctx)
        return ctx

    def pop(ctx: Any) -> None:
        ctx.pop()

    def with_answer() -> tuple[Any, dict[str, Any]]:
        return pushed(), answer_dict()

    def with_response() -> tuple[Any, Any]:
        ctx = pushed()
        return ctx, app.make_response(answer_dict())

    def pop_first(state: tuple[Any, Any]) -> None:
        state[0].pop()

    def pop_quietly(ctx: Any) -> None:
        if not ctx.pop_if_quiet():
            raise RuntimeError("pop_if_quiet() did not pop: the request has teardown to run")

    phases = [
        Phase("driver (bare app)", lambda _: driver(), "the driver, an app that only answers"),
        Phase(
            "request object", app.request_context, "app.request_context(environ)",
            prepare=lambda: dict(environ),
        ),
        Phase("context push", lambda ctx: ctx.push(), "ctx.push()", prepare=fresh, finish=pop),
        Phase("routing (match)", app.match_request, "app.match_request(ctx)", prepare=fresh),
        Phase(
            "flow (hooks, dispatch)", flow.dispatch_with_error_handling,
            "app.dispatch_with_error_handling(ctx)",
            prepare=lambda: pushed(flow), finish=pop,
        ),
        Phase(
            "view", lambda ctx: view(**ctx.request.view_args), "view(**request.view_args)",
            prepare=pushed, finish=pop,
        ),
        Phase(
            "response build (JSON)", lambda state: app.make_response(state[1]),
            "app.make_response(dict)", prepare=with_answer, finish=pop_first,
        ),
        Phase(
            "response out", lambda state: plain_wsgi_response(state[1], environ),
            "plain_wsgi_response(response, environ)", prepare=with_response, finish=pop_first,
        ),
        Phase(
            "context pop (teardown)", pop_quietly, "ctx.pop_if_quiet()",
            prepare=pushed,
        ),
    ]  # fmt: skip
    return Variant("wsgi", "WSGI", driving.wsgi_caller(app, environ), phases)
