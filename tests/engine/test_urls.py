"""URL building (``ctxcore._urls``, behind ``App.url_for``): the override points it goes
through and the corners of its options — each test runs on Flask and on ctxcore and
asserts Flask's behaviour."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.routing import BuildError

from .parity import Framework


def test_url_for_calls_an_overridden_inject_url_defaults(fw: Framework) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []

    class App(fw.App):  # type: ignore[misc,name-defined]
        def inject_url_defaults(self, endpoint: str, values: dict[str, Any]) -> None:
            seen.append((endpoint, dict(values)))
            values.setdefault("lang", "fr")

    app = App(__name__)

    @app.route("/<lang>/about")
    def about(lang: str) -> str:
        return lang

    with app.test_request_context("/"):
        assert fw.url_for("about") == "/fr/about"
        assert fw.url_for("about", lang="de") == "/de/about"
    assert seen == [("about", {}), ("about", {"lang": "de"})]


def test_url_for_calls_an_overridden_handle_url_build_error(fw: Framework) -> None:
    class App(fw.App):  # type: ignore[misc,name-defined]
        def handle_url_build_error(
            self, error: BuildError, endpoint: str, values: dict[str, Any]
        ) -> str:
            return f"/missing/{endpoint}?anchor={values['_anchor']}"

    app = App(__name__)
    with app.test_request_context("/"):
        assert fw.url_for("nowhere", _anchor="top") == "/missing/nowhere?anchor=top"


def test_url_defaults_run_app_first_then_blueprints_outermost_first(fw: Framework) -> None:
    app = fw.App(__name__)
    outer = fw.Blueprint("outer", __name__, url_prefix="/o")
    inner = fw.Blueprint("inner", __name__, url_prefix="/i")
    order: list[str] = []

    @inner.route("/<tag>")
    def leaf(tag: str) -> str:
        return tag

    for scope, name in ((app, "app"), (outer, "outer"), (inner, "inner")):
        scope.url_defaults(lambda endpoint, values, name=name: order.append(name))
    outer.register_blueprint(inner)
    app.register_blueprint(outer)
    with app.test_request_context("/"):
        assert fw.url_for("outer.inner.leaf", tag="t") == "/o/i/t"
    assert order == ["app", "outer", "inner"]


def test_a_handlers_build_error_replaces_the_one_raised(fw: Framework) -> None:
    app = fw.App(__name__)

    def refuse(error: BuildError, endpoint: str, values: dict[str, Any]) -> str:
        raise BuildError("replacement", {}, None)

    app.url_build_error_handlers.append(refuse)
    with app.test_request_context("/"), pytest.raises(BuildError) as caught:
        fw.url_for("nowhere")
    assert caught.value.endpoint == "replacement"


def test_a_failed_build_with_a_scheme_leaves_the_requests_scheme(fw: Framework) -> None:
    app = fw.App(__name__)

    @app.route("/here")
    def here() -> str:
        return "here"

    with app.test_request_context("/", base_url="http://site.test"):
        with pytest.raises(BuildError):
            fw.url_for("nowhere", _scheme="https", _external=True)
        assert fw.url_for("here", _external=True) == "http://site.test/here"
