"""Public names Flask 3.1 has that ctxcore gained for extensions: helpers, views,
testing and cli aliases, ``ctxcore.logging``, ``ctxcore.typing`` and ``json.tag``'s tags.

(``tests/engine/test_flask_api.py`` checks every name exists; these check they work.)
"""

from __future__ import annotations

import io
import logging
import typing
from collections import OrderedDict
from pathlib import Path

import pytest
from werkzeug.exceptions import Aborter, HTTPException

import ctxcore
import ctxcore.cli
import ctxcore.logging
import ctxcore.testing
import ctxcore.typing
import ctxcore.views
from ctxcore.helpers import get_debug_flag, get_load_dotenv, get_template_attribute
from ctxcore.json.tag import PassDict, TaggedJSONSerializer


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("CTXCORE_DEBUG", "FLASK_DEBUG", "CTXCORE_SKIP_DOTENV", "FLASK_SKIP_DOTENV"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    ("value", "expected"), [("1", True), ("true", True), ("0", False), ("False", False)]
)
def test_get_debug_flag_reads_flask_debug(
    clean_env: pytest.MonkeyPatch, value: str, expected: bool
) -> None:
    clean_env.setenv("FLASK_DEBUG", value)
    assert get_debug_flag() is expected


def test_get_debug_flag_is_off_by_default(clean_env: pytest.MonkeyPatch) -> None:
    assert get_debug_flag() is False


def test_get_load_dotenv_follows_skip_dotenv(clean_env: pytest.MonkeyPatch) -> None:
    assert get_load_dotenv() is True
    assert get_load_dotenv(False) is False
    clean_env.setenv("FLASK_SKIP_DOTENV", "1")
    assert get_load_dotenv() is False
    clean_env.setenv("CTXCORE_SKIP_DOTENV", "0")
    assert get_load_dotenv() is True


def test_abort_goes_through_an_apps_aborter() -> None:
    class ClientClosed(HTTPException):
        code = 499
        description = "closed"

    app = ctxcore.App(__name__)
    app.aborter = Aborter(extra={499: ClientClosed})  # type: ignore[attr-defined]
    with app.app_context(), pytest.raises(ClientClosed):
        ctxcore.abort(499)


def test_abort_outside_an_app_is_werkzeugs() -> None:
    with pytest.raises(HTTPException) as raised:
        ctxcore.abort(404)
    assert raised.value.code == 404


def test_redirect_goes_through_an_apps_redirect() -> None:
    app = ctxcore.App(__name__)
    made: list[str] = []

    def redirect(location: str, code: int = 302) -> ctxcore.Response:
        made.append(location)
        return ctxcore.Response(status=code, headers={"Location": location})

    app.redirect = redirect  # type: ignore[attr-defined]
    with app.app_context():
        assert ctxcore.redirect("/there", 303).status_code == 303
    assert made == ["/there"]
    assert ctxcore.redirect("/elsewhere").status_code == 302  # no app: werkzeug's


def test_get_template_attribute_calls_a_macro(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "macros.html").write_text(
        "{% macro hello(name) %}Hello {{ name }}!{% endmacro %}"
    )
    app = ctxcore.App(__name__, root_path=str(tmp_path))
    with app.app_context():
        assert str(get_template_attribute("macros.html", "hello")("ann")) == "Hello ann!"


def test_flask_aliases_are_ctxcores_classes() -> None:
    assert ctxcore.testing.FlaskClient is ctxcore.testing.TestClient
    assert ctxcore.testing.FlaskCliRunner is ctxcore.testing.CliRunner
    assert ctxcore.views.http_method_funcs == ctxcore.views.HTTP_METHODS


def test_find_app_by_string_builds_from_a_factory() -> None:
    import types

    module = types.ModuleType("shop")
    module.create_app = lambda name="x": ctxcore.App(name)  # type: ignore[attr-defined]
    app = ctxcore.cli.find_app_by_string(module, "create_app('shop')")
    assert app.name == "shop"


def test_the_version_option_prints_ctxcores_version() -> None:
    import click
    from click.testing import CliRunner

    @click.command(params=[ctxcore.cli.version_option])
    def tool() -> None: ...

    output = CliRunner().invoke(tool, ["--version"]).output
    assert f"ctxcore {ctxcore.__version__}" in output


def test_a_dict_subclass_keeps_its_tagged_values() -> None:
    serializer = TaggedJSONSerializer()
    assert any(isinstance(tag, PassDict) for tag in serializer.order)
    loaded = serializer.loads(serializer.dumps(OrderedDict(pair=(1, 2))))
    assert loaded == {"pair": (1, 2)}


def test_the_default_handler_writes_to_the_requests_error_stream() -> None:
    app = ctxcore.App("ctxcore-logging-test")
    logger = logging.getLogger("ctxcore-logging-test.stream")
    logger.propagate = False
    logger.addHandler(ctxcore.logging.default_handler)
    errors = io.StringIO()
    try:
        with app.test_request_context(errors_stream=errors):
            logger.error("payment failed")
    finally:
        logger.removeHandler(ctxcore.logging.default_handler)
    assert "ERROR in test_flask_names: payment failed" in errors.getvalue()


def test_create_logger_adds_the_handler_only_when_none_would_log() -> None:
    app = ctxcore.App("ctxcore-logger-without-handlers")
    logger = ctxcore.logging.create_logger(app)
    try:
        assert logger.name == app.name
        assert ctxcore.logging.has_level_handler(logger)
        root_handlers = logging.getLogger().handlers
        expected = (
            []
            if any(h.level <= logger.getEffectiveLevel() for h in root_handlers)
            else [ctxcore.logging.default_handler]
        )
        assert logger.handlers == expected
    finally:
        logger.removeHandler(ctxcore.logging.default_handler)


def test_typing_aliases_hold_what_views_return() -> None:
    returned = typing.get_args(ctxcore.typing.ResponseReturnValue)
    assert tuple[ctxcore.typing.ResponseValue, int] in returned
    assert str in typing.get_args(ctxcore.typing.ResponseValue)
    assert typing.get_args(ctxcore.typing.AppOrBlueprintKey) == (str, type(None))
