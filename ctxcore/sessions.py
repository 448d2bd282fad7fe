"""Sessions: the interface, and the default signed-cookie implementation.

The default signs a JSON cookie with itsdangerous (HMAC-SHA256), accepts cookies signed
with ``SECRET_KEY_FALLBACKS`` (key rotation), and honours permanent sessions and the
cookie settings. A tampered, expired, truncated, non-UTF-8 or oversized cookie gives an
empty session and a normal response, never an error.

Moving from Flask: Flask signs the same tagged JSON with HMAC-SHA1 under the salt
``"cookie-session"``. With ``SESSION_ACCEPT_FLASK_COOKIES`` (on by default) a cookie that
is not ctxcore's is checked as Flask's, with the same secret keys; when it is valid the
session is read from it and marked modified, so the response replaces it with a cookie
signed as ctxcore signs. Users of a Flask app that moves stay logged in, and each one's
cookie is converted on their first request that uses the session. Once the old cookies
have expired (``PERMANENT_SESSION_LIFETIME``) the setting can be turned off. Only a
holder of the secret key can sign a cookie either way, so accepting both adds no way in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, MutableMapping
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, ClassVar

from itsdangerous import BadData, Serializer, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode

from .json.tag import TaggedJSONSerializer

if TYPE_CHECKING:
    from ._appbase import AppBase as App
    from .wrappers import Request, Response

__all__ = [
    "NullSession",
    "SecureCookieSession",
    "SecureCookieSessionInterface",
    "SessionInterface",
    "SessionMixin",
    "TaggedJSONSerializer",
    "session_json_serializer",
]


class _DerivedKeySigner(TimestampSigner):
    """itsdangerous' timestamp signer, remembering derived keys.

    Deriving a key is an HMAC of the secret and the salt: the same for every cookie, so
    computing it once per key saves two HMACs on each signed or checked cookie.
    """

    # Shared by every signer: derived keys are a pure function of (key, salt, digest).
    _derived: ClassVar[dict[tuple[bytes, bytes, Any], bytes]] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        raw = self.secret_keys[-1] if secret_key is None else secret_key
        raw = raw.encode() if isinstance(raw, str) else raw
        cache_key = (raw, self.salt, self.digest_method)
        derived = self._derived.get(cache_key)
        if derived is None:
            if len(self._derived) > 64:  # keys rotate rarely; keep the cache small
                self._derived.clear()
            derived = self._derived[cache_key] = super().derive_key(raw)
        return derived


#: The session cookie's serializer: tagged JSON keeps tuples, bytes, datetimes, UUIDs
#: and Markup as what they were (``ctxcore.json.tag``).
session_json_serializer = TaggedJSONSerializer()


class _Serializer(URLSafeTimedSerializer):
    """itsdangerous' URL-safe timed serializer, reusing its signer between cookies.

    A signer only holds its configuration (keys, salt, algorithm), so one per salt
    serves every request instead of one built per cookie.
    """

    def dump_payload(self, obj: Any) -> bytes:
        # Skip the compression attempt for small payloads (most sessions): zlib's own
        # overhead means it cannot win below this size, and trying costs a compress.
        raw = Serializer.dump_payload(self, obj)
        if len(raw) < 64:
            return base64_encode(raw)
        return super().dump_payload(obj)

    def make_signer(self, salt: str | bytes | None = None) -> Any:
        signers: dict[Any, Any] = self.__dict__.setdefault("_signers", {})
        signer = signers.get(salt)
        if signer is None:
            signer = signers[salt] = super().make_signer(salt)
        return signer


class SessionMixin(MutableMapping[str, Any]):
    """A dict-like session that records whether it was read (``accessed``) or changed."""

    modified: bool = False
    accessed: bool = False
    #: Whether the session was created during this request (server-side stores set it).
    new: bool = False

    @property
    def permanent(self) -> bool:
        """Whether the cookie outlives the browser session (``PERMANENT_SESSION_LIFETIME``)."""
        return bool(self.get("_permanent", False))

    @permanent.setter
    def permanent(self, value: bool) -> None:
        self["_permanent"] = bool(value)


class SecureCookieSession(SessionMixin):
    """The session of the signed-cookie interface: a dict that tracks reads and writes."""

    def __init__(self, initial: dict[str, Any] | None = None) -> None:
        self._data: dict[str, Any] = dict(initial or {})
        self.modified = False
        self.accessed = False

    def __getitem__(self, key: str) -> Any:
        self.accessed = True
        return self._data[key]

    def get(self, key: str, default: Any = None) -> Any:
        self.accessed = True
        return self._data.get(key, default)

    def __setitem__(self, key: str, value: Any) -> None:
        self.accessed = self.modified = True
        self._data[key] = value

    def __delitem__(self, key: str) -> None:
        self.accessed = self.modified = True
        del self._data[key]

    def __iter__(self) -> Iterator[str]:
        self.accessed = True
        return iter(list(self._data))

    def __len__(self) -> int:
        self.accessed = True
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        self.accessed = True
        return key in self._data

    def clear(self) -> None:
        self.accessed = self.modified = True
        self._data.clear()

    def to_dict(self) -> dict[str, Any]:
        """A plain copy of the data, as it will be serialized."""
        return dict(self._data)

    def copy(self) -> dict[str, Any]:
        """A plain dict copy of the data (Flask's session is a dict: ``copy()`` is its)."""
        self.accessed = True
        return dict(self._data)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._data!r}>"


class NullSession(SecureCookieSession):
    """The session when sessions are unavailable (no secret key): readable, never writable."""

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            "The session is unavailable because no secret key is set. Set one on the "
            "application, e.g. app.config['SECRET_KEY'] = secrets.token_hex(32) (keep it "
            "out of source control), to use sessions."
        )

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _fail


class SessionInterface:
    """How an app opens and saves sessions; subclass to store them elsewhere."""

    null_session_class: type[NullSession] = NullSession
    #: Flask's flag for interfaces that pickle sessions; unused by ctxcore, kept for
    #: extensions that read it.
    pickle_based: bool = False

    def make_null_session(self, app: App) -> NullSession:
        """The session used when :meth:`open_session` returns ``None``."""
        return self.null_session_class()

    def is_null_session(self, obj: object) -> bool:
        """Whether ``obj`` is a null session (nothing to save)."""
        return isinstance(obj, self.null_session_class)

    def open_session(self, app: App, request: Request) -> SessionMixin | None:
        """Load the session for ``request``, or return ``None`` when unavailable."""
        raise NotImplementedError

    def save_session(self, app: App, session: SessionMixin, response: Response) -> None:
        """Persist ``session`` on ``response`` (called after every request that opened it)."""
        raise NotImplementedError

    def get_cookie_name(self, app: App) -> str:
        return str(app.config["SESSION_COOKIE_NAME"])

    def get_cookie_domain(self, app: App) -> str | None:
        return app.config["SESSION_COOKIE_DOMAIN"]  # type: ignore[no-any-return]

    def get_cookie_path(self, app: App) -> str:
        return str(app.config["SESSION_COOKIE_PATH"] or app.config["APPLICATION_ROOT"])

    def get_cookie_httponly(self, app: App) -> bool:
        """``SESSION_COOKIE_HTTPONLY``: hide the cookie from scripts."""
        return bool(app.config["SESSION_COOKIE_HTTPONLY"])

    def get_cookie_secure(self, app: App) -> bool:
        """``SESSION_COOKIE_SECURE``: send the cookie over HTTPS only."""
        return bool(app.config["SESSION_COOKIE_SECURE"])

    def get_cookie_samesite(self, app: App) -> str | None:
        """``SESSION_COOKIE_SAMESITE``: ``"Strict"``, ``"Lax"`` or ``None``."""
        return app.config["SESSION_COOKIE_SAMESITE"]  # type: ignore[no-any-return]

    def get_cookie_partitioned(self, app: App) -> bool:
        """``SESSION_COOKIE_PARTITIONED``: the CHIPS ``Partitioned`` attribute."""
        return bool(app.config["SESSION_COOKIE_PARTITIONED"])

    def get_expiration_time(self, app: App, session: SessionMixin) -> datetime | None:
        """When a permanent session's cookie expires; ``None`` for a browser session."""
        if session.permanent:
            lifetime: timedelta = app.config["PERMANENT_SESSION_LIFETIME"]
            return datetime.now(timezone.utc) + lifetime
        return None

    def should_set_cookie(self, app: App, session: SessionMixin) -> bool:
        """Set the cookie when the session changed, or to refresh a permanent one."""
        return session.modified or (
            session.permanent and bool(app.config["SESSION_REFRESH_EACH_REQUEST"])
        )


def _vary_on_cookie(response: Response) -> None:
    # response.vary parses the header into a set on every access: edit it directly.
    vary = response.headers.get("Vary")
    if not vary:
        response.headers["Vary"] = "Cookie"
    elif "cookie" not in {part.strip().lower() for part in vary.split(",")}:
        response.headers["Vary"] = f"{vary}, Cookie"


class SecureCookieSessionInterface(SessionInterface):
    """Sessions stored client-side in a cookie signed with the app's secret key."""

    salt = "ctxcore-cookie-session"
    #: The HMAC's hash (Flask's: SHA-1).
    digest_method = staticmethod(hashlib.sha256)
    #: How itsdangerous derives the signing key from the secret key and the salt.
    key_derivation = "hmac"
    #: Turns the session into the cookie's text and back (tagged JSON).
    serializer = session_json_serializer
    session_class = SecureCookieSession
    #: Cookies longer than this many bytes are ignored (the browser limit is ~4 KB).
    max_cookie_length = 8192
    #: How Flask signs its session cookie, read when ``SESSION_ACCEPT_FLASK_COOKIES``.
    flask_salt = "cookie-session"
    flask_digest_method = staticmethod(hashlib.sha1)

    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], _Serializer] = {}

    def get_signing_serializer(self, app: App) -> URLSafeTimedSerializer | None:
        """The serializer for the app's current keys (cached), or ``None`` without a key."""
        return self._serializer(app, self.salt, self.digest_method)

    def get_flask_serializer(self, app: App) -> URLSafeTimedSerializer | None:
        """The serializer Flask's session interface uses with the app's keys (to read
        the cookies of a Flask app that moved), or ``None`` without a key."""
        return self._serializer(app, self.flask_salt, self.flask_digest_method)

    def _serializer(self, app: App, salt: str, digest_method: Any) -> URLSafeTimedSerializer | None:
        secret = app.secret_key  # an App subclass may set it as a class attribute
        if not secret:
            return None
        keys = (*app.config["SECRET_KEY_FALLBACKS"], secret)  # the last key signs
        cache_key = (keys, salt, digest_method, self.key_derivation, self.serializer)
        serializer = self._serializers.get(cache_key)
        if serializer is None:
            serializer = _Serializer(
                list(keys),
                salt=salt,
                serializer=self.serializer,
                signer=_DerivedKeySigner,
                signer_kwargs={
                    "key_derivation": self.key_derivation,
                    "digest_method": digest_method,
                },
            )
            # One key set at a time (ctxcore's serializer and Flask's for it).
            if any(key[0] != keys for key in self._serializers):
                self._serializers = {}
            self._serializers[cache_key] = serializer
        return serializer

    def open_session(self, app: App, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        # Parsing cookies walks every header: skip it when the client sent none.
        if not request.has_cookies:
            return self.session_class()
        raw = request.cookies.get(self.get_cookie_name(app))
        if not raw or len(raw) > self.max_cookie_length:
            return self.session_class()
        max_age = int(app.config["PERMANENT_SESSION_LIFETIME"].total_seconds())
        data = _load(serializer, raw, max_age)
        if data is not None:
            return self.session_class(data)
        if app.config.get("SESSION_ACCEPT_FLASK_COOKIES", True):
            flask_serializer = self.get_flask_serializer(app)
            data = None if flask_serializer is None else _load(flask_serializer, raw, max_age)
            if data is not None:
                session = self.session_class(data)
                session.modified = True  # written back signed as ctxcore signs
                return session
        return self.session_class()

    def save_session(self, app: App, session: SessionMixin, response: Response) -> None:
        name = self.get_cookie_name(app)
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        if session.accessed or session.modified:
            _vary_on_cookie(response)
        if not session:
            if session.modified:  # emptied during this request: remove the cookie
                response.delete_cookie(name, path=path, domain=domain)
            return
        if not self.should_set_cookie(app, session):
            return
        serializer = self.get_signing_serializer(app)
        if serializer is None:  # pragma: no cover - a null session is never saved
            return
        data = session.to_dict() if isinstance(session, SecureCookieSession) else dict(session)
        response.set_cookie(
            name,
            serializer.dumps(data),
            expires=self.get_expiration_time(app, session),
            httponly=self.get_cookie_httponly(app),
            domain=domain,
            path=path,
            secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app),
            partitioned=self.get_cookie_partitioned(app),
        )


def _load(serializer: URLSafeTimedSerializer, raw: str, max_age: int) -> dict[str, Any] | None:
    """The session data in ``raw``, or ``None`` when it is not a valid session cookie."""
    try:
        data = serializer.loads(raw, max_age=max_age)
    except (BadData, ValueError, TypeError, UnicodeError):
        # Tampered, expired, truncated or garbled; BadData also covers a correctly
        # signed cookie whose payload does not decode (BadPayload).
        return None
    return data if isinstance(data, dict) else None
