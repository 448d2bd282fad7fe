"""Testing helpers: the test client returned by ``app.test_client()``."""

from __future__ import annotations

from typing import Any

from werkzeug.test import Client

__all__ = ["TestClient"]


class TestClient(Client):
    """werkzeug's test client, buffering responses so each request finishes (and its
    contexts are popped) before the call returns."""

    def open(self, *args: Any, buffered: bool = True, **kwargs: Any) -> Any:
        """Send a request (werkzeug's ``Client.open``), buffered unless told otherwise."""
        return super().open(*args, buffered=buffered, **kwargs)
