"""The App a reader can follow: App -> AppBase -> Scaffold, and Blueprint -> Scaffold.

Flask's shape (``Flask -> sansio.App -> Scaffold``): :class:`ctxcore.App` is the I/O
layer (WSGI and ASGI entry points, contexts, test client, command line),
:class:`ctxcore._appbase.AppBase` the I/O-free core (routing, hooks, errors, responses,
config, templates), :class:`ctxcore.scaffold.Scaffold` what an app and a blueprint
share. No mixins: each public member sits on one of these classes, where a subclass
overrides it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ctxcore import App, Blueprint, render_template_string
from ctxcore._appbase import AppBase
from ctxcore.scaffold import Scaffold

#: Members each layer defines itself (a sample of each kind, not every one).
LAYERS: dict[type, set[str]] = {
    App: {
        "__call__",
        "wsgi_app",
        "asgi",
        "asgi_class",
        "dispatch_async",
        "app_context",
        "request_context",
        "test_client",
        "test_request_context",
        "test_cli_runner",
        "test_cli_runner_class",
        "run",
        "make_shell_context",
        "shell_context_processor",
        "shell_context_processors",
        "full_dispatch_request",
        "handle_exception",
    },
    AppBase: {
        "add_url_rule",
        "url_for",
        "register_blueprint",
        "make_response",
        "find_error_handler",
        "json",
        "make_config",
        "jinja_env",
        "jinja_environment",
        "jinja_options",
        "create_jinja_environment",
        "create_global_jinja_loader",
        "select_jinja_autoescape",
        "update_template_context",
        "template_filter",
        "add_template_global",
    },
    Scaffold: {
        "route",
        "get",
        "before_request",
        "errorhandler",
        "static_folder",
        "static_url_path",
        "has_static_folder",
        "send_static_file",
        "get_send_file_max_age",
        "jinja_loader",
        "context_processor",
        "open_resource",
        "cli",
    },
}


def test_app_is_three_classes_over_object() -> None:
    assert App.__mro__ == (App, AppBase, Scaffold, object)


def test_blueprint_is_one_class_over_scaffold() -> None:
    assert Blueprint.__mro__ == (Blueprint, Scaffold, object)


def test_no_class_has_more_than_four_in_its_mro() -> None:
    """Subclasses of the engine's classes aside, nothing reaches past four classes."""
    for cls in (App, AppBase, Scaffold, Blueprint):
        assert len(cls.__mro__) <= 4, cls.__mro__


@pytest.mark.parametrize("layer", list(LAYERS), ids=lambda cls: cls.__name__)
def test_each_layer_defines_its_own_members(layer: type) -> None:
    assert sorted(LAYERS[layer] - set(vars(layer))) == []


def test_the_core_has_no_io_members() -> None:
    """AppBase serves nothing: the entry points and the command line are App's alone."""
    assert sorted(LAYERS[App] & set(dir(AppBase))) == []


def test_blueprint_template_members_are_its_own() -> None:
    own = {"app_template_filter", "add_app_template_global", "app_context_processor"}
    assert sorted(own - set(vars(Blueprint))) == []
    assert not hasattr(Scaffold, "app_template_filter")


def static_app(cls: type[App], tmp_path: Path) -> App:
    (tmp_path / "static").mkdir(exist_ok=True)
    (tmp_path / "static" / "a.txt").write_text("a")
    return cls(__name__, root_path=str(tmp_path))


def test_a_subclass_overrides_the_scaffold_s_cache_policy(tmp_path: Path) -> None:
    class Cached(App):
        def get_send_file_max_age(self, filename: str | None) -> int | None:
            return 60 if filename == "a.txt" else None

    response = static_app(Cached, tmp_path).test_client().get("/static/a.txt")
    assert response.data == b"a"
    assert response.cache_control.max_age == 60
    response.close()
    plain = static_app(App, tmp_path).test_client().get("/static/a.txt")
    assert plain.cache_control.max_age is None
    plain.close()


def test_a_blueprint_subclass_overrides_send_static_file(tmp_path: Path) -> None:
    class Stamped(Blueprint):
        def send_static_file(self, filename: str) -> Any:
            response = super().send_static_file(filename)
            response.headers["X-Blueprint"] = self.name
            return response

    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "b.txt").write_text("b")
    app = App(__name__, static_folder=None)
    app.register_blueprint(
        Stamped("bp", __name__, static_folder="static", root_path=str(tmp_path)),
        url_prefix="/bp",
    )
    response = app.test_client().get("/bp/static/b.txt")
    assert (response.status_code, response.data) == (200, b"b")
    assert response.headers["X-Blueprint"] == "bp"
    response.close()


def test_a_subclass_overrides_autoescaping() -> None:
    class Raw(App):
        def select_jinja_autoescape(self, filename: str | None) -> bool:
            return False

    with Raw(__name__).app_context():
        assert render_template_string("{{ v }}", v="<b>") == "<b>"
    with App(__name__).app_context():
        assert render_template_string("{{ v }}", v="<b>") == "&lt;b&gt;"


def test_the_shared_cli_member_names_an_app_s_group_only() -> None:
    """``cli`` is Scaffold's: an app's group takes its name, a blueprint's is named
    when it is registered."""
    assert App("named").cli.name == "named"
    assert Blueprint("bp", __name__).cli.name is None
