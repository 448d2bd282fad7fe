"""Stateful property test: a context Local's set/del/release across context copies, against a model.

Copy-on-write means each copy of a context keeps the values it saw when copied, and
nothing written in one copy reaches another. Hypothesis writes, deletes and releases in
the current context and in copies made along the way (copies of copies too); after every
step each context must read exactly what a plain dict per context predicts. When the
machine ends, the Local is dropped and every value it held must be freed.

5 sequences in the default run, 80 in the slow group (``CTXCORE_HYPOTHESIS_EXAMPLES``
sets that number): each ends with two full garbage collections.
"""

from __future__ import annotations

import contextvars
import gc
import weakref

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from ctxcore import Local, live_idents, release_local
from tests.sizes import sizes

NAMES = ("a", "b", "c")


class Value:
    """A weak-referenceable value, so the end of the run can check it was freed."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __repr__(self) -> str:
        return f"Value({self.n})"


class LocalMachine(RuleBasedStateMachine):
    contexts = Bundle("contexts")

    def __init__(self) -> None:
        super().__init__()
        self.local = Local()
        self.models: dict[int, dict[str, Value]] = {}
        self.known: dict[int, contextvars.Context] = {}
        self.values: list[weakref.ref[Value]] = []

    @rule(target=contexts)
    def fresh_context(self) -> int:
        """A copy of the test's own context (which never holds values itself)."""
        context = contextvars.copy_context()
        key = len(self.known)
        self.known[key] = context
        self.models[key] = {}
        return key

    @rule(target=contexts, source=contexts)
    def copy(self, source: int) -> int:
        context = self.known[source].run(contextvars.copy_context)
        key = len(self.known)
        self.known[key] = context
        self.models[key] = dict(self.models[source])
        return key

    @rule(where=contexts, name=st.sampled_from(NAMES), n=st.integers(0, 9))
    def set(self, where: int, name: str, n: int) -> None:
        value = Value(n)
        self.values.append(weakref.ref(value))
        self.known[where].run(setattr, self.local, name, value)
        self.models[where][name] = value

    @rule(where=contexts, name=st.sampled_from(NAMES))
    def delete(self, where: int, name: str) -> None:
        def remove() -> str:
            try:
                delattr(self.local, name)
            except AttributeError:
                return "missing"
            return "deleted"

        outcome = self.known[where].run(remove)
        expected = "deleted" if self.models[where].pop(name, None) is not None else "missing"
        assert outcome == expected

    @rule(where=contexts)
    def release(self, where: int) -> None:
        self.known[where].run(release_local, self.local)
        self.models[where].clear()

    @invariant()
    def every_context_reads_its_model(self) -> None:
        for key, context in self.known.items():
            seen = context.run(lambda: dict(iter(self.local)))
            assert seen == self.models[key], f"context {key}"
            for name in NAMES:
                found = context.run(getattr, self.local, name, None)
                assert found is self.models[key].get(name)

    @invariant()
    def live_idents_counts_the_value_sets_still_held(self) -> None:
        """Copies that have not written share one set, so it counts once."""
        holding = sum(1 for model in self.models.values() if model)
        counted = live_idents(self.local)
        assert counted <= holding
        assert (counted == 0) == (holding == 0)

    def teardown(self) -> None:
        """Drop the Local: every value goes, except those the model itself still holds."""
        held = {id(v) for model in self.models.values() for v in model.values()}
        del self.local
        gc.collect()
        leaked = sum(1 for ref in self.values if ref() is not None and id(ref()) not in held)
        assert leaked == 0, f"{leaked} values outlived their Local"
        self.models.clear()
        gc.collect()
        assert sum(1 for ref in self.values if ref() is not None) == 0


# Each step's invariant calls live_idents, which collects garbage and walks every object
# the process holds: in a whole-suite run (every module imported) that is most of this
# test's time, CPU-bound, so a busy machine (CI runs its jobs at once) stretches it
# past the default timeout. The bound is against a hang, not a speed check.
@pytest.mark.timeout(600)
@pytest.mark.parametrize("examples", sizes(5, 80, env="CTXCORE_HYPOTHESIS_EXAMPLES"))
def test_local_machine(examples: int) -> None:
    """The model holds for every sequence tried (per implementation: see conftest.py)."""
    run_state_machine_as_test(
        LocalMachine,
        settings=settings(max_examples=examples, stateful_step_count=30, deadline=None),
    )
