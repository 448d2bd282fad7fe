"""What each ident means once gevent has patched threads into greenlets.

Collected only when named explicitly: test_gevent_monkey.py runs it in a patched process.
"""

from __future__ import annotations

import threading
from types import ModuleType

import pytest

from ctxcore import Local
from tests.backends import MONKEY

if not MONKEY:  # pragma: no cover - a guard against running it unpatched by hand
    raise RuntimeError("run through tests/local/test_gevent_monkey.py (needs a patched process)")


def _run_patched_threads(local: Local, count: int) -> list[object]:
    """Each of ``count`` patched threads writes its number, then reads once all have written."""
    from gevent.event import Event

    seen: list[object] = []
    written: list[int] = []
    all_written = Event()  # not a sleep: a busy machine could wake a reader before the last write

    def work(i: int) -> None:
        local.value = i
        written.append(i)
        if len(written) == count:
            all_written.set()
        all_written.wait(10)
        seen.append(getattr(local, "value", None))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return seen


def test_patched_threads_are_greenlets() -> None:
    from gevent.monkey import is_module_patched

    assert is_module_patched("threading")


@pytest.mark.parametrize("ident", ["context", "greenlet"])
def test_context_and_greenlet_idents_isolate_patched_threads(impl: ModuleType, ident: str) -> None:
    local = impl.Local(ident=ident)  # type: ignore[arg-type]
    assert sorted(_run_patched_threads(local, 20)) == list(range(20))  # type: ignore[type-var]


def test_thread_ident_means_the_os_thread_even_when_patched(impl: ModuleType) -> None:
    """All greenlets of the OS thread share "thread" values: the last writer wins."""
    local = impl.Local(ident="thread")
    seen = _run_patched_threads(local, 20)
    assert len(set(seen)) == 1
