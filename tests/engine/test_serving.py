"""What the App offers the servers: isolation checks, ending a request, the 400 answer."""

from __future__ import annotations

import logging

import pytest

from ctxcore import App, has_request_context


@pytest.mark.parametrize(
    ("ident", "concurrency"),
    [
        ("thread", "tasks"),
        ("greenlet", "tasks"),
        ("thread", "greenlets"),
    ],
)
def test_an_ident_that_cannot_isolate_is_refused(ident: str, concurrency: str) -> None:
    app = App(__name__, ident=ident)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match=r"cannot isolate requests.*ident='context'"):
        app.check_isolation(concurrency)


@pytest.mark.parametrize(
    ("ident", "concurrency"),
    [
        ("context", "tasks"),
        ("context", "greenlets"),
        ("greenlet", "greenlets"),
        ("thread", "threads"),
        ("greenlet", "threads"),
    ],
)
def test_an_ident_that_isolates_is_accepted(ident: str, concurrency: str) -> None:
    App(__name__, ident=ident).check_isolation(concurrency)  # type: ignore[arg-type]


def test_an_unknown_concurrency_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="threads, greenlets or tasks"):
        App(__name__).check_isolation("fibers")


def test_end_request_logs_teardown_errors_and_pops(caplog: pytest.LogCaptureFixture) -> None:
    app = App(__name__)

    @app.teardown_request
    def fail(exc: BaseException | None) -> None:
        raise ValueError("teardown broke")

    ctx = app.test_request_context("/")
    ctx.push()
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        app.end_request(ctx)
    assert not has_request_context()
    assert "Error tearing down" in caplog.text
    assert "teardown broke" in caplog.text


def test_a_teardown_error_keeps_the_wsgi_response_whole(caplog: pytest.LogCaptureFixture) -> None:
    app = App(__name__)
    app.add_url_rule("/", "index", lambda: "body")

    @app.teardown_appcontext
    def fail(exc: BaseException | None) -> None:
        raise ValueError("teardown broke")

    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        response = app.test_client().get("/")
    assert (response.status_code, response.data) == (200, b"body")
    assert "teardown broke" in caplog.text


def test_malformed_request_is_a_fresh_400_each_time() -> None:
    app = App(__name__)
    status, headers, body = app.malformed_request()
    assert status.startswith("400 ")
    assert ("Content-Length", str(len(body))) in headers
    headers.append(("X-Mutated", "1"))
    assert ("X-Mutated", "1") not in app.malformed_request()[1]
