"""Finding the app a command line names: ``--app module``, ``module:app``, ``module:create_app()``.

The rules are Flask's (``flask --app``): a module name or a file path, then optionally
``:name`` — an attribute, or a factory call with literal arguments
(``create_app('dev', debug=True)``). Without a name the module's ``app`` or
``application`` is used, else its one App, else a ``create_app`` or ``make_app`` factory
called without arguments. Without ``--app`` at all, ``CTXCORE_APP`` (then ``FLASK_APP``,
so a moved app's environment keeps working) names it; failing that, ``wsgi.py`` or
``app.py`` in the working directory.

Every way of failing raises :class:`NoAppException`, a usage error with a one-line
message: the command line prints it without a traceback.

This module must not import :mod:`ctxcore.app` nor :mod:`ctxcore.scaffold`: they import
it (through ``cli``, a member of every Scaffold), so apps are recognised by what they
have, and by a base class looked up in :data:`sys.modules`, never imported.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import re
import sys
import sysconfig
import traceback
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

import click

from .helpers import DEBUG_ENV_VARS, get_debug_flag

if TYPE_CHECKING:
    from .app import App

__all__ = [
    "APP_ENV_VARS",
    "DEBUG_ENV_VARS",
    "NoAppException",
    "ScriptInfo",
    "call_factory",
    "find_app_by_string",
    "find_best_app",
    "get_debug_flag",
    "is_app",
    "load_dotenv",
    "locate_app",
    "locate_object",
    "prepare_import",
]

#: Where the app is named when ``--app`` is not given, first found wins.
APP_ENV_VARS = ("CTXCORE_APP", "FLASK_APP")
FACTORY_NAMES = ("create_app", "make_app")


class NoAppException(click.UsageError):
    """The app could not be found, imported or built (exit code 2, one line)."""


def is_app(value: object) -> bool:
    """Whether ``value`` is a ctxcore App (an App, not a Blueprint: it has contexts)."""
    # Not imported: while ctxcore.scaffold is not loaded, no App exists to be found.
    scaffold = sys.modules.get("ctxcore.scaffold")
    return (
        scaffold is not None
        and isinstance(value, scaffold.Scaffold)
        and callable(getattr(value, "app_context", None))
    )


def _as_app(value: object) -> object:
    # A Manager (ctxcore.cli) stands for its app, as in `--app module:manager`.
    inner = getattr(value, "app", None)
    if not is_app(value) and is_app(inner) and getattr(value, "is_manager", False):
        return inner
    return value


def load_dotenv(path: str | os.PathLike[str] | None = None) -> bool:
    """Load ``.env`` and ``.flaskenv`` (or ``path``) into ``os.environ`` if python-dotenv
    is installed; variables already set win. Returns whether any file was loaded."""
    try:
        import dotenv  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return False
    if path is not None:
        return bool(dotenv.load_dotenv(path, encoding="utf-8"))
    loaded = False
    for name in (".env", ".flaskenv"):
        found = dotenv.find_dotenv(name, usecwd=True)
        if found:
            loaded = bool(dotenv.load_dotenv(found, encoding="utf-8")) or loaded
    return loaded


def prepare_import(path: str) -> str:
    """Turn a file path or module name into a module name, and make it importable.

    A file path (``src/todo.py``) puts the folder above its package on ``sys.path``; a
    module name puts the working directory there, as ``python -m`` would.
    """
    path = os.path.realpath(path) if path.endswith(".py") or os.sep in path else path
    if not os.path.isabs(path):
        if os.getcwd() not in sys.path:
            sys.path.insert(0, os.getcwd())
        return path
    fname, ext = os.path.splitext(path)
    if ext == ".py":
        path = fname
    if os.path.basename(path) == "__init__":
        path = os.path.dirname(path)
    names = []
    while True:  # climb out of packages: their parent folder goes on sys.path
        path, name = os.path.split(path)
        names.append(name)
        if not os.path.exists(os.path.join(path, "__init__.py")):
            break
    if sys.path[0] != path:
        sys.path.insert(0, path)
    return ".".join(reversed(names))


def _library_folders() -> tuple[str, ...]:
    """Folders whose code is not the user's: the standard library, installed packages,
    and ctxcore itself."""
    paths = sysconfig.get_paths()
    names = ("stdlib", "platstdlib", "purelib", "platlib")
    folders = {os.path.realpath(paths[name]) for name in names if name in paths}
    folders.add(os.path.dirname(os.path.realpath(__file__)))
    return tuple(os.path.join(folder, "") for folder in folders)


def _where(exc: BaseException) -> str:
    """`` (file.py:line)``: where the user's code raised ``exc``.

    The innermost frame of the user's own files, not of the library that raised: an app
    module calling ``json.loads`` on a bad file points at the call, not ``decoder.py``.
    """
    if isinstance(exc, SyntaxError) and exc.filename:
        return f" ({_shown(exc.filename)}:{exc.lineno})"
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    library = _library_folders()
    for frame in reversed(frames):
        path = frame.filename
        if not path.startswith("<") and not os.path.realpath(path).startswith(library):
            return f" ({_shown(path)}:{frame.lineno})"
    return f" ({_shown(frames[-1].filename)}:{frames[-1].lineno})"


def _shown(path: str) -> str:
    """``path`` relative to the working directory when it is inside it, else its name."""
    relative = os.path.relpath(os.path.realpath(path))
    return os.path.basename(path) if relative.startswith(os.pardir) else relative


def _import(module_name: str, raise_if_not_found: bool) -> ModuleType | None:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        # The module itself is missing (not something it imports): maybe not an error.
        if exc.name == module_name or module_name.startswith(f"{exc.name}."):
            if not raise_if_not_found:
                return None
            raise NoAppException(f"Could not import {module_name!r}: no such module.") from None
        raise NoAppException(
            f"While importing {module_name!r}: {type(exc).__name__}: {exc}{_where(exc)}"
        ) from None
    except Exception as exc:
        raise NoAppException(
            f"While importing {module_name!r}: {type(exc).__name__}: {exc}{_where(exc)}"
        ) from None


def _called_with_wrong_args(func: Callable[..., Any], exc: TypeError) -> bool:
    """Whether calling ``func`` raised ``exc`` at the call itself (bad arguments), not
    from inside it."""
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code is getattr(func, "__code__", None):
            return False  # the error came from the factory's body
        tb = tb.tb_next
    return True


def _takes_no_arguments(func: Callable[..., Any]) -> bool:
    """Whether ``func()`` binds: every parameter has a default or is variadic."""
    try:
        inspect.signature(func).bind()
    except TypeError:
        return False
    except ValueError:  # no signature to read: let the call decide
        return True
    return True


def call_factory(func: Callable[..., Any], label: str, *args: Any, **kwargs: Any) -> Any:
    """``func(*args, **kwargs)``; its errors are a one-line :class:`NoAppException` that
    names ``label`` (the factory) and where it failed."""
    try:
        return func(*args, **kwargs)
    except TypeError as exc:
        if not _called_with_wrong_args(func, exc):
            raise _failed(label, exc) from None
        raise NoAppException(
            f"The factory {label} could not be called with the given arguments: {exc}"
        ) from None
    except Exception as exc:
        raise _failed(label, exc) from None


def _failed(label: str, exc: Exception) -> NoAppException:
    return NoAppException(f"The factory {label} raised {type(exc).__name__}: {exc}{_where(exc)}")


def find_best_app(module: ModuleType) -> object:
    """The module's ``app`` or ``application``, its one App, or what a factory returns."""
    for name in ("app", "application"):
        value = _as_app(getattr(module, name, None))
        if is_app(value):
            return value
    apps = list(dict.fromkeys(v for v in vars(module).values() if is_app(v)))
    if len(apps) == 1:
        return apps[0]
    if len(apps) > 1:
        raise NoAppException(
            f"Detected several apps in module {module.__name__!r}; name one with "
            f"'--app {module.__name__}:name'."
        )
    for name in FACTORY_NAMES:
        factory = getattr(module, name, None)
        if inspect.isfunction(factory):
            value = call_factory(factory, f"{module.__name__}:{name}")
            if is_app(value):
                return value
    raise NoAppException(
        f"Found no app or factory in module {module.__name__!r}; use "
        f"'--app {module.__name__}:name' to name one."
    )


def _parse(module: ModuleType, spec: str) -> object:
    """``name`` or ``name(literal args)`` evaluated against ``module``."""
    label = f"{module.__name__}:{spec}"
    try:
        expr = ast.parse(spec.strip(), mode="eval").body
    except SyntaxError:
        raise NoAppException(f"Cannot parse {spec!r} as a name or a call.") from None
    if isinstance(expr, ast.Name):
        name, args, kwargs, call = expr.id, [], {}, False
    elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name):
        name, call = expr.func.id, True
        try:
            args = [ast.literal_eval(arg) for arg in expr.args]
            kwargs = {
                kw.arg: ast.literal_eval(kw.value) for kw in expr.keywords if kw.arg is not None
            }
        except ValueError:
            raise NoAppException(
                f"The arguments of {spec!r} must be Python literals (strings, numbers, ...)."
            ) from None
    else:
        raise NoAppException(f"Cannot parse {spec!r} as a name or a call.")
    try:
        value = getattr(module, name)
    except AttributeError:
        raise NoAppException(f"Module {module.__name__!r} has no attribute {name!r}.") from None
    if call or (inspect.isfunction(value) and _takes_no_arguments(value)):
        # A bare function name is a factory only if it can be called without
        # arguments: a plain WSGI or ASGI function (environ, start_response) is the
        # object to serve itself.
        if not callable(value):
            raise NoAppException(f"{label} is not callable.")
        value = call_factory(value, label, *args, **kwargs)
    return value


def locate_object(module_name: str, name: str | None, raise_if_not_found: bool = True) -> Any:
    """Import ``module_name`` and return what ``name`` gives (any object: WSGI or ASGI
    callables too); without a name, the module's best app."""
    module = _import(module_name, raise_if_not_found)
    if module is None:
        return None
    if name is None:
        return find_best_app(module)
    return _as_app(_parse(module, name))


def find_app_by_string(module: ModuleType, app_name: str) -> App:
    """The App ``app_name`` names in ``module``: an attribute, or a factory call with
    literal arguments (``"create_app('dev')"``). Raises :class:`NoAppException`."""
    value = _as_app(_parse(module, app_name))
    if not is_app(value):
        raise NoAppException(
            f"{module.__name__}:{app_name} is a {type(value).__name__}, not a ctxcore App."
        )
    found: App = value  # type: ignore[assignment]
    return found


def locate_app(module_name: str, name: str | None, raise_if_not_found: bool = True) -> App | None:
    """Like :func:`locate_object`, and the result must be a ctxcore App."""
    value = locate_object(module_name, name, raise_if_not_found)
    if value is None:
        return None
    if inspect.isfunction(value):
        raise NoAppException(
            f"The factory {module_name}:{name} needs arguments; pass them in the call, "
            f"as '{module_name}:{name}(...)'."
        )
    if not is_app(value):
        raise NoAppException(
            f"{module_name}:{name} is a {type(value).__name__}, not a ctxcore App "
            "(or a Manager, or a factory returning one)."
        )
    found: App = value
    return found


def split_import_path(path: str) -> tuple[str, str | None]:
    """``"pkg.mod:create_app()"`` -> ``("pkg.mod", "create_app()")``; a Windows drive's
    colon (``C:\\``) is no separator."""
    parts = re.split(r":(?![\\/])", path, maxsplit=1)
    return parts[0], (parts[1] if len(parts) > 1 else None)


class ScriptInfo:
    """What a command needs to load the app: the import path or a factory, loaded once.

    :param app_import_path: ``--app``'s value (default: ``CTXCORE_APP``/``FLASK_APP``).
    :param create_app: a callable returning the app, used instead of an import path.
    :param set_debug_flag: set ``app.debug`` from ``CTXCORE_DEBUG``/``FLASK_DEBUG``.
    :param load_dotenv_defaults: load ``.env``/``.flaskenv`` first (with python-dotenv).
    """

    def __init__(
        self,
        app_import_path: str | None = None,
        create_app: Callable[..., Any] | None = None,
        set_debug_flag: bool = True,
        load_dotenv_defaults: bool = True,
    ) -> None:
        self.app_import_path = app_import_path
        self.create_app = create_app
        self.set_debug_flag = set_debug_flag
        self.load_dotenv_defaults = load_dotenv_defaults
        #: Anything commands want to share.
        self.data: dict[Any, Any] = {}
        self._loaded_app: App | None = None

    def import_path(self) -> str | None:
        """``--app``'s value, else the first of ``CTXCORE_APP``, ``FLASK_APP`` set."""
        if self.app_import_path:
            return self.app_import_path
        return next((os.environ[n] for n in APP_ENV_VARS if os.environ.get(n)), None)

    def load_app(self) -> App:
        """Load (once) and return the app; raises :class:`NoAppException`."""
        if self._loaded_app is not None:
            return self._loaded_app
        app: App | None = None
        path = self.import_path()
        if self.create_app is not None:
            built = _as_app(self.create_app())
            if not is_app(built):
                raise NoAppException(f"create_app returned a {type(built).__name__}, not an App.")
            app = built  # type: ignore[assignment]
        elif path:
            module_path, name = split_import_path(path)
            app = locate_app(prepare_import(module_path), name)
        else:
            for candidate in ("wsgi.py", "app.py"):
                if os.path.exists(candidate):
                    app = locate_app(prepare_import(candidate), None, raise_if_not_found=False)
                    if app is not None:
                        break
        if app is None:
            raise NoAppException(
                "No app to run: pass '--app module:app' or set CTXCORE_APP "
                "(or have wsgi.py or app.py in this folder)."
            )
        if self.set_debug_flag and get_debug_flag():
            app.debug = True
        self._loaded_app = app
        return app
