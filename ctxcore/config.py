"""Config: a dict of settings with the engine's defaults, and loaders (files, env, objects)."""

from __future__ import annotations

import errno
import json
import os
import types
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import IO, Any

from werkzeug.utils import import_string

__all__ = ["DEFAULTS", "Config", "ConfigAttribute"]

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
    "SESSION_COOKIE_PARTITIONED": False,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_REFRESH_EACH_REQUEST": True,
    # Read session cookies a Flask app signed (HMAC-SHA1) and re-sign them (see
    # ctxcore.sessions): users of a Flask app that moves stay logged in.
    "SESSION_ACCEPT_FLASK_COOKIES": True,
    "PERMANENT_SESSION_LIFETIME": timedelta(days=31),
    "MAX_COOKIE_SIZE": 4093,
    "JSON_PROVIDER": "json",
    "JSON_SORT_KEYS": None,
    "SERVER_NAME": None,
    "APPLICATION_ROOT": "/",
    "PREFERRED_URL_SCHEME": "http",
    "MAX_CONTENT_LENGTH": None,
    "MAX_FORM_MEMORY_SIZE": 500_000,
    "MAX_FORM_PARTS": 1_000,
    "SEND_FILE_MAX_AGE_DEFAULT": None,
    "USE_X_SENDFILE": False,
    "TRAP_HTTP_EXCEPTIONS": False,
    "TRAP_BAD_REQUEST_ERRORS": None,
    "EXPLAIN_TEMPLATE_LOADING": False,
    "TEMPLATES_AUTO_RELOAD": None,
    "PROVIDE_AUTOMATIC_OPTIONS": True,
}


class ConfigAttribute:
    """An attribute of the app that reads and writes one config key (``app.secret_key``).

    :param name: the config key.
    :param get_converter: applied to the value read, if given.
    """

    def __init__(self, name: str, get_converter: Callable[[Any], Any] | None = None) -> None:
        self.__name__ = name
        self.get_converter = get_converter

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = obj.config[self.__name__]
        return self.get_converter(value) if self.get_converter is not None else value

    def __set__(self, obj: Any, value: Any) -> None:
        obj.config[self.__name__] = value


class Config(dict[str, Any]):
    """Application settings: a dict pre-filled with :data:`DEFAULTS`, with loaders.

    :param root_path: relative file names given to the loaders are relative to it (the
        app's root path, or its instance folder with ``instance_relative_config``).
    :param defaults: the starting values (default: :data:`DEFAULTS`).

    Only UPPERCASE keys are taken from objects, files and mappings: that lets a config
    module hold helpers and imports.
    """

    def __init__(
        self, root_path: str | os.PathLike[str] = "", defaults: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(DEFAULTS if defaults is None else defaults)
        self.root_path = os.fspath(root_path)

    def from_envvar(self, variable_name: str, silent: bool = False) -> bool:
        """Load the Python file named by the environment variable ``variable_name``.

        Returns whether a file was loaded; with ``silent`` an unset variable or a
        missing file returns False instead of raising.
        """
        filename = os.environ.get(variable_name)
        if not filename:
            if silent:
                return False
            raise RuntimeError(
                f"The environment variable {variable_name!r} is not set, so no config file "
                "can be loaded from it. Set it to the path of a configuration file."
            )
        return self.from_pyfile(filename, silent=silent)

    def from_prefixed_env(
        self, prefix: str = "CTXCORE", *, loads: Callable[[str], Any] = json.loads
    ) -> bool:
        """Load every environment variable named ``{prefix}_KEY`` into ``KEY``.

        Values are parsed with ``loads`` (JSON: ``true``, ``3``, ``[1, 2]``) and kept as
        strings when that fails. ``__`` nests into dicts: ``CTXCORE_DB__HOST`` sets
        ``config["DB"]["HOST"]``. Always returns True.
        """
        start = f"{prefix}_"
        for variable in sorted(os.environ):
            if not variable.startswith(start):
                continue
            raw = os.environ[variable]
            try:
                value = loads(raw)
            except Exception:
                value = raw
            key = variable[len(start) :]
            if "__" not in key:
                self[key] = value
                continue
            current: dict[str, Any] = self
            *parents, tail = key.split("__")
            for parent in parents:
                current = current.setdefault(parent, {})
            current[tail] = value
        return True

    def from_pyfile(self, filename: str | os.PathLike[str], silent: bool = False) -> bool:
        """Run a Python file and take its UPPERCASE names (relative to :attr:`root_path`)."""
        path = os.path.join(self.root_path, filename)
        module = types.ModuleType("config")
        module.__file__ = path
        try:
            with open(path, mode="rb") as config_file:
                exec(compile(config_file.read(), path, "exec"), module.__dict__)
        except OSError as exc:
            if silent and exc.errno in (errno.ENOENT, errno.EISDIR, errno.ENOTDIR):
                return False
            exc.strerror = f"Unable to load configuration file ({exc.strerror})"
            raise
        self.from_object(module)
        return True

    def from_object(self, obj: object | str) -> None:
        """Update from the UPPERCASE attributes of an object, class or module.

        A string is imported first (``"app.settings"``, ``"app.settings:Production"``).
        """
        if isinstance(obj, str):
            obj = import_string(obj)
        for key in dir(obj):
            if key.isupper():
                self[key] = getattr(obj, key)

    def from_file(
        self,
        filename: str | os.PathLike[str],
        load: Callable[[IO[Any]], Mapping[str, Any]],
        silent: bool = False,
        text: bool = True,
    ) -> bool:
        """Load a data file with ``load`` (``json.load``, ``tomllib.load`` with
        ``text=False``) and take its UPPERCASE top-level keys."""
        path = os.path.join(self.root_path, filename)
        try:
            with open(path, "r" if text else "rb") as data_file:
                data = load(data_file)
        except OSError as exc:
            if silent and exc.errno in (errno.ENOENT, errno.EISDIR):
                return False
            exc.strerror = f"Unable to load configuration file ({exc.strerror})"
            raise
        return self.from_mapping(data)

    def from_mapping(self, mapping: Mapping[str, Any] | None = None, **kwargs: Any) -> bool:
        """Update from a mapping and keywords; only UPPERCASE keys are taken."""
        for key, value in {**(mapping or {}), **kwargs}.items():
            if key.isupper():
                self[key] = value
        return True

    def get_namespace(
        self, namespace: str, lowercase: bool = True, trim_namespace: bool = True
    ) -> dict[str, Any]:
        """The keys that start with ``namespace`` (``"IMAGE_STORE_"``) as a dict.

        By default the prefix is removed and the keys lowercased, ready to pass as
        keyword arguments: ``{"type": ..., "path": ...}``.
        """
        found: dict[str, Any] = {}
        for key, value in self.items():
            if not key.startswith(namespace):
                continue
            name = key[len(namespace) :] if trim_namespace else key
            found[name.lower() if lowercase else name] = value
        return found

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {dict.__repr__(self)}>"
