"""``ctxcore.patch_flask()``: ``import flask`` and its submodules become ctxcore's.

The process-wide patch is tested in fresh interpreters (this one has imported the real
Flask already, for the parity tests); ``patched_flask()`` is tested in process, where
it must set the real Flask aside and put it back.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest

import ctxcore
import ctxcore._flask_patch as patch
import ctxcore.globals
import ctxcore.testing


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def flask() -> Iterator[object]:
    with ctxcore.patched_flask():
        yield importlib.import_module("flask")


def test_flask_is_ctxcore_after_the_patch() -> None:
    done = run_python("""
        import ctxcore
        ctxcore.patch_flask()
        import flask, flask.globals, flask.testing
        assert flask.Flask is ctxcore.App
        assert flask.current_app is ctxcore.current_app
        assert flask.globals.request is ctxcore.request
        assert flask.testing.FlaskClient is ctxcore.testing.TestClient
        print(flask.__name__, flask.__version__ == ctxcore.__version__)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["flask", "True"]


def test_patch_flask_twice_changes_nothing() -> None:
    done = run_python("""
        import sys, ctxcore
        ctxcore.patch_flask()
        ctxcore.patch_flask()
        finders = [f for f in sys.meta_path if type(f).__module__ == "ctxcore._flask_patch"]
        print(len(finders), ctxcore.is_flask_patched())
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "True"]


def test_unpatch_flask_gives_the_real_flask_back() -> None:
    done = run_python("""
        import ctxcore
        ctxcore.patch_flask()
        import flask
        assert flask.Flask is ctxcore.App
        ctxcore.unpatch_flask()
        ctxcore.unpatch_flask()  # a second time does nothing
        import flask
        print(flask.Flask.__module__, ctxcore.is_flask_patched())
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["flask.app", "False"]


def test_patching_after_the_real_flask_says_how_to_order_imports() -> None:
    done = run_python("""
        import flask, flask_login, ctxcore
        try:
            ctxcore.patch_flask()
        except RuntimeError as exc:
            print(exc)
    """)
    assert done.returncode == 0, done.stderr
    assert "after the real flask was imported" in done.stdout
    assert "flask_login" in done.stdout
    assert "Call ctxcore.patch_flask() first" in done.stdout


def test_the_patch_imports_nothing_before_flask_is_imported() -> None:
    """Not the engine, nor what gevent's monkey patching replaces (it may come after)."""
    done = run_python("""
        import sys, ctxcore
        ctxcore.patch_flask()
        loaded = ("werkzeug", "itsdangerous", "ctxcore.app", "threading", "socket", "asyncio")
        print(sorted(m for m in loaded if m in sys.modules))
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_patched_flask_sets_the_real_flask_aside_and_back() -> None:
    real = importlib.import_module("flask")
    with ctxcore.patched_flask():
        inside = importlib.import_module("flask")
        assert inside is not real
        assert inside.Flask is ctxcore.App
    assert importlib.import_module("flask") is real
    assert not ctxcore.is_flask_patched()


def test_extensions_imported_inside_the_block_are_forgotten_after_it() -> None:
    with ctxcore.patched_flask():
        inside = importlib.import_module("flask_login.utils")
        assert inside.current_app is ctxcore.current_app
    assert "flask_login.utils" not in sys.modules or (
        sys.modules["flask_login.utils"] is not inside
    )


@pytest.mark.parametrize("name", sorted(patch.MODULES))
def test_every_mapped_module_imports(flask: object, name: str) -> None:
    module = importlib.import_module(name)
    assert module.__name__ == name
    assert repr(module).startswith(f"<module {name!r} (ctxcore.patch_flask()")


def test_submodules_are_attributes_of_their_package(flask: object) -> None:
    tag = importlib.import_module("flask.json.tag")
    assert flask.json.tag is tag  # type: ignore[attr-defined]
    assert (
        tag.TaggedJSONSerializer is importlib.import_module("ctxcore.json.tag").TaggedJSONSerializer
    )


def test_star_import_gives_flasks_names(flask: object) -> None:
    namespace: dict[str, object] = {}
    exec("from flask import *", namespace)
    assert namespace["Flask"] is ctxcore.App
    assert namespace["request"] is ctxcore.request


def test_a_name_flask_has_and_ctxcore_lacks_is_a_clear_import_error(flask: object) -> None:
    with pytest.raises(ImportError, match=r"flask\.cli\.CertParamType: Flask has it, ctxcore "):
        exec("from flask.cli import CertParamType", {})


def test_a_name_neither_has_is_an_attribute_error_naming_it(flask: object) -> None:
    with pytest.raises(AttributeError, match="'_request_ctx_stack': ctxcore does not provide it"):
        flask._request_ctx_stack  # type: ignore[attr-defined]
    assert not hasattr(flask, "_request_ctx_stack")  # probes answer as on Flask 3.1


def test_an_unmapped_flask_submodule_is_a_clear_module_not_found_error(flask: object) -> None:
    with pytest.raises(ModuleNotFoundError, match=r"'flask\.scaffold': ctxcore does not provide"):
        importlib.import_module("flask.scaffold")


def test_app_ctx_and_request_ctx_are_the_active_contexts(flask: object) -> None:
    from flask.globals import app_ctx, request_ctx  # type: ignore[import-not-found]

    app = ctxcore.App(__name__)
    with app.test_request_context("/") as ctx:
        assert request_ctx._get_current_object() is ctx
        assert app_ctx.app is app
    assert not app_ctx
    with pytest.raises(RuntimeError, match="outside of request context"):
        request_ctx.request


def test_the_engines_own_context_globals_win_over_the_bridge(
    flask: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    sentinel = object()
    monkeypatch.setattr(ctxcore.globals, "app_ctx", sentinel, raising=False)
    globals_view = importlib.import_module("flask.globals")
    assert globals_view.app_ctx is sentinel


def test_sansio_modules_show_what_ctxcore_has(flask: object) -> None:
    from flask.sansio.app import App  # type: ignore[import-not-found]
    from flask.sansio.scaffold import (  # type: ignore[import-not-found]
        _endpoint_from_view_func,
    )

    assert issubclass(ctxcore.App, App)

    def listing() -> None: ...

    assert _endpoint_from_view_func(listing) == "listing"


def test_a_read_name_is_kept_in_the_view(flask: object) -> None:
    assert "request" not in vars(flask)
    assert flask.request is ctxcore.request  # type: ignore[attr-defined]
    assert vars(flask)["request"] is ctxcore.request


def test_version_is_the_distributions() -> None:
    from importlib.metadata import version

    assert ctxcore.__version__ == version("ctxcore")
