"""Config: a dict of settings with the engine's defaults."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

__all__ = ["DEFAULTS", "Config"]

DEFAULTS: dict[str, Any] = {
    "DEBUG": False,
    "TESTING": False,
    "PROPAGATE_EXCEPTIONS": None,
    "SECRET_KEY": None,
    "SECRET_KEY_FALLBACKS": [],
    "SESSION_COOKIE_NAME": "session",
    "SESSION_COOKIE_DOMAIN": None,
    "SESSION_COOKIE_PATH": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_REFRESH_EACH_REQUEST": True,
    "PERMANENT_SESSION_LIFETIME": timedelta(days=31),
    "MAX_COOKIE_SIZE": 4093,
    "JSON_PROVIDER": "json",
    "JSON_SORT_KEYS": False,
    "SERVER_NAME": None,
    "APPLICATION_ROOT": "/",
    "PREFERRED_URL_SCHEME": "http",
    "MAX_CONTENT_LENGTH": None,
}


class Config(dict[str, Any]):
    """Application settings: a dict pre-filled with :data:`DEFAULTS`."""

    def __init__(self, defaults: dict[str, Any] | None = None) -> None:
        super().__init__(DEFAULTS if defaults is None else defaults)

    def from_mapping(self, mapping: dict[str, Any] | None = None, **kwargs: Any) -> None:
        """Update from a mapping and keywords; only UPPERCASE keys are taken."""
        for key, value in {**(mapping or {}), **kwargs}.items():
            if key.isupper():
                self[key] = value

    def from_object(self, obj: object) -> None:
        """Update from the UPPERCASE attributes of an object or module."""
        for key in dir(obj):
            if key.isupper():
                self[key] = getattr(obj, key)

    def __repr__(self) -> str:
        return f"<Config {dict.__repr__(self)}>"
