"""Flask-Login on ctxcore: logging in and out, protected views, remember-me cookies."""

from __future__ import annotations

from typing import Any

import pytest

import ctxcore


def make_app() -> ctxcore.App:
    from flask_login import (
        LoginManager,
        UserMixin,
        current_user,
        login_required,
        login_user,
        logout_user,
    )

    app = ctxcore.App(__name__)
    app.secret_key = "login-tests"
    manager = LoginManager(app)

    class User(UserMixin):
        def __init__(self, user_id: str) -> None:
            self.id = user_id

    @manager.user_loader
    def load(user_id: str) -> User | None:
        return User(user_id) if user_id in ("ann", "bob") else None

    @app.post("/login/<name>")
    def login(name: str) -> dict[str, Any]:
        remember = ctxcore.request.args.get("remember") == "1"
        return {"ok": login_user(User(name), remember=remember)}

    @app.post("/logout")
    def logout() -> dict[str, Any]:
        logout_user()
        return {"ok": True}

    @app.get("/me")
    @login_required
    def me() -> dict[str, Any]:
        return {"user": current_user.id}

    @app.get("/who")
    def who() -> dict[str, Any]:
        return {"anonymous": current_user.is_anonymous}

    return app


def test_a_protected_view_refuses_anonymous_users() -> None:
    assert make_app().test_client().get("/me").status_code == 401


def test_login_user_logs_in_for_the_following_requests() -> None:
    client = make_app().test_client()
    client.post("/login/ann")
    assert client.get("/me").get_json() == {"user": "ann"}


def test_logout_user_logs_out() -> None:
    client = make_app().test_client()
    client.post("/login/ann")
    client.post("/logout")
    assert client.get("/me").status_code == 401
    assert client.get("/who").get_json() == {"anonymous": True}


# Flask-Login 0.6.3 dates the remember cookie with datetime.utcnow(), deprecated since
# Python 3.12 (the same under Flask).
@pytest.mark.filterwarnings("ignore:datetime.datetime.utcnow:DeprecationWarning")
def test_the_remember_cookie_logs_in_a_new_session() -> None:
    app = make_app()
    client = app.test_client()
    client.post("/login/bob?remember=1")
    remember = client.get_cookie("remember_token")
    assert remember is not None
    fresh = app.test_client()  # a new browser session: only the remember cookie
    fresh.set_cookie("remember_token", remember.value)
    assert fresh.get("/me").get_json() == {"user": "bob"}


def test_users_do_not_see_each_other() -> None:
    app = make_app()
    ann, bob = app.test_client(), app.test_client()
    ann.post("/login/ann")
    bob.post("/login/bob")
    assert ann.get("/me").get_json() == {"user": "ann"}
    assert bob.get("/me").get_json() == {"user": "bob"}
