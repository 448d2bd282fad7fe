"""The ASGI adapter reaches the engine only through ``ctxcore.serving``'s protocol.

The adapter's source is read with ``ast``: every attribute it takes from the app
(``self.app`` or a local ``app``), a request context (``ctx``), a request (``request``,
``ctx.request``) or a response (``response``) must be a member of the protocol that
object follows. The App, its contexts, requests and responses must satisfy it.
"""

from __future__ import annotations

import ast
from pathlib import Path

from ctxcore import App
from ctxcore.serving import (
    MEMBERS,
    ServedApp,
    ServedContext,
    ServedRequest,
    ServedResponse,
)
from ctxcore.wrappers import Response

ROOT = Path(__file__).resolve().parents[1]
DRIVERS = [ROOT / "adapters" / "asgi.py"]
NAMES = {
    "app": "ServedApp",
    "ctx": "ServedContext",
    "request": "ServedRequest",
    "response": "ServedResponse",
}


def _protocol_of(node: ast.expr) -> str | None:
    """The protocol an expression's value follows, when the driver names it so."""
    if isinstance(node, ast.Name):
        return NAMES.get(node.id)
    if isinstance(node, ast.Attribute):
        if node.attr == "app" and isinstance(node.value, ast.Name) and node.value.id == "self":
            return "ServedApp"
        if node.attr == "request" and _protocol_of(node.value) == "ServedContext":
            return "ServedRequest"
    return None


def violations(source: str, where: str) -> list[str]:
    """``file:line protocol.member`` for each member taken that the protocol lacks."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            protocol = _protocol_of(node.value)
            if protocol is not None and node.attr not in MEMBERS[protocol]:
                found.append(f"{where}:{node.lineno} {protocol}.{node.attr}")
    return found


def test_the_drivers_use_only_the_protocol() -> None:
    found = [
        violation
        for path in DRIVERS
        for violation in violations(path.read_text(), path.relative_to(ROOT).as_posix())
    ]
    assert found == []


def test_the_drivers_do_use_it() -> None:
    """A guard against a vacuous pass: the walker sees the driver's engine calls."""
    source = DRIVERS[0].read_text()
    tree = ast.parse(source)
    taken = {
        (_protocol_of(node.value), node.attr)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and _protocol_of(node.value) is not None
    }
    assert ("ServedApp", "dispatch_async") in taken
    assert ("ServedApp", "scope_request_context") in taken
    assert ("ServedResponse", "status_code") in taken


def test_a_member_outside_the_protocol_is_reported() -> None:
    source = (
        "async def handle(self, ctx, response):\n"
        "    self.app.full_dispatch_request()\n"
        "    ctx.request.form\n"
        "    response.status\n"
        "    ctx.push()\n"
    )
    assert sorted(violations(source, "x.py")) == [
        "x.py:2 ServedApp.full_dispatch_request",
        "x.py:3 ServedRequest.form",
        "x.py:4 ServedResponse.status",
    ]


def test_the_engine_satisfies_the_protocol() -> None:
    app = App(__name__)
    assert isinstance(app, ServedApp)
    scope = {
        "type": "http", "method": "GET", "path": "/", "query_string": b"",
        "headers": [(b"host", b"x")], "server": ("x", 80), "client": ("1.2.3.4", 1),
    }  # fmt: skip
    import io

    ctx = app.scope_request_context(scope, io.BytesIO())
    assert isinstance(ctx, ServedContext)
    # A scope's request makes its environ on first read (__getattr__), which 3.12's
    # isinstance check of a protocol (attributes looked up statically) cannot see.
    assert all(hasattr(ctx.request, name) for name in MEMBERS["ServedRequest"])
    assert isinstance(app.test_request_context().request, ServedRequest)
    assert isinstance(Response("x"), ServedResponse)
