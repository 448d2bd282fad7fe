"""Stateful property test: app and request contexts pushed, popped and carried, against a model.

Hypothesis drives random sequences of pushes (app, request, nested re-push of the top),
pops (the right one, and wrong ones that must be refused), and work in a child thread,
greenlet or task (plain, and through ``copy_current_request_context``), over an App of
each ident source. After every step the engine's view (what is active, what has been
torn down) must equal a model kept with plain lists. 15 sequences in the default run, 60
in the slow group (``CTXCORE_HYPOTHESIS_EXAMPLES`` sets that number).
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from typing import Any

import greenlet
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ctxcore import AppContext, RequestContext, copy_current_request_context
from ctxcore._stacks import top_app_context, top_request_context
from ctxcore.app import App
from tests.sizes import sizes

CHILDREN = ("thread", "greenlet", "task")


def run_in_child(kind: str, func: Any) -> Any:
    """Run ``func()`` in a new thread, raw greenlet or asyncio task; return its result."""
    if kind == "thread":
        out: list[Any] = []
        worker = threading.Thread(target=lambda: out.append(func()))
        worker.start()
        worker.join(10)
        return out[0]
    if kind == "greenlet":
        return greenlet.greenlet(func).switch()

    async def task() -> Any:
        return func()

    return asyncio.run(task())


def child_sees_parent(ident: str, kind: str) -> bool:
    """Whether a plain child of ``kind`` sees the parent's contexts under ``ident``."""
    if kind == "task":  # same thread and greenlet, and a copy of the context
        return True
    if kind == "thread":  # a new thread starts with an empty context
        return False
    return ident == "thread"  # a new greenlet: own (empty) context, same OS thread


class ContextMachine(RuleBasedStateMachine):
    """One App; the model is the list of pushes per stack and the teardown counts."""

    def __init__(self) -> None:
        super().__init__()
        self.app: App | None = None
        self.app_stack: list[AppContext] = []
        self.request_stack: list[RequestContext] = []
        # A request context's implicit app context (None: it reused the active one).
        self.implicit: dict[RequestContext, list[AppContext | None]] = {}
        self.torn: Counter[object] = Counter()  # keyed by the contexts themselves
        self.expected_torn: Counter[object] = Counter()
        # Teardowns of contexts that children made and popped themselves.
        self.children_torn = 0
        # Every push in order: contexts are popped in reverse order of pushing.
        self.order: list[object] = []

    @precondition(lambda self: self.app is None)
    @rule(ident=st.sampled_from(["context", "thread", "greenlet"]))
    def build_app(self, ident: str) -> None:
        app = App(f"machine-{ident}", ident=ident)  # type: ignore[arg-type]
        torn = self.torn

        @app.teardown_request
        def request_torn(exc: BaseException | None) -> None:
            ctx = top_request_context()
            assert ctx is not None, "teardown_request ran without its request active"
            torn[ctx] += 1

        @app.teardown_appcontext
        def app_torn(exc: BaseException | None) -> None:
            ctx = top_app_context()
            assert ctx is not None, "teardown_appcontext ran without its context active"
            torn[ctx] += 1

        self.app = app
        self.ident = ident

    @precondition(lambda self: self.app is not None and len(self.app_stack) < 6)
    @rule()
    def push_app(self) -> None:
        assert self.app is not None
        ctx = self.app.app_context()
        ctx.push()
        self.app_stack.append(ctx)
        self.order.append(ctx)

    @precondition(lambda self: self.app is not None and len(self.request_stack) < 6)
    @rule()
    def push_request(self) -> None:
        assert self.app is not None
        ctx = self.app.test_request_context("/machine")
        implicit_before = top_app_context()
        ctx.push()
        if implicit_before is None:
            implicit = top_app_context()
            assert implicit is not None
            assert implicit not in self.app_stack
            self.app_stack.append(implicit)
            self.implicit.setdefault(ctx, []).append(implicit)
        else:
            self.implicit.setdefault(ctx, []).append(None)
        self.request_stack.append(ctx)
        self.order.append(ctx)

    @precondition(
        lambda self: (
            bool(self.order)
            and isinstance(self.order[-1], RequestContext)
            and len(self.request_stack) < 6
        )
    )
    @rule()
    def repush_top_request(self) -> None:
        """Push the active request context again (nested): teardown waits for the last pop."""
        ctx = self.request_stack[-1]
        ctx.push()  # an app context is active (its own or an outer one): none is added
        self.implicit[ctx].append(None)
        self.request_stack.append(ctx)
        self.order.append(ctx)

    @precondition(lambda self: bool(self.order) and isinstance(self.order[-1], RequestContext))
    @rule()
    def pop_request(self) -> None:
        ctx = self.request_stack[-1]
        implicit = self.implicit[ctx][-1]
        ctx.pop()
        self.order.pop()
        self.request_stack.pop()
        self.implicit[ctx].pop()
        if ctx not in self.request_stack:
            self.expected_torn[ctx] += 1
        if implicit is not None:
            self.app_stack.pop()
            self.expected_torn[implicit] += 1

    @precondition(lambda self: bool(self.order) and isinstance(self.order[-1], AppContext))
    @rule()
    def pop_app(self) -> None:
        ctx = self.app_stack[-1]
        ctx.pop()
        self.order.pop()
        self.app_stack.pop()
        if ctx not in self.app_stack:
            self.expected_torn[ctx] += 1

    @precondition(lambda self: len(self.request_stack) >= 1 and self.app is not None)
    @rule()
    def pop_a_request_that_is_not_active_is_refused(self) -> None:
        assert self.app is not None
        stranger = self.app.test_request_context("/stranger")
        with pytest.raises(RuntimeError, match=r"Popped the wrong context|Cannot pop"):
            stranger.pop()

    @precondition(lambda self: self.app is not None)
    @rule(kind=st.sampled_from(CHILDREN))
    def work_in_a_child(self, kind: str) -> None:
        """A child pushes and pops its own request; it sees the parent's only where it should."""
        assert self.app is not None
        app = self.app
        parent_top = self.request_stack[-1] if self.request_stack else None

        def child() -> tuple[Any, bool]:
            seen = top_request_context()
            with app.test_request_context("/child") as own:
                own_active = top_request_context() is own
            return seen, own_active and top_request_context() is seen

        seen, clean = run_in_child(kind, child)
        sees = child_sees_parent(self.ident, kind)
        assert seen is (parent_top if sees else None)
        assert clean
        # The child's request is torn down; so is the app context it pushed for it,
        # unless it found one of this app's active.
        self.children_torn += 1 if sees and self.app_stack else 2

    @precondition(lambda self: bool(self.request_stack))
    @rule(kind=st.sampled_from(CHILDREN))
    def carry_the_request_into_a_child(self, kind: str) -> None:
        top = self.request_stack[-1]
        wrapped = copy_current_request_context(top_request_context)
        seen = run_in_child(kind, wrapped)
        # Under "context" the wrapper's copy of the context carries the request itself;
        # elsewhere a child that cannot see it gets a copy of the request context pushed,
        # with a fresh app context (torn down after), and no teardown of the request.
        carried = self.ident == "context" or child_sees_parent(self.ident, kind)
        if carried:
            assert seen is top
        else:
            assert isinstance(seen, RequestContext)
            assert seen is not top
            assert seen.request is top.request
            self.children_torn += 1

    @invariant()
    def engine_matches_the_model(self) -> None:
        top_request = top_request_context()
        top_app = top_app_context()
        assert top_request is (self.request_stack[-1] if self.request_stack else None)
        assert top_app is (self.app_stack[-1] if self.app_stack else None)
        for key, count in self.expected_torn.items():
            assert self.torn[key] == count, "teardown ran a wrong number of times"
        assert sum(self.torn.values()) == sum(self.expected_torn.values()) + self.children_torn

    def teardown(self) -> None:
        # Pop what is left in reverse order, so no context leaks into the next example.
        while self.order:
            if isinstance(self.order[-1], RequestContext):
                self.pop_request()
            else:
                self.pop_app()
        assert top_request_context() is None
        assert top_app_context() is None


@pytest.mark.parametrize("examples", sizes(15, 60, env="CTXCORE_HYPOTHESIS_EXAMPLES"))
def test_context_machine(examples: int) -> None:
    """The model holds for every sequence tried."""
    run_state_machine_as_test(
        ContextMachine,
        settings=settings(max_examples=examples, stateful_step_count=25, deadline=None),
    )
