"""Routing's per-request cost, cached: matches that depend only on the URL and method.

werkzeug matches a path by walking its state machine and running each argument's
converter: some 25 Python calls per request. Most requests repeat a few URLs, so a
successful match is kept by (what the URL adapter is bound to, path, method) and
reused, without the adapter being looked up. A match is kept
only when nothing else can change it: every converter of the rule is one of werkzeug's
own (pure functions of the path: a custom converter may look things up). Adding a rule
forgets every match: the app's ``add_url_rule`` clears the cache, and a rule added to
the URL map directly is seen by the map's own "changed since the last match" flag.
Errors (404, 405) and redirects are not kept: they are matched again, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import Map, MapAdapter, Rule
from werkzeug.routing.converters import (
    AnyConverter,
    FloatConverter,
    IntegerConverter,
    PathConverter,
    UnicodeConverter,
    UUIDConverter,
)

__all__ = ["MatchCache"]

_PURE_CONVERTERS = frozenset(
    {AnyConverter, FloatConverter, IntegerConverter, PathConverter, UnicodeConverter, UUIDConverter}
)


def _cacheable(rule: Rule) -> bool:
    converters: dict[str, Any] = getattr(rule, "_converters", None) or {}
    return all(type(converter) in _PURE_CONVERTERS for converter in converters.values())


class MatchCache:
    """Successful URL matches, bounded (cleared when full: clients choose the paths)."""

    __slots__ = ("_entries", "limit")

    def __init__(self, limit: int = 1024) -> None:
        self.limit = limit
        self._entries: dict[tuple[Any, str, str], tuple[Rule, dict[str, Any]]] = {}

    def match(
        self,
        url_map: Map,
        bound_to: Any,
        adapter: Callable[[], MapAdapter],
        path: str,
        method: str,
        query_args: Any,
    ) -> tuple[Rule, dict[str, Any]]:
        """``adapter().match(path, method, return_rule=True)``, from the cache when it may.

        ``bound_to`` is what the adapter depends on (the app's adapter-cache key).
        Returns a new view-arguments dict each time (views and preprocessors change it).
        """
        if url_map._remap:  # a rule was added since the map last matched
            self._entries.clear()
        key = (bound_to, path, method)
        hit = self._entries.get(key)
        if hit is not None:
            return hit[0], dict(hit[1])
        rule, view_args = adapter().match(path, method, return_rule=True, query_args=query_args)
        if _cacheable(rule):
            if len(self._entries) >= self.limit:
                self._entries.clear()
            self._entries[key] = (rule, dict(view_args))
        return rule, dict(view_args)

    def clear(self) -> None:
        """Forget every match (the URL map changed)."""
        self._entries.clear()
