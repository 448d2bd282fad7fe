"""Concurrent requests never see each other's request, g or session, in every backend."""

from __future__ import annotations

import pytest

from ctxcore import App, current_app, g, request, session
from tests.backends import Backend, Worker


@pytest.mark.parametrize("use_native_ident", [False, True], ids=["context-ident", "native-ident"])
def test_contexts_are_isolated_between_concurrent_workers(
    backend: Backend, use_native_ident: bool
) -> None:
    ident = backend.native_ident if use_native_ident else "context"
    app = App(f"iso-{backend.name}-{ident}", ident=ident)  # type: ignore[arg-type]
    app.config["SECRET_KEY"] = "s"

    def worker(i: int) -> Worker:
        with app.test_request_context(f"/item?id={i}"):
            g.mine = i
            session["mine"] = i
            yield
            seen = (int(request.args["id"]), g.mine, session["mine"], current_app.name)
            yield
            assert g.mine == i
        return seen

    results = backend.run([worker(i) for i in range(16)])
    assert results == [(i, i, i, app.name) for i in range(16)]
