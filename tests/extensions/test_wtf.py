"""Flask-WTF on ctxcore: forms with CSRF tokens, CSRFProtect for every POST."""

from __future__ import annotations

import re

import ctxcore


def make_app() -> ctxcore.App:
    from flask_wtf import CSRFProtect, FlaskForm
    from wtforms import StringField
    from wtforms.validators import DataRequired

    app = ctxcore.App(__name__)
    app.secret_key = "wtf-tests"
    csrf = CSRFProtect(app)

    class NameForm(FlaskForm):
        name = StringField(validators=[DataRequired()])

    @app.route("/form", methods=["GET", "POST"])
    def form() -> str:
        filled = NameForm()
        if filled.validate_on_submit():
            return f"hello {filled.name.data}"
        errors = ";".join(f"{k}:{v[0]}" for k, v in filled.errors.items())
        return f"<form>{filled.csrf_token()}</form>{errors}"

    @app.post("/hook")
    @csrf.exempt
    def hook() -> str:
        return "exempt"

    return app


def token(client: object) -> str:
    page = client.get("/form").text  # type: ignore[attr-defined]
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert found is not None, page
    return found.group(1)


def test_a_post_without_a_token_is_refused() -> None:
    response = make_app().test_client().post("/form", data={"name": "ann"})
    assert response.status_code == 400
    assert "CSRF token is missing" in response.text


def test_a_post_with_the_token_is_valid() -> None:
    client = make_app().test_client()
    answer = client.post("/form", data={"name": "ann", "csrf_token": token(client)})
    assert answer.text == "hello ann"


def test_the_token_may_come_in_a_header() -> None:
    client = make_app().test_client()
    answer = client.post("/form", data={"name": "ann"}, headers={"X-CSRFToken": token(client)})
    assert answer.text == "hello ann"


def test_another_sessions_token_is_refused() -> None:
    app = make_app()
    stolen = token(app.test_client())
    response = app.test_client().post("/form", data={"name": "ann", "csrf_token": stolen})
    assert response.status_code == 400


def test_validation_errors_reach_the_form() -> None:
    client = make_app().test_client()
    answer = client.post("/form", data={"name": "", "csrf_token": token(client)})
    assert "name:This field is required." in answer.text


def test_exempt_views_skip_the_check() -> None:
    assert make_app().test_client().post("/hook").text == "exempt"
