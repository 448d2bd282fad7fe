"""Blueprints: prefixes, names, nesting, scoped hooks and handlers, duplicates."""

from __future__ import annotations

from typing import Any

import pytest

from ctxcore import App, Blueprint, Response, request, url_for


def build() -> tuple[App, list[str]]:
    app = App(__name__)
    seen: list[str] = []
    admin = Blueprint("admin", __name__, url_prefix="/admin")
    users = Blueprint("users", __name__, url_prefix="/users")

    @admin.route("/")
    def dashboard() -> str:
        return f"dashboard {request.blueprint} {url_for('.dashboard')}"

    @admin.before_request
    def admin_only() -> Any:
        seen.append("admin before")
        if request.args.get("deny"):
            return "no", 403
        return None

    @admin.after_request
    def admin_after(response: Response) -> Response:
        seen.append("admin after")
        return response

    @admin.errorhandler(KeyError)
    def admin_key_error(exc: KeyError) -> tuple[str, int]:
        return "admin handled", 400

    @users.route("/<int:uid>")
    def show(uid: int) -> str:
        if uid == 0:
            raise KeyError(uid)
        return f"user {uid} {request.blueprints} {url_for('admin.users.show', uid=uid)}"

    @users.before_request
    def users_before() -> None:
        seen.append("users before")

    admin.register_blueprint(users)

    @app.before_request
    def app_before() -> None:
        seen.append("app before")

    @app.route("/plain")
    def plain() -> str:
        if request.args.get("fail"):
            raise KeyError("outside")
        return "plain"

    app.register_blueprint(admin)
    return app, seen


def test_prefix_routes_and_relative_url_for() -> None:
    app, _ = build()
    body = app.test_client().get("/admin/").get_data(as_text=True)
    assert body == "dashboard admin /admin/"


def test_nested_blueprint_routes_hooks_and_names() -> None:
    app, seen = build()
    body = app.test_client().get("/admin/users/5").get_data(as_text=True)
    assert body == "user 5 ['admin.users', 'admin'] /admin/users/5"
    assert seen == ["app before", "admin before", "users before", "admin after"]


def test_blueprint_hooks_do_not_run_for_other_routes() -> None:
    app, seen = build()
    assert app.test_client().get("/plain").get_data(as_text=True) == "plain"
    assert seen == ["app before"]


def test_blueprint_before_request_short_circuits() -> None:
    app, seen = build()
    assert app.test_client().get("/admin/?deny=1").status_code == 403
    assert "users before" not in seen


def test_blueprint_error_handler_is_scoped() -> None:
    app, _ = build()
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    nested = client.get("/admin/users/0")
    assert (nested.status_code, nested.get_data(as_text=True)) == (400, "admin handled")
    assert client.get("/plain?fail=1").status_code == 500


def test_same_blueprint_twice_needs_another_name() -> None:
    app = App(__name__)
    bp = Blueprint("api", __name__)
    bp.add_url_rule("/ping", "ping", lambda: "pong")
    app.register_blueprint(bp, url_prefix="/v1")
    with pytest.raises(ValueError, match="already registered"):
        app.register_blueprint(bp, url_prefix="/v2")
    app.register_blueprint(bp, url_prefix="/v2", name="api_v2")
    client = app.test_client()
    assert client.get("/v1/ping").get_data(as_text=True) == "pong"
    assert client.get("/v2/ping").get_data(as_text=True) == "pong"
    with app.test_request_context("/"):
        assert url_for("api_v2.ping") == "/v2/ping"


@pytest.mark.parametrize("name", ["", "a.b"])
def test_invalid_blueprint_names(name: str) -> None:
    with pytest.raises(ValueError, match="blueprint name"):
        Blueprint(name, __name__)


def test_blueprint_cannot_nest_itself() -> None:
    bp = Blueprint("self", __name__)
    with pytest.raises(ValueError, match="on itself"):
        bp.register_blueprint(bp)


def test_app_wide_hooks_and_handlers_from_a_blueprint() -> None:
    app = App(__name__)
    bp = Blueprint("ext", __name__)
    calls: list[str] = []
    bp.before_app_request(lambda: calls.append("before"))

    @bp.after_app_request
    def tag(response: Response) -> Response:
        response.headers["X-Ext"] = "1"
        return response

    bp.app_errorhandler(404)(lambda exc: ("ext 404", 404))
    app.register_blueprint(bp)
    response = app.test_client().get("/missing")
    assert response.get_data(as_text=True) == "ext 404"
    assert response.headers["X-Ext"] == "1"
    assert calls == ["before"]
