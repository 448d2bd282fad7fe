"""Signed-cookie sessions: round trips, rotation, lifetime, flags and hostile cookies."""

from __future__ import annotations

import base64
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from itsdangerous import URLSafeTimedSerializer
from markupsafe import Markup

from ctxcore import App, SessionInterface, has_request_context, session

from .parity import Framework


def make_app(**config: Any) -> App:
    app = App(__name__)
    app.config.update(SECRET_KEY="current", **config)

    @app.route("/set/<value>")
    def set_value(value: str) -> str:
        session["value"] = value
        return "set"

    @app.route("/get")
    def get_value() -> str:
        return str(session.get("value"))

    @app.route("/clear")
    def clear() -> str:
        session.clear()
        return "cleared"

    @app.route("/permanent")
    def permanent() -> str:
        session.permanent = True
        session["value"] = "kept"
        return "permanent"

    @app.route("/untouched")
    def untouched() -> str:
        return "no session"

    return app


def cookie(response: Any) -> str:
    return str(response.headers.get("Set-Cookie", ""))


def test_round_trip_and_vary() -> None:
    client = make_app().test_client()
    set_response = client.get("/set/hello")
    header = cookie(set_response)
    assert header.startswith("session=")
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Expires" not in header  # a browser session
    assert set_response.headers["Vary"] == "Cookie"
    got = client.get("/get")
    assert got.get_data(as_text=True) == "hello"
    assert got.headers["Vary"] == "Cookie"
    assert "Set-Cookie" not in got.headers  # read only: nothing to write back


def test_untouched_session_costs_nothing() -> None:
    response = make_app().test_client().get("/untouched")
    assert "Vary" not in response.headers
    assert "Set-Cookie" not in response.headers


def test_emptied_session_deletes_the_cookie() -> None:
    client = make_app().test_client()
    client.get("/set/x")
    response = client.get("/clear")
    assert "session=;" in cookie(response)
    assert "Expires=Thu, 01 Jan 1970" in cookie(response)
    assert client.get("/get").get_data(as_text=True) == "None"


def test_cookie_settings_are_honoured() -> None:
    app = make_app(
        SESSION_COOKIE_NAME="sid",
        SESSION_COOKIE_DOMAIN="example.com",
        SESSION_COOKIE_PATH="/app",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_HTTPONLY=False,
    )
    header = cookie(app.test_client().get("/set/x"))
    assert header.startswith("sid=")
    for part in ("Domain=example.com", "Path=/app", "Secure", "SameSite=Strict"):
        assert part in header
    assert "HttpOnly" not in header


def test_permanent_session_sets_expiry_and_refreshes() -> None:
    client = make_app(PERMANENT_SESSION_LIFETIME=timedelta(hours=1)).test_client()
    assert "Expires=" in cookie(client.get("/permanent"))
    assert "Expires=" in cookie(client.get("/get"))  # refreshed on each request


def test_expired_permanent_session_is_empty() -> None:
    app = make_app(PERMANENT_SESSION_LIFETIME=timedelta(seconds=1))
    client = app.test_client()
    client.get("/set/old")
    time.sleep(2.1)
    assert client.get("/get").get_data(as_text=True) == "None"


def test_key_rotation_accepts_fallbacks_and_re_signs() -> None:
    old_app = make_app()
    old_app.config["SECRET_KEY"] = "old-key"
    old_cookie = cookie(old_app.test_client().get("/set/rotated")).split(";")[0].split("=", 1)[1]
    app = make_app(SECRET_KEY_FALLBACKS=["old-key"])
    client = app.test_client()
    client.set_cookie("session", old_cookie)
    assert client.get("/get").get_data(as_text=True) == "rotated"
    new_cookie = cookie(client.get("/set/fresh")).split(";")[0].split("=", 1)[1]
    strict = make_app()  # no fallbacks: reads only the new key
    strict_client = strict.test_client()
    strict_client.set_cookie("session", new_cookie)
    assert strict_client.get("/get").get_data(as_text=True) == "fresh"
    strict_client.set_cookie("session", old_cookie)
    assert strict_client.get("/get").get_data(as_text=True) == "None"


def _signed(payload: Any, key: str = "current") -> str:
    import hashlib

    serializer = URLSafeTimedSerializer(
        key,
        salt="ctxcore-cookie-session",
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha256},
    )
    return serializer.dumps(payload)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(lambda: _signed({"value": "a"})[:-2] + "xx", id="tampered"),
        pytest.param(lambda: _signed({"value": "a"})[:12], id="truncated"),
        pytest.param(lambda: _signed({"value": "a"}, key="someone-else"), id="foreign-key"),
        pytest.param(lambda: "x" * 20_000, id="oversized"),
        pytest.param(lambda: _signed(["not", "a", "dict"]), id="not-a-dict"),
        pytest.param(lambda: "....", id="dots"),
    ],
)
def test_hostile_cookies_give_an_empty_session_and_a_normal_response(value: Any) -> None:
    # Sent as a raw header, as a hostile client would (the test client's set_cookie
    # refuses some of these).
    response = (
        make_app()
        .test_client()
        .get("/get", environ_overrides={"HTTP_COOKIE": f"session={value()}"})
    )
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "None"


def test_a_correctly_signed_cookie_whose_payload_does_not_decode_is_empty() -> None:
    """Found by fuzzing: itsdangerous raises BadPayload (not BadSignature) for it."""
    app = make_app()
    interface = app.session_interface
    signer = interface.get_signing_serializer(app).make_signer()  # type: ignore[attr-defined]
    for payload in (b"", b"!!!", b".not-zlib", b"bm90IGpzb24"):
        cookie = signer.sign(payload).decode()
        response = app.test_client().get(
            "/get", environ_overrides={"HTTP_COOKIE": f"session={cookie}"}
        )
        assert response.status_code == 200, payload
        assert response.get_data(as_text=True) == "None"


def test_non_utf8_cookie_bytes_give_an_empty_session() -> None:
    # WSGI hands header bytes over as latin-1 characters: \xff\xfe is not UTF-8.
    response = (
        make_app()
        .test_client()
        .get("/get", environ_overrides={"HTTP_COOKIE": "session=\xff\xfe.bad.sig"})
    )
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "None"


def test_writing_without_a_secret_key_names_the_fix() -> None:
    app = make_app()
    app.config["SECRET_KEY"] = None
    app.config["TESTING"] = True
    with pytest.raises(RuntimeError, match=r"no secret key is set.*app\.config\['SECRET_KEY'\]"):
        app.test_client().get("/set/x")
    assert app.test_client().get("/get").get_data(as_text=True) == "None"  # reading is fine


def test_failing_open_session_is_a_500_and_leaves_nothing_pushed() -> None:
    class Broken(SessionInterface):
        def open_session(self, app: Any, request: Any) -> Any:
            raise OSError("session store down")

    app = make_app()
    app.session_interface = Broken()
    response = app.test_client().get("/get")
    assert response.status_code == 500
    assert not has_request_context()


def test_custom_session_interface_is_used() -> None:
    store: dict[str, Any] = {}

    class Memory(SessionInterface):
        def open_session(self, app: Any, request: Any) -> Any:
            from ctxcore import SecureCookieSession

            return SecureCookieSession(store.get("s", {}))

        def save_session(self, app: Any, sess: Any, response: Any) -> None:
            store["s"] = sess.to_dict()

    app = make_app()
    app.session_interface = Memory()
    client = app.test_client()
    client.get("/set/mem")
    assert store == {"s": {"value": "mem"}}
    assert client.get("/get").get_data(as_text=True) == "mem"


@pytest.mark.parametrize("size", [1, 40, 52, 53, 2000])
def test_sessions_of_every_size_round_trip(size: int) -> None:
    """Small payloads skip compression, large ones are compressed: both read back."""
    app = make_app()

    @app.route("/big")
    def big() -> str:
        session["blob"] = "z" * size
        return "ok"

    @app.route("/blob")
    def blob() -> str:
        return str(len(session.get("blob", "")))

    client = app.test_client()
    header = cookie(client.get("/big"))
    value = header.split(";")[0].split("=", 1)[1]
    payload = len('{"blob":""}') + size  # the compact JSON that is signed
    assert value.startswith(".") == (payload >= 64)  # "." marks a compressed payload
    assert client.get("/blob").get_data(as_text=True) == str(size)


SESSION_VALUES: dict[str, Any] = {
    "tuple": (1, "a", (2, 3)),
    "bytes": b"\x00\xffraw",
    "datetime": datetime(2026, 12, 3, 13, 4, 5, tzinfo=timezone.utc),
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "markup": Markup("<b>bold</b>"),
    "nested": {"list": [(1, 2), {"t": b"x"}], "plain": "text"},
    "looks_like_a_tag": {" t": [1, 2]},
    "escaped_twice": {" di": {" t": 1}},
}


@pytest.mark.parametrize("name", sorted(SESSION_VALUES))
def test_session_values_keep_their_types_as_in_flask(fw: Framework, name: str) -> None:
    app = fw.App(__name__)
    app.secret_key = "types"
    value = SESSION_VALUES[name]
    seen: list[Any] = []

    @app.route("/set")
    def set_value() -> str:
        fw.session["value"] = value
        return "ok"

    @app.route("/get")
    def get_value() -> str:
        seen.append(fw.session["value"])
        return "ok"

    client = app.test_client()
    client.get("/set")
    client.get("/get")
    assert seen == [value]
    assert type(seen[0]) is type(value)


def test_tagged_serializer_registers_new_tags_and_refuses_a_taken_key() -> None:
    from ctxcore.json.tag import JSONTag, TaggedJSONSerializer

    class Point:
        def __init__(self, x: int) -> None:
            self.x = x

    class PointTag(JSONTag):
        key = " p"

        def check(self, value: Any) -> bool:
            return isinstance(value, Point)

        def to_json(self, value: Any) -> Any:
            return value.x

        def to_python(self, value: Any) -> Any:
            return Point(value)

    serializer = TaggedJSONSerializer()
    serializer.register(PointTag)
    assert serializer.loads(serializer.dumps({"p": Point(3)}))["p"].x == 3
    with pytest.raises(KeyError):
        serializer.register(PointTag)


@pytest.mark.parametrize(
    "payload", ['{" b": 5}', '{" u": "zz"}', '{" t": 5}', '{" d": []}', '{" di": {}}']
)
def test_a_signed_cookie_with_a_broken_tag_is_an_empty_session(payload: str) -> None:
    app = App(__name__)
    app.secret_key = "broken"

    @app.route("/")
    def index() -> str:
        return repr(dict(session))

    interface = app.session_interface
    signer = interface.get_signing_serializer(app)
    assert isinstance(signer, URLSafeTimedSerializer)

    def cookie(text: str) -> str:
        data = base64.urlsafe_b64encode(text.encode()).rstrip(b"=")
        return signer.make_signer(signer.salt).sign(data).decode()  # type: ignore[no-any-return]

    client = app.test_client()
    # The control: the same signing of a well-formed payload loads.
    client.set_cookie("session", cookie('{"a":{" t":[1]}}'))
    assert client.get("/").get_data(as_text=True) == "{'a': (1,)}"
    client.set_cookie("session", cookie(payload))
    response = client.get("/")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "{}")
