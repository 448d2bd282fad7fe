"""Flask 3.1's public API, walked module by module and class by class, against ctxcore.

A Flask name is public when it does not start with ``_`` and its module defines it
(names a module imports from werkzeug or typing are not its API; the top-level
``flask`` package is taken whole). Each must resolve through ``flask.X`` after
``ctxcore.patch_flask()`` unless it is in ``ctxcore._flask_patch.NOT_PROVIDED`` — and
each name there must really be missing, so the table shrinks as ctxcore grows. Members
of Flask's classes are compared with ctxcore's counterparts, on instances, the same way.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import types
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import ctxcore
import ctxcore._flask_patch as patch

FLASK_MODULES = [
    "flask",
    *sorted(name for name in patch.MODULES if name not in ("flask", "flask.sansio")),
]

#: Flask modules ctxcore does not map, and why (``import flask.X`` is then a
#: ModuleNotFoundError that says ctxcore does not provide it).
UNMAPPED_MODULES = {
    # Debug-mode error decorations of Flask's (the form-data-in-a-redirect and
    # template-loading explanations): internal, imported by no extension.
    "flask.debughelpers",
}

#: Names ctxcore's own modules lack that ``patch_flask()`` supplies in its views until
#: the engine has them. Pending: the engine's rebuild adds the public contexts to
#: ctxcore.globals.
PENDING_IN_ENGINE_MODULES = {
    "flask.globals": {"app_ctx", "request_ctx"},
}

#: Members of Flask's classes that ctxcore's classes lack on purpose.
ALLOWED_MEMBERS = {
    # Flask's sessions are dict subclasses (CallbackDict); ctxcore's is a mapping that
    # tracks reads and writes itself: no dict classmethod, no update callback.
    "SecureCookieSession": {"fromkeys", "on_update"},
    "NullSession": {"fromkeys", "on_update"},
}

#: Members of Flask's App, Blueprint and context classes ctxcore does not have yet
#: (none): a name Flask adds fails the test until ctxcore has it or allows it above.
PENDING_ENGINE_MEMBERS: dict[str, set[str]] = {}


def owns(module: types.ModuleType, name: str, value: object) -> bool:
    """Whether ``name`` is ``module``'s own public name (not an import)."""
    if name.startswith("_") or isinstance(value, types.ModuleType):
        return False
    if module.__name__ == "flask":
        return True
    if isinstance(value, type | types.FunctionType):
        return value.__module__ == module.__name__
    source = inspect.getsource(module)
    return re.search(rf"^{re.escape(name)}\b\s*(:[^=\n]*)?=", source, re.MULTILINE) is not None


def flask_names(module_name: str) -> set[str]:
    module = importlib.import_module(module_name)
    return {name for name, value in vars(module).items() if owns(module, name, value)}


def resolves(view: object, name: str) -> bool:
    try:
        getattr(view, name)
    except (AttributeError, patch.FlaskNameNotProvided):
        return False
    return True


def first_module(candidates: tuple[str, ...]) -> types.ModuleType:
    for candidate in candidates:
        try:
            return importlib.import_module(candidate)
        except ModuleNotFoundError:
            continue
    raise AssertionError(f"none of {candidates} imports")


@pytest.fixture(scope="module")
def real_flask_api() -> dict[str, set[str]]:
    return {name: flask_names(name) for name in FLASK_MODULES}


@pytest.fixture
def views() -> Iterator[Callable[[str], Any]]:
    with ctxcore.patched_flask():
        yield importlib.import_module


def test_every_flask_module_is_mapped_or_listed() -> None:
    flask = importlib.import_module("flask")
    found = {
        info.name
        for info in pkgutil.walk_packages(flask.__path__, "flask.")
        if not info.name.split(".")[-1].startswith("_")
    }
    assert found - set(patch.MODULES) == UNMAPPED_MODULES


@pytest.mark.parametrize("module_name", FLASK_MODULES)
def test_flask_names_resolve_through_the_patch(
    module_name: str, real_flask_api: dict[str, set[str]], views: Callable[[str], Any]
) -> None:
    view = views(module_name)
    missing = {name for name in real_flask_api[module_name] if not resolves(view, name)}
    assert missing == set(patch.NOT_PROVIDED.get(module_name, ()))


@pytest.mark.parametrize("module_name", FLASK_MODULES)
def test_ctxcore_modules_have_flasks_names(
    module_name: str, real_flask_api: dict[str, set[str]]
) -> None:
    module = first_module(patch.MODULES[module_name])
    missing = {
        name
        for name in real_flask_api[module_name]
        if not hasattr(module, patch.RENAMES.get((module_name, name), name))
    }
    pending = PENDING_IN_ENGINE_MODULES.get(module_name, set()) & real_flask_api[module_name]
    assert missing == set(patch.NOT_PROVIDED.get(module_name, ())) | pending


def test_not_provided_lists_only_flask_names(real_flask_api: dict[str, set[str]]) -> None:
    extra = {
        f"{module}.{name}"
        for module, names in patch.NOT_PROVIDED.items()
        for name in names
        if name not in real_flask_api[module]
    }
    assert extra == set()


def _instances() -> Iterator[tuple[str, object, object]]:
    import flask
    import flask.json.tag
    import flask.sessions

    import ctxcore.json.tag
    import ctxcore.sessions

    real, ours = flask.Flask("walk"), ctxcore.App("walk")
    yield "Flask", real, ours
    yield "Blueprint", flask.Blueprint("b", "walk"), ctxcore.Blueprint("b", "walk")
    yield "Config", real.config, ours.config
    yield "Request", real.request_class, ours.request_class
    yield "Response", real.response_class, ours.response_class
    yield "SecureCookieSessionInterface", real.session_interface, ours.session_interface
    yield (
        "SecureCookieSession",
        flask.sessions.SecureCookieSession(),
        (ctxcore.sessions.SecureCookieSession()),
    )
    yield "NullSession", flask.sessions.NullSession(), ctxcore.sessions.NullSession()
    yield (
        "TaggedJSONSerializer",
        flask.json.tag.TaggedJSONSerializer(),
        (ctxcore.json.tag.TaggedJSONSerializer()),
    )
    yield "JSONProvider", real.json, ours.json
    yield "FlaskClient", real.test_client(), ours.test_client()
    yield "FlaskCliRunner", real.test_cli_runner(), ours.test_cli_runner()
    yield "AppContext", real.app_context(), ours.app_context()
    with real.test_request_context() as real_ctx, ours.test_request_context() as our_ctx:
        yield "RequestContext", real_ctx, our_ctx
        yield "_AppCtxGlobals", flask.g._get_current_object(), ctxcore.g._get_current_object()


def test_class_members_match_flasks() -> None:
    missing: dict[str, set[str]] = {}
    for label, real, ours in _instances():
        names = {
            name
            for name in dir(real)
            if not name.startswith("_")
            and not hasattr(ours, name)
            and name not in ALLOWED_MEMBERS.get(label, set())
        }
        if names:
            missing[label] = names
    assert missing == PENDING_ENGINE_MEMBERS
