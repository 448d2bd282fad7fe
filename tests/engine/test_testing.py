"""The test client's Flask features — each test runs on Flask and on ctxcore."""

from __future__ import annotations

from typing import Any

import pytest

from .parity import Framework


def make(fw: Framework) -> Any:
    app = fw.App(__name__)
    app.secret_key = "testing"
    torn_down: list[str] = []
    app.torn_down = torn_down  # type: ignore[attr-defined]

    @app.route("/login/<name>")
    def login(name: str) -> str:
        fw.session["user"] = name
        fw.g.user = name
        return "ok"

    @app.route("/whoami")
    def whoami() -> str:
        return str(fw.session.get("user"))

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        torn_down.append(fw.request.path)

    return app


def test_with_client_keeps_the_last_request_context(fw: Framework) -> None:
    app = make(fw)
    client = app.test_client()
    with client:
        client.get("/login/ann?x=1")
        assert fw.request.path == "/login/ann"
        assert fw.request.args["x"] == "1"
        assert fw.session["user"] == "ann"
        assert fw.g.user == "ann"
        client.get("/whoami")
        assert fw.request.path == "/whoami"
    assert not fw.has_request_context()
    assert not fw.has_app_context()
    # Flask tears each kept request down a second time when its context is let go;
    # ctxcore tears each request down once (README: Differences from Flask).
    once = ["/login/ann", "/whoami"]
    twice = ["/login/ann", "/login/ann", "/whoami", "/whoami"]
    assert app.torn_down == (twice if fw.name == "flask" else once)


def test_without_with_nothing_stays_pushed(fw: Framework) -> None:
    app = make(fw)
    app.test_client().get("/login/ann")
    assert not fw.has_request_context()


def test_session_transaction_reads_and_writes_the_cookie_session(fw: Framework) -> None:
    app = make(fw)
    client = app.test_client()
    client.get("/login/ann")
    with client.session_transaction() as session:
        assert session["user"] == "ann"
        session["user"] = "bob"
    assert client.get("/whoami").get_data(as_text=True) == "bob"


def test_session_transaction_needs_cookies(fw: Framework) -> None:
    app = make(fw)
    client = app.test_client(use_cookies=False)
    with pytest.raises(TypeError), client.session_transaction():
        pass


def test_requests_are_built_from_the_config(fw: Framework) -> None:
    app = fw.App(__name__)
    app.config.update(SERVER_NAME="example.test", PREFERRED_URL_SCHEME="https")

    @app.route("/where")
    def where() -> str:
        return fw.request.url

    client = app.test_client()
    assert client.get("/where").get_data(as_text=True) == "https://example.test/where"
    with app.test_request_context("/where"):
        assert fw.request.host == "example.test"
    with app.test_request_context("/where", subdomain="api"):
        assert fw.request.host == "api.example.test"


def test_json_bodies_use_the_app_provider(fw: Framework) -> None:
    app = fw.App(__name__)
    app.json.sort_keys = False

    @app.post("/raw")
    def raw() -> bytes:
        return fw.request.get_data()

    body = app.test_client().post("/raw", json={"b": 1, "a": 2}).get_data(as_text=True)
    assert body == '{"b": 1, "a": 2}'


def test_remote_addr_is_set(fw: Framework) -> None:
    app = fw.App(__name__)
    app.add_url_rule("/", "ip", lambda: fw.request.remote_addr)
    assert app.test_client().get("/").get_data(as_text=True) == "127.0.0.1"


def test_test_client_class_is_the_documented_one() -> None:
    from ctxcore import App
    from ctxcore.testing import TestClient

    assert isinstance(App(__name__).test_client(), TestClient)
