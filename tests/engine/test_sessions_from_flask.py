"""Sessions across the move: cookies a real Flask app signed are read by ctxcore.

Flask signs its session cookie with HMAC-SHA1 under the salt ``"cookie-session"``;
ctxcore signs with HMAC-SHA256 under its own salt. With ``SESSION_ACCEPT_FLASK_COOKIES``
(the default) a Flask cookie signed with the app's secret key (or a fallback key) is
read, and the response replaces it with a cookie signed as ctxcore signs.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

import flask
import pytest
from itsdangerous import BadSignature

import ctxcore

KEY = "the-same-secret-key"


def flask_cookie(secret_key: str = KEY, **values: Any) -> str:
    """The session cookie a real Flask app sets for a session holding ``values``."""
    app = flask.Flask(__name__)
    app.secret_key = secret_key

    @app.post("/login")
    def login() -> str:
        flask.session.update(values)
        return "ok"

    response = app.test_client().post("/login")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    return cookie.split(";", 1)[0].removeprefix("session=")


def moved_app(**config: Any) -> ctxcore.App:
    app = ctxcore.App(__name__)
    app.config.update({"SECRET_KEY": KEY, **config})

    @app.get("/me")
    def me() -> dict[str, Any]:
        return {"user_id": ctxcore.session.get("user_id")}

    return app


def get_me(app: ctxcore.App, cookie: str) -> Any:
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client.get("/me")


def test_a_user_flask_logged_in_stays_logged_in() -> None:
    response = get_me(moved_app(), flask_cookie(user_id=42))
    assert response.get_json() == {"user_id": 42}


def test_the_flask_cookie_is_replaced_by_one_signed_as_ctxcore_signs() -> None:
    app = moved_app()
    response = get_me(app, flask_cookie(user_id=42))
    new = response.headers["Set-Cookie"].split(";", 1)[0].removeprefix("session=")
    with app.app_context():
        ours = app.session_interface.get_signing_serializer(app)
        theirs = app.session_interface.get_flask_serializer(app)
    assert ours is not None
    assert theirs is not None
    assert ours.loads(new) == {"user_id": 42}
    with pytest.raises(BadSignature):
        theirs.loads(new)


def test_a_ctxcore_cookie_is_not_rewritten() -> None:
    app = moved_app()
    first = get_me(app, flask_cookie(user_id=42))
    converted = first.headers["Set-Cookie"].split(";", 1)[0].removeprefix("session=")
    again = get_me(app, converted)
    assert again.get_json() == {"user_id": 42}
    assert "Set-Cookie" not in again.headers


def test_tagged_values_come_through() -> None:
    when = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
    ident = uuid.uuid4()
    app = moved_app()

    @app.get("/values")
    def values() -> str:
        got = dict(ctxcore.session)
        assert got == {"t": (1, 2), "b": b"\x00raw", "when": when, "id": ident}
        return "same"

    client = app.test_client()
    client.set_cookie("session", flask_cookie(t=(1, 2), b=b"\x00raw", when=when, id=ident))
    assert client.get("/values").text == "same"


def test_turned_off_a_flask_cookie_gives_an_empty_session() -> None:
    response = get_me(moved_app(SESSION_ACCEPT_FLASK_COOKIES=False), flask_cookie(user_id=42))
    assert response.get_json() == {"user_id": None}


def test_a_flask_cookie_signed_with_a_fallback_key_is_read() -> None:
    app = moved_app(SECRET_KEY="rotated", SECRET_KEY_FALLBACKS=[KEY])
    assert get_me(app, flask_cookie(user_id=7)).get_json() == {"user_id": 7}


def test_a_flask_cookie_signed_with_another_key_is_not_read() -> None:
    response = get_me(moved_app(), flask_cookie(secret_key="someone else's", user_id=42))
    assert response.get_json() == {"user_id": None}


def test_a_tampered_flask_cookie_is_not_read() -> None:
    cookie = flask_cookie(user_id=42)
    payload, _, rest = cookie.partition(".")
    tampered = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + rest
    assert get_me(moved_app(), tampered).get_json() == {"user_id": None}
