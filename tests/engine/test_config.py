"""Config loaders and the App constructor's paths — on Flask and on ctxcore."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path

import pytest

from .parity import Framework

if sys.version_info >= (3, 11):
    import tomllib


def prefix(fw: Framework) -> str:
    return "FLASK" if fw.name == "flask" else "CTXCORE"


def test_from_pyfile_takes_uppercase_names_relative_to_the_root(
    fw: Framework, tmp_path: Path
) -> None:
    (tmp_path / "settings.py").write_text("SECRET_KEY = 'file'\nlower = 1\nDEBUG = True\n")
    app = fw.App(__name__, root_path=str(tmp_path))
    assert app.config.from_pyfile("settings.py") is True
    assert (app.secret_key, app.debug, "lower" in app.config) == ("file", True, False)
    assert app.config.from_pyfile("missing.py", silent=True) is False
    with pytest.raises(OSError, match="Unable to load configuration file"):
        app.config.from_pyfile("missing.py")


def test_instance_relative_config(fw: Framework, tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "local.cfg").write_text("TESTING = True\n")
    app = fw.App(__name__, instance_path=str(instance), instance_relative_config=True)
    assert app.instance_path == str(instance)
    app.config.from_pyfile("local.cfg")
    assert app.testing is True
    with pytest.raises(ValueError, match="absolute"):
        fw.App(__name__, instance_path="relative")


def test_from_envvar(fw: Framework, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = fw.App(__name__)
    monkeypatch.delenv("APP_SETTINGS", raising=False)
    assert app.config.from_envvar("APP_SETTINGS", silent=True) is False
    with pytest.raises(RuntimeError, match="APP_SETTINGS"):
        app.config.from_envvar("APP_SETTINGS")
    (tmp_path / "s.py").write_text("SECRET_KEY = 'env'\n")
    monkeypatch.setenv("APP_SETTINGS", str(tmp_path / "s.py"))
    assert app.config.from_envvar("APP_SETTINGS") is True
    assert app.config["SECRET_KEY"] == "env"


def test_from_prefixed_env_parses_json_and_nests(
    fw: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = prefix(fw)
    monkeypatch.setenv(f"{name}_SECRET_KEY", "plain text")
    monkeypatch.setenv(f"{name}_PORT", "8080")
    monkeypatch.setenv(f"{name}_FLAGS", '{"a": true}')
    monkeypatch.setenv(f"{name}_DB__HOST", "db.local")
    monkeypatch.setenv(f"{name}_DB__PORT", "5432")
    app = fw.App(__name__)
    assert app.config.from_prefixed_env() is True
    config = app.config
    assert config["SECRET_KEY"] == "plain text"
    assert config["PORT"] == 8080
    assert config["FLAGS"] == {"a": True}
    assert config["DB"] == {"HOST": "db.local", "PORT": 5432}
    monkeypatch.setenv("OTHER_X", "1")
    app.config.from_prefixed_env("OTHER")
    assert config["X"] == 1


def test_from_file_json_and_toml(fw: Framework, tmp_path: Path) -> None:
    (tmp_path / "c.json").write_text(json.dumps({"SECRET_KEY": "j", "lower": 1}))
    app = fw.App(__name__, root_path=str(tmp_path))
    assert app.config.from_file("c.json", load=json.load) is True
    assert app.config["SECRET_KEY"] == "j"
    assert "lower" not in app.config
    assert app.config.from_file("nope.json", load=json.load, silent=True) is False
    if sys.version_info >= (3, 11):
        (tmp_path / "c.toml").write_text('SECRET_KEY = "t"\n')
        app.config.from_file("c.toml", load=tomllib.load, text=False)
        assert app.config["SECRET_KEY"] == "t"


def test_from_object_takes_import_strings_and_classes(fw: Framework, tmp_path: Path) -> None:
    package = tmp_path / "cfgpkg_" / "settings.py"
    package.parent.mkdir()
    package.write_text(
        textwrap.dedent(
            """
            DEBUG = True
            class Production:
                SECRET_KEY = "prod"
                helper = "not config"
            """
        )
    )
    sys.path.insert(0, str(tmp_path))
    try:
        app = fw.App(__name__)
        app.config.from_object("cfgpkg_.settings")
        app.config.from_object("cfgpkg_.settings.Production")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith("cfgpkg_")]:
            del sys.modules[name]
    assert (app.debug, app.secret_key, "helper" in app.config) == (True, "prod", False)


def test_from_mapping_and_get_namespace(fw: Framework) -> None:
    app = fw.App(__name__)
    app.config.from_mapping({"IMAGE_STORE_TYPE": "fs", "lower": 1}, IMAGE_STORE_PATH="/x")
    assert "lower" not in app.config
    assert app.config.get_namespace("IMAGE_STORE_") == {"type": "fs", "path": "/x"}
    assert app.config.get_namespace("IMAGE_STORE_", lowercase=False, trim_namespace=False) == {
        "IMAGE_STORE_TYPE": "fs",
        "IMAGE_STORE_PATH": "/x",
    }


def test_config_attributes_write_through(fw: Framework) -> None:
    app = fw.App(__name__)
    app.secret_key = "k"
    app.testing = True
    app.debug = True
    assert (app.config["SECRET_KEY"], app.config["TESTING"], app.config["DEBUG"]) == (
        "k",
        True,
        True,
    )
    app.extensions["mine"] = object()
    assert "mine" in app.extensions


def test_root_path_and_default_folders(fw: Framework) -> None:
    app = fw.App(__name__)
    here = os.path.dirname(os.path.abspath(__file__))
    assert app.root_path == here
    assert app.static_folder == os.path.join(here, "static")
    assert app.static_url_path == "/static"
    assert app.template_folder == "templates"
    # Beside the top-level package ("tests"), not the module's own folder.
    assert app.instance_path == os.path.join(os.path.dirname(os.path.dirname(here)), "instance")
    custom = fw.App(__name__, static_folder="assets", static_url_path="/s/")
    assert (custom.static_url_path, os.path.basename(custom.static_folder)) == ("/s", "assets")
    assert fw.App(__name__, static_folder=None).static_url_path is None
