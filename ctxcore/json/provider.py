"""JSON providers: how JSON responses serialize and parse, with one backend each."""

from __future__ import annotations

from typing import Any

from ._backends import fast_dumps, fast_loads, load_backend

__all__ = ["JSONProvider", "get_provider"]


class JSONProvider:
    """Serialize and parse JSON with one backend; used by JSON responses.

    :param backend: ``"json"``, ``"ujson"`` or ``"orjson"``.
    """

    def __init__(self, backend: str = "json", *, sort_keys: bool = False) -> None:
        self.backend = backend
        self.module = load_backend(backend)
        self.sort_keys = sort_keys
        self._dumps = fast_dumps(backend, self.module)
        self._loads = fast_loads(backend, self.module)

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """Serialize ``obj`` to a JSON string."""
        if self.sort_keys:
            kwargs.setdefault("sort_keys", True)
        if self.backend == "orjson":
            kwargs.setdefault("ensure_ascii", False)
        return self._dumps(obj, **kwargs)

    def loads(self, s: str | bytes | bytearray, **kwargs: Any) -> Any:
        """Parse a JSON document."""
        return self._loads(s, **kwargs)

    def response(self, obj: Any, status: int | None = None) -> Any:
        """A JSON response for ``obj`` (``application/json``)."""
        from ctxcore.wrappers import Response

        return Response(self.dumps(obj) + "\n", status=status, mimetype="application/json")

    def __repr__(self) -> str:
        return f"<JSONProvider {self.backend}>"


_providers: dict[tuple[str, bool], JSONProvider] = {}


def get_provider(backend: str = "json", *, sort_keys: bool = False) -> JSONProvider:
    """Return the (shared) provider for ``backend``."""
    key = (backend, sort_keys)
    provider = _providers.get(key)
    if provider is None:
        provider = _providers[key] = JSONProvider(backend, sort_keys=sort_keys)
    return provider
