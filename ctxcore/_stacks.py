"""The engine's context stacks: one pair (app contexts, request contexts) per ident source.

Each ident source an App uses gets its own pair; lookups go through every pair in use,
the most recently registered first, so one process can serve Apps built on different
ident sources.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from .local import Ident, LocalStack, resolve_ident

if TYPE_CHECKING:
    from .ctx import AppContext, RequestContext

__all__ = ["Stacks", "all_stacks", "stacks_for", "top_app_context", "top_request_context"]


class Stacks:
    """The app-context and request-context stacks of one ident source."""

    __slots__ = ("app", "ident", "request")

    def __init__(self, ident: Ident) -> None:
        self.ident = ident
        self.app: LocalStack[AppContext] = LocalStack(ident=ident)
        self.request: LocalStack[RequestContext] = LocalStack(ident=ident)


_registry: dict[Any, Stacks] = {}
_order: list[Stacks] = []
_lock = threading.Lock()


def stacks_for(ident: object) -> Stacks:
    """Return (creating once) the stacks for ``ident`` (``None`` = the default source)."""
    resolved = resolve_ident(ident)
    found = _registry.get(resolved)
    if found is not None:
        return found
    with _lock:
        found = _registry.get(resolved)
        if found is None:
            found = _registry[resolved] = Stacks(resolved)
            _order.insert(0, found)
        return found


def all_stacks() -> list[Stacks]:
    """Every pair of stacks in use, the most recently registered first."""
    return list(_order)


def top_app_context() -> AppContext | None:
    """The active app context for the current ident, if any."""
    for stacks in _order:
        ctx = stacks.app.top
        if ctx is not None:
            return ctx
    return None


def top_request_context() -> RequestContext | None:
    """The active request context for the current ident, if any."""
    for stacks in _order:
        ctx = stacks.request.top
        if ctx is not None:
            return ctx
    return None
