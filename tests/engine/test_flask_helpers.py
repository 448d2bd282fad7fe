"""make_response, flash, errors under testing, the logger — on Flask and on ctxcore."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from .parity import Framework


def test_make_response_forms(fw: Framework) -> None:
    app = fw.App(__name__)

    @app.route("/plain")
    def plain() -> Any:
        response = fw.make_response("body")
        response.headers["X-Extra"] = "1"
        return response

    @app.route("/tuple")
    def as_tuple() -> Any:
        return fw.make_response("made", 201, {"X-Tuple": "yes"})

    @app.route("/json")
    def as_json() -> Any:
        return fw.make_response({"a": 1})

    @app.route("/empty")
    def empty() -> Any:
        response = fw.make_response()
        response.status_code = 204
        return response

    client = app.test_client()
    plain_response = client.get("/plain")
    assert (plain_response.get_data(as_text=True), plain_response.headers["X-Extra"]) == (
        "body",
        "1",
    )
    made = client.get("/tuple")
    assert (made.status_code, made.headers["X-Tuple"], made.get_data(as_text=True)) == (
        201,
        "yes",
        "made",
    )
    assert client.get("/json").get_json() == {"a": 1}
    assert client.get("/empty").status_code == 204
    with pytest.raises(RuntimeError):
        fw.make_response("outside")


def test_flash_categories_and_filters(fw: Framework) -> None:
    app = fw.App(__name__)
    app.secret_key = "flash"

    @app.route("/flash")
    def flash_some() -> str:
        fw.flash("plain")
        fw.flash("careful", "warning")
        fw.flash("broken", "error")
        return "ok"

    @app.route("/show")
    def show() -> Any:
        return {
            "all": fw.get_flashed_messages(),
            "pairs": [list(pair) for pair in fw.get_flashed_messages(with_categories=True)],
            "errors": fw.get_flashed_messages(category_filter=["error"]),
        }

    client = app.test_client()
    client.get("/flash")
    assert client.get("/show").get_json() == {
        "all": ["plain", "careful", "broken"],
        "pairs": [["message", "plain"], ["warning", "careful"], ["error", "broken"]],
        "errors": ["broken"],
    }
    assert client.get("/show").get_json() == {"all": [], "pairs": [], "errors": []}


def test_flash_without_a_secret_key_fails_clearly(fw: Framework) -> None:
    app = fw.App(__name__)
    app.testing = True
    app.add_url_rule("/", "f", lambda: fw.flash("x") or "ok")
    with pytest.raises(RuntimeError, match="secret key"):
        app.test_client().get("/")


def test_testing_propagates_view_errors_and_otherwise_a_500(fw: Framework) -> None:
    app = fw.App(__name__)

    @app.route("/")
    def fail() -> str:
        raise LookupError("from the view")

    app.testing = True
    with pytest.raises(LookupError):
        app.test_client().get("/")
    app.testing = False
    app.logger.disabled = True
    assert app.test_client().get("/").status_code == 500


def test_the_logger_is_named_after_the_app(fw: Framework) -> None:
    app = fw.App(__name__)
    assert app.logger is logging.getLogger(__name__)


def test_log_exception_can_be_overridden(fw: Framework) -> None:
    seen: list[Any] = []

    class Reporting(fw.App):  # type: ignore[misc,name-defined]
        def log_exception(self, exc_info: Any) -> None:
            seen.append(exc_info[0])

    app = Reporting(__name__)

    @app.route("/")
    def fail() -> str:
        raise KeyError("x")

    assert app.test_client().get("/").status_code == 500
    assert seen == [KeyError]


def test_abort_and_redirect(fw: Framework) -> None:
    app = fw.App(__name__)

    @app.route("/gone")
    def gone() -> str:
        fw.abort(410)

    @app.route("/move")
    def move() -> Any:
        return fw.redirect(fw.url_for("gone"), code=301)

    client = app.test_client()
    assert client.get("/gone").status_code == 410
    moved = client.get("/move")
    assert (moved.status_code, moved.headers["Location"]) == (301, "/gone")
