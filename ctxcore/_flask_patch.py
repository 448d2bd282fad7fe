"""``patch_flask()``: from here on, ``import flask`` (and every ``flask.<submodule>``) is ctxcore.

Flask extensions import ``flask``: ``from flask import current_app``, ``from flask.globals
import app_ctx``, ``from flask.sessions import SessionInterface``. Run on ctxcore
unchanged, they must get ctxcore's objects, or their ``current_app`` never sees
ctxcore's contexts. ``patch_flask()`` puts a finder first on :data:`sys.meta_path` that
answers every ``flask`` import with a *view* of the ctxcore module of the same name
(:data:`MODULES`): a module object called ``flask.X`` whose attributes are read from
``ctxcore.X`` on first use (then kept in the view, so a hot ``flask.request`` costs a
dict lookup, as on a real module). A few names differ (:data:`RENAMES`: ``flask.Flask``
is ``ctxcore.App``).

Why views and not the ctxcore modules themselves under Flask's names: the names that
differ, and the error for a name ctxcore lacks. ``from flask.x import name`` on a plain
module hides the cause behind "cannot import name"; a view raises
:class:`FlaskNameNotProvided` (an ``ImportError``) naming the name and saying ctxcore
does not provide it, for every name Flask 3.1 has and ctxcore does not
(:data:`NOT_PROVIDED`). A name Flask lacks too raises ``AttributeError``, as on Flask,
so ``hasattr`` probes for other Flask versions answer as they would there. A submodule
ctxcore does not map (``flask.scaffold``, gone since Flask 2.3) is a
``ModuleNotFoundError`` saying the same.

Order matters: an extension imported before the patch holds the real Flask's objects,
so ``patch_flask()`` refuses to run once the real ``flask`` is imported, and says how to
order the imports. :func:`patched_flask` (for tests) instead sets the real modules aside
for the block and puts them back after.
"""

from __future__ import annotations

import _thread
import importlib
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import Any

__all__ = [
    "MODULES",
    "NOT_PROVIDED",
    "RENAMES",
    "FlaskNameNotProvided",
    "is_flask_patched",
    "patch_flask",
    "patched_flask",
    "unpatch_flask",
]

#: ``flask`` module name -> the ctxcore modules it shows, the first that imports. The
#: ``sansio`` ones prefer the I/O-free core's own modules and fall back to the modules
#: that hold the same classes today (``ctxcore.sansio`` does not exist yet).
MODULES: dict[str, tuple[str, ...]] = {
    "flask": ("ctxcore",),
    "flask.app": ("ctxcore.app",),
    "flask.blueprints": ("ctxcore.blueprints",),
    "flask.cli": ("ctxcore.cli",),
    "flask.config": ("ctxcore.config",),
    "flask.ctx": ("ctxcore.ctx",),
    "flask.globals": ("ctxcore.globals",),
    "flask.helpers": ("ctxcore.helpers",),
    "flask.json": ("ctxcore.json",),
    "flask.json.provider": ("ctxcore.json.provider",),
    "flask.json.tag": ("ctxcore.json.tag",),
    "flask.logging": ("ctxcore.logging",),
    "flask.sansio": ("ctxcore.sansio",),
    "flask.sansio.app": ("ctxcore.sansio.app", "ctxcore._appbase"),
    "flask.sansio.blueprints": ("ctxcore.sansio.blueprints", "ctxcore.blueprints"),
    "flask.sansio.scaffold": ("ctxcore.sansio.scaffold", "ctxcore.scaffold"),
    "flask.sessions": ("ctxcore.sessions",),
    "flask.signals": ("ctxcore.signals",),
    "flask.templating": ("ctxcore.templating",),
    "flask.testing": ("ctxcore.testing",),
    "flask.typing": ("ctxcore.typing",),
    "flask.views": ("ctxcore.views",),
    "flask.wrappers": ("ctxcore.wrappers",),
}
_PACKAGES = frozenset({"flask", "flask.json", "flask.sansio"})

#: ``(flask module, Flask's name)`` -> ctxcore's name for the same object.
RENAMES: dict[tuple[str, str], str] = {
    ("flask", "Flask"): "App",
    ("flask.app", "Flask"): "App",
    ("flask.sansio.app", "App"): "AppBase",  # until ctxcore.sansio.app exists
}

#: Public names of Flask 3.1's modules that ctxcore does not provide, per module. A view
#: raises :class:`FlaskNameNotProvided` for these. ``tests/test_flask_api.py`` walks
#: Flask's API and keeps this table exact: it fails when a name here appears in ctxcore
#: (take it out) or when Flask has a name that is neither in ctxcore nor here.
NOT_PROVIDED: dict[str, frozenset[str]] = {
    # Type variables Flask's modules declare for their own signatures: not API.
    "flask.app": frozenset(
        {"T_shell_context_processor", "T_teardown", "T_template_filter", "T_template_global"}
        | {"T_template_test"}
    ),
    "flask.config": frozenset({"T"}),
    "flask.ctx": frozenset({"F"}),
    "flask.views": frozenset({"F"}),
    # `flask run`'s TLS and reloader path types and its banner: `python -m ctxcore run`
    # has its own options. `cli`, Flask's ready-made group: ctxcore.cli.main() builds it.
    "flask.cli": frozenset({"CertParamType", "SeparatedPathType", "cli", "show_server_banner"}),
    # Type variables of the I/O-free core's signatures, and its helpers (the engine's
    # sansio split provides the modules these live in).
    "flask.sansio.app": frozenset(
        {"T_shell_context_processor", "T_teardown", "T_template_filter", "T_template_global"}
        | {"T_template_test"}
    ),
    "flask.sansio.blueprints": frozenset(
        {"DeferredSetupFunction", "T_after_request", "T_before_request", "T_error_handler"}
        | {"T_teardown", "T_template_context_processor", "T_template_filter"}
        | {"T_template_global", "T_template_test", "T_url_defaults", "T_url_value_preprocessor"}
    ),
    "flask.sansio.scaffold": frozenset(
        {"T_after_request", "T_before_request", "T_error_handler", "T_route"}
        | {"T_teardown", "T_template_context_processor", "T_url_defaults"}
        | {"T_url_value_preprocessor", "find_package", "setupmethod"}
    ),
}


class FlaskNameNotProvided(ImportError):
    """A name of Flask's that ctxcore does not provide, asked for through ``flask``."""


def _import_first(candidates: Sequence[str]) -> ModuleType | None:
    for candidate in candidates:
        try:
            return importlib.import_module(candidate)
        except ModuleNotFoundError as exc:
            # Only a missing candidate moves on; a candidate that exists but fails to
            # import (a missing dependency inside it) must show its own error.
            missing = exc.name or ""
            if candidate != missing and not candidate.startswith(missing + "."):
                raise
    return None


def _endpoint_from_view_func(view_func: Callable[..., Any]) -> str:
    """The endpoint Flask derives from a view: its ``__name__`` (Flask-RESTX imports it)."""
    if view_func is None:
        raise TypeError("expected view func if endpoint is not provided.")
    return view_func.__name__


def _view_func_names() -> dict[str, Any]:
    return {"_endpoint_from_view_func": _endpoint_from_view_func}


def _context_proxies() -> dict[str, Any]:
    """``app_ctx`` and ``request_ctx``: proxies to the active contexts (Flask-SQLAlchemy
    scopes its sessions by ``app_ctx``, Flask-Limiter keeps state on ``request_ctx``)."""
    from ._stacks import top_app_context, top_request_context
    from .local import UNBOUND, LocalProxy

    def app_ctx() -> Any:
        ctx = top_app_context()
        return UNBOUND if ctx is None else ctx

    def request_ctx() -> Any:
        ctx = top_request_context()
        return UNBOUND if ctx is None else ctx

    return {
        "app_ctx": LocalProxy(
            app_ctx,
            unbound_message="Working outside of application context: no app context "
            "is active here (push one with 'with app.app_context():').",
        ),
        "request_ctx": LocalProxy(
            request_ctx,
            unbound_message="Working outside of request context: no request context is "
            "active here (use 'with app.test_request_context():' in tests or scripts).",
        ),
    }


#: Names a ``flask`` view supplies when its ctxcore module lacks them: private helpers
#: of Flask's that published extensions import by name, and names the engine does not
#: have yet (a module that gains one is used instead).
_EXTRAS: dict[str, Callable[[], dict[str, Any]]] = {
    "flask.globals": _context_proxies,
    "flask.helpers": _view_func_names,
    "flask.sansio.scaffold": _view_func_names,
}
_extras_made: dict[str, dict[str, Any]] = {}


def _extras(flask_name: str) -> dict[str, Any]:
    made = _extras_made.get(flask_name)
    if made is None:
        make = _EXTRAS.get(flask_name)
        made = _extras_made[flask_name] = {} if make is None else make()
    return made


_ABSENT = object()


class FlaskModule(ModuleType):
    """``flask.X`` after :func:`patch_flask`: a view of the ctxcore module ``X``."""

    __ctxcore_target__: ModuleType | None

    def __getattr__(self, name: str) -> Any:
        flask_name = self.__name__
        submodule = f"{flask_name}.{name}"
        if submodule in MODULES:
            return importlib.import_module(submodule)
        target = self.__ctxcore_target__
        # Flask's name first: a module that provides it under Flask's name wins over
        # the rename (flask.sansio.app.App once ctxcore.sansio.app exists) and over
        # the extras.
        value = getattr(target, name, _ABSENT)
        renamed = RENAMES.get((flask_name, name))
        if value is _ABSENT and renamed is not None:
            value = getattr(target, renamed, _ABSENT)
        if value is _ABSENT and not name.startswith("__"):
            value = _extras(flask_name).get(name, _ABSENT)
        if value is _ABSENT:
            raise _missing(flask_name, name, target)
        if not name.startswith("__"):
            setattr(self, name, value)
        return value

    def __dir__(self) -> list[str]:
        target = self.__ctxcore_target__
        names = set(super().__dir__()) | set(_extras(self.__name__))
        if target is not None:
            names |= set(dir(target))
        names |= {flask for (module, flask) in RENAMES if module == self.__name__}
        return sorted(names)

    def __repr__(self) -> str:
        target = self.__ctxcore_target__
        shown = "no ctxcore module" if target is None else target.__name__
        return f"<module {self.__name__!r} (ctxcore.patch_flask(): {shown})>"


def _missing(flask_name: str, name: str, target: ModuleType | None) -> Exception:
    where = "no ctxcore module" if target is None else target.__name__
    if name in NOT_PROVIDED.get(flask_name, ()):
        return FlaskNameNotProvided(
            f"{flask_name}.{name}: Flask has it, ctxcore does not provide it (after "
            f"ctxcore.patch_flask(), {flask_name} is {where}). Whatever uses it cannot run "
            "on ctxcore as it is.",
            name=flask_name,
        )
    return AttributeError(
        f"module {flask_name!r} has no attribute {name!r}: ctxcore does not provide it "
        f"(after ctxcore.patch_flask(), {flask_name} is {where}; Flask 3.1 has no such name "
        "either)"
    )


class _Loader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = FlaskModule(spec.name)
        target = _import_first(MODULES[spec.name])
        module.__ctxcore_target__ = target
        module.__doc__ = target.__doc__ if target is not None else None
        if target is not None and hasattr(target, "__file__"):
            module.__file__ = target.__file__
        exported = list(getattr(target, "__all__", ()))
        exported += [flask for (mod, flask) in RENAMES if mod == spec.name]
        if exported:
            vars(module)["__all__"] = exported
        return module

    def exec_module(self, module: ModuleType) -> None:
        pass  # a view runs no code: its names come from the ctxcore module


class _Finder(importlib.abc.MetaPathFinder):
    """Answers ``flask`` and ``flask.*`` imports with views of ctxcore's modules."""

    loader = _Loader()

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "flask" and not fullname.startswith("flask."):
            return None
        if fullname not in MODULES:
            raise ModuleNotFoundError(
                f"No module named {fullname!r}: ctxcore does not provide it (after "
                "ctxcore.patch_flask(), flask is ctxcore; the flask modules it provides "
                f"are {', '.join(sorted(MODULES))})",
                name=fullname,
            )
        spec = importlib.machinery.ModuleSpec(
            fullname, self.loader, is_package=fullname in _PACKAGES
        )
        if fullname in _PACKAGES:
            spec.submodule_search_locations = []
        return spec


_FINDER = _Finder()
_lock = _thread.allocate_lock()  # _thread: gevent may patch threading after this


def _flask_module_names() -> list[str]:
    return [name for name in sys.modules if name == "flask" or name.startswith("flask.")]


def _extension_module_names() -> list[str]:
    # Flask extensions are flask_* packages by convention; what they imported from flask
    # while patched is ctxcore's, so they are forgotten along with the views.
    return [name for name in sys.modules if name.startswith("flask_")]


def is_flask_patched() -> bool:
    """Whether :func:`patch_flask` is in effect."""
    return _FINDER in sys.meta_path


def patch_flask() -> None:
    """Make ``import flask`` (and every ``flask.<submodule>``) give ctxcore's modules.

    Call it once at program start, before anything imports ``flask`` or a Flask
    extension. Calling it again does nothing. Raises ``RuntimeError`` if the real
    ``flask`` is already imported: what imported it holds Flask's objects, which never
    see ctxcore's contexts.
    """
    with _lock:
        if is_flask_patched():
            return
        real = _flask_module_names()
        if real:
            extensions = sorted({name.split(".")[0] for name in _extension_module_names()})
            also = f" (and the extensions {', '.join(extensions)})" if extensions else ""
            raise RuntimeError(
                f"ctxcore.patch_flask() was called after the real flask was imported{also}: "
                "whatever imported it keeps Flask's current_app and request, which never see "
                "ctxcore's contexts. Call ctxcore.patch_flask() first, at the top of the "
                "program's entry point (before importing flask, any Flask extension, or "
                "modules that import them)."
            )
        sys.meta_path.insert(0, _FINDER)


def unpatch_flask() -> None:
    """Undo :func:`patch_flask`: the next ``import flask`` is the real Flask again.

    The views are removed from :data:`sys.modules`, and so are the ``flask_*`` modules
    (Flask extensions) imported meanwhile, so that the next import of an extension binds
    to the real Flask. Other modules keep what they imported. Does nothing when not
    patched.
    """
    with _lock:
        if not is_flask_patched():
            return
        sys.meta_path.remove(_FINDER)
        for name in _flask_module_names() + _extension_module_names():
            del sys.modules[name]


@contextmanager
def patched_flask() -> Iterator[None]:
    """``with ctxcore.patched_flask():`` — Flask is ctxcore inside the block (for tests).

    Unlike :func:`patch_flask` it also works when the real ``flask`` is already
    imported: the real ``flask`` and ``flask_*`` modules are set aside for the block
    (imports inside it get fresh copies bound to ctxcore) and put back after it. Does
    nothing more when the patch is already in effect.
    """
    if is_flask_patched():
        yield
        return
    aside = {name: sys.modules.pop(name) for name in _flask_module_names()}
    aside |= {name: sys.modules.pop(name) for name in _extension_module_names()}
    patch_flask()
    try:
        yield
    finally:
        unpatch_flask()
        sys.modules.update(aside)
