"""Testing helpers: ``app.test_client()``'s client and ``app.test_cli_runner()``'s runner."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.test import Client

if TYPE_CHECKING:
    from ._cli_group import CliRunner

__all__ = ["CliRunner", "TestClient"]


def __getattr__(name: str) -> Any:
    # CliRunner subclasses click's runner: imported on first use, so that importing the
    # app (which imports this module for TestClient) does not load click.
    if name == "CliRunner":
        from ._cli_group import CliRunner

        return CliRunner
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class TestClient(Client):
    """werkzeug's test client, buffering responses so each request finishes (and its
    contexts are popped) before the call returns."""

    def open(self, *args: Any, buffered: bool = True, **kwargs: Any) -> Any:
        """Send a request (werkzeug's ``Client.open``), buffered unless told otherwise."""
        return super().open(*args, buffered=buffered, **kwargs)
