"""Ident sources: what a Local's value is scoped to, and the process-wide default."""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable
from typing import Literal, TypeAlias

IdentName: TypeAlias = Literal["context", "thread", "greenlet"]
#: What ``ident=`` accepts: a source name, a callable returning a hashable ident,
#: or ``None`` for the process-wide default.
IdentSpec: TypeAlias = IdentName | Callable[[], Hashable] | None
#: A resolved ident source: a name or a callable, never ``None``.
Ident: TypeAlias = IdentName | Callable[[], Hashable]

#: The environment variable read once, at import, for the process-wide default.
ENV_VAR = "CTXCORE_IDENT"

IDENT_NAMES: tuple[IdentName, ...] = ("context", "thread", "greenlet")

_HELP = (
    "use 'context' (asyncio/uvloop tasks, threads and greenlets each get their own values), "
    "'thread' (one value per OS thread), 'greenlet' (one value per greenlet), "
    "or a callable returning a hashable ident"
)


def resolve_ident(ident: object) -> Ident:
    """Check an ``ident=`` argument and return the ident source it names.

    ``None`` means the process-wide default (see :func:`set_default_ident`).
    Raises :class:`ValueError` for an unknown name or ``"greenlet"`` without greenlet
    installed, and :class:`TypeError` for anything that is neither a name nor callable.
    """
    if ident is None:
        return _default
    if isinstance(ident, str):
        if ident not in IDENT_NAMES:
            raise ValueError(f"unknown ident {ident!r}: {_HELP}")
        if ident == "greenlet":
            require_greenlet()
        return ident
    if callable(ident):
        return ident
    raise TypeError(f"ident must be a string or a callable, not {type(ident).__name__}: {_HELP}")


def require_greenlet() -> None:
    """Raise a :class:`ValueError` saying what to do if greenlet cannot be imported."""
    try:
        import greenlet  # noqa: F401
    except ImportError as exc:
        raise ValueError(
            "ident='greenlet' needs the greenlet package (pip install 'ctxcore[greenlet]'); "
            "without it use ident='context', which also isolates greenlets once greenlet "
            "is installed, or ident='thread'"
        ) from exc


def _from_environment() -> Ident:
    raw = os.environ.get(ENV_VAR, "").strip()
    if not raw:
        return "context"
    if raw not in IDENT_NAMES:
        raise ValueError(f"{ENV_VAR}={raw!r} is not an ident source: {_HELP}")
    return raw


_default: Ident = _from_environment()


def get_default_ident() -> Ident:
    """Return the ident source used by Locals and LocalStacks created with ``ident=None``."""
    return _default


def set_default_ident(ident: IdentSpec) -> Ident:
    """Set the process-wide default ident source and return the previous one.

    Only objects created afterwards are affected: a Local keeps the source it was built
    with. ``None`` restores the environment's choice (``CTXCORE_IDENT``, else
    ``"context"``).
    """
    global _default
    previous = _default
    _default = _from_environment() if ident is None else resolve_ident(ident)
    return previous


def describe(ident: Ident) -> str:
    """Name an ident source for error messages."""
    if isinstance(ident, str):
        return {
            "context": "context (the current contextvars.Context)",
            "thread": "thread",
            "greenlet": "greenlet",
        }[ident]
    return f"ident {getattr(ident, '__qualname__', repr(ident))}"
