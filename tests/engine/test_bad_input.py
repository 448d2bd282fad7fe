"""Bad input: malformed environs, broken bodies and odd URLs never leave a context behind."""

from __future__ import annotations

import io
from typing import Any

import pytest
from werkzeug.test import EnvironBuilder

from ctxcore import App, has_request_context, request


@pytest.fixture
def app() -> App:
    app = App(__name__)

    @app.route("/form", methods=["POST"])
    def form() -> str:
        return ",".join(sorted(request.form))

    @app.route("/json", methods=["POST"])
    def json_body() -> Any:
        return request.get_json()

    @app.route("/echo/<path:rest>")
    def echo(rest: str) -> str:
        return rest

    return app


def call(app: App, environ: Any) -> tuple[str, bytes]:
    status: list[str] = []

    def start_response(line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        status.append(line)

    body = app(environ, start_response)
    try:
        data = b"".join(body)
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return status[0], data


def good_environ(**overrides: Any) -> dict[str, Any]:
    environ = EnvironBuilder("/echo/x").get_environ()
    environ.update(overrides)
    return environ


@pytest.mark.parametrize(
    "environ",
    [
        pytest.param(None, id="not-a-dict"),
        pytest.param(["REQUEST_METHOD", "GET"], id="a-list"),
        pytest.param(good_environ(REQUEST_METHOD=None), id="method-none"),
        pytest.param(good_environ(REQUEST_METHOD="GE T"), id="method-with-space"),
        pytest.param(
            {k: v for k, v in good_environ().items() if k != "REQUEST_METHOD"}, id="no-method"
        ),
        pytest.param(good_environ(QUERY_STRING="\u2603=snow"), id="non-latin1-query"),
    ],
)
def test_malformed_environ_is_a_400(app: App, environ: Any) -> None:
    status, body = call(app, environ)
    assert status.startswith("400")
    assert b"Bad Request" in body
    assert not has_request_context()


def test_invalid_percent_encoding_in_path_is_served(app: App) -> None:
    status, body = call(app, good_environ(PATH_INFO="/echo/%zz%e9"))
    assert status.startswith("200")
    assert body.startswith(b"%zz")


def test_bad_content_length_and_broken_form_body(app: App) -> None:
    environ = EnvironBuilder(
        "/form", method="POST", data=b"a=1&b=2", content_type="application/x-www-form-urlencoded"
    ).get_environ()
    environ["CONTENT_LENGTH"] = "not-a-number"
    status, _ = call(app, environ)
    assert status.startswith(("200", "400"))
    truncated = EnvironBuilder(
        "/form", method="POST", content_type="multipart/form-data; boundary=xyz"
    ).get_environ()
    truncated["wsgi.input"] = io.BytesIO(b"--xyz\r\nContent-Disposition: form-data; name=")
    truncated["CONTENT_LENGTH"] = "200"
    status, _ = call(app, truncated)
    assert status.startswith(("200", "400"))
    assert not has_request_context()


def test_malformed_json_body_is_a_400(app: App) -> None:
    response = app.test_client().post("/json", data="{not json", content_type="application/json")
    assert response.status_code == 400


def test_request_too_large_is_a_413(app: App) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 10  # read per request from the current app
    response = app.test_client().post(
        "/form", data={"field": "x" * 100}, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413


def test_a_query_string_that_is_not_utf8_is_a_400(app: App) -> None:
    """Found by fuzzing: werkzeug decodes the query strictly when args are read."""

    @app.route("/args")
    def args() -> Any:
        return dict(request.args)

    status, _ = call(app, good_environ(PATH_INFO="/args", QUERY_STRING="q=\xff\xfe"))
    assert status.startswith("400 ")
    assert not has_request_context()


def test_a_routing_redirect_to_a_url_no_header_can_carry_is_a_400(app: App) -> None:
    """Found by fuzzing: werkzeug's merged-slashes redirect copies a raw CR of the query."""
    status, _ = call(app, good_environ(PATH_INFO="/echo//x", QUERY_STRING="a=\r"))
    assert status.startswith("400 ")
    status, _ = call(app, good_environ(PATH_INFO="/echo//x"))
    assert status.startswith("308 ")  # the same redirect, to a URL that can be sent
