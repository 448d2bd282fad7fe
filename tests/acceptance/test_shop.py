"""The shop example, written for Flask and its extensions, ported with one patch_flask() line.

``examples/shop_flask`` uses Flask-SQLAlchemy, Flask-Migrate, Flask-Login, Flask-WTF,
Flask-Session, Flask-Limiter, Flask-RESTX, Flask-JWT-Extended, Flask-Babel, Flask-Mail,
Flask-Caching and Flask-Cors. ``examples/shop_ctxcore`` must differ from it in import
lines, ``Flask(`` -> ``App(`` and the one ``ctxcore.patch_flask()`` call. Both then pass
the same tests: in process (here), through the command line (``db upgrade``, ``seed``,
``orders-report``), and served (test_shop_served.py).

In process, the ctxcore package is imported inside ``ctxcore.patched_flask()``: this
process has imported the real Flask already (the Flask package's own tests), which
``patch_flask()`` refuses, as it should.
"""

from __future__ import annotations

import difflib
import importlib
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, closing
from pathlib import Path
from typing import Any

import pytest

import ctxcore

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
PACKAGES = ["shop_flask", "shop_ctxcore"]
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _is_import(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(("from ", "import ")) or stripped in (")", "(", "")


def test_the_port_changes_imports_and_adds_the_patch_line() -> None:
    flask_dir, ported_dir = EXAMPLES / "shop_flask", EXAMPLES / "shop_ctxcore"

    def files(folder: Path) -> list[Path]:
        found = (p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
        return sorted(p for p in found if "__pycache__" not in p.parts)

    assert files(flask_dir) == files(ported_dir)
    changed: list[str] = []
    for relative in files(flask_dir):
        before = (flask_dir / relative).read_text().splitlines()
        after = (ported_dir / relative).read_text().splitlines()
        for line in difflib.unified_diff(before, after, lineterm="", n=0):
            if not line.startswith(("---", "+++", "@@")):
                changed.append(line)
    others = [line for line in changed if not _is_import(line[1:])]
    assert others == [
        "+ctxcore.patch_flask()  # from here on, the extensions' `import flask` is ctxcore",
        "-    app = Flask(__name__, instance_relative_config=True)",
        "+    app = App(__name__, instance_relative_config=True)",
    ]
    assert "+import ctxcore" in changed
    assert "-from flask import Flask" in changed


@pytest.fixture(params=PACKAGES)
def package(request: pytest.FixtureRequest, copied: Path) -> Iterator[Any]:
    with ExitStack() as stack:
        if request.param == "shop_ctxcore":
            stack.enter_context(ctxcore.patched_flask())
        sys.path.insert(0, str(copied))
        try:
            yield importlib.import_module(request.param)
        finally:
            sys.path.remove(str(copied))
            for name in [m for m in sys.modules if m.split(".")[0] in PACKAGES]:
                del sys.modules[name]


@pytest.fixture
def app(package: Any, tmp_path: Path) -> Iterator[Any]:
    app = package.create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'shop.sqlite'}"}
    )
    runner = app.test_cli_runner()
    for command in (["db", "upgrade"], ["seed"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, (result.output, result.exception)
    yield app
    with app.app_context():  # closed: Python 3.13 warns about collected sqlite connections
        app.extensions["sqlalchemy"].engine.dispose()


def csrf_token(client: Any, url: str) -> str:
    found = TOKEN.search(client.get(url).get_data(as_text=True))
    assert found is not None, f"no CSRF token on {url}"
    return found.group(1)


def sign_up(client: Any, name: str) -> Any:
    form = {"username": name, "password": f"pw-{name}"}
    return client.post("/auth/register", data={**form, "csrf_token": csrf_token(client, "/")})


def log_in(client: Any, name: str, password: str | None = None) -> Any:
    form = {"username": name, "password": password or f"pw-{name}"}
    return client.post("/auth/login", data={**form, "csrf_token": csrf_token(client, "/")})


def add(client: Any, product_id: int, quantity: int) -> Any:
    form = {"product_id": product_id, "quantity": quantity}
    return client.post("/cart", data={**form, "csrf_token": csrf_token(client, "/")})


def checkout(client: Any) -> Any:
    return client.post("/checkout", data={"csrf_token": csrf_token(client, "/cart")})


def api_token(client: Any, name: str) -> dict[str, str]:
    answer = client.post("/api/token/", json={"username": name, "password": f"pw-{name}"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return {"Authorization": f"Bearer {answer.get_json()['access_token']}"}


def ported(app: Any) -> bool:
    return type(app).__module__.startswith("ctxcore")


def test_registering_logs_the_user_in(app: Any) -> None:
    client = app.test_client()
    assert sign_up(client, "ann").status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert '<span class="user">ann</span>' in page
    assert '<p class="flash">Welcome, ann!</p>' in page


def test_a_form_without_its_csrf_token_is_refused(app: Any) -> None:
    client = app.test_client()
    response = client.post("/auth/register", data={"username": "ann", "password": "pw"})
    assert response.status_code == 400
    assert client.post("/auth/logout").status_code == 400


def test_a_taken_name_and_a_wrong_password_are_refused(app: Any) -> None:
    client = app.test_client()
    sign_up(client, "ann")
    assert sign_up(app.test_client(), "ann").status_code == 409
    assert log_in(app.test_client(), "ann", "wrong").status_code == 401


def test_logins_are_limited_per_account(app: Any) -> None:
    sign_up(app.test_client(), "ann")
    attempts = [log_in(app.test_client(), "ann", "wrong").status_code for _ in range(6)]
    assert attempts == [401] * 5 + [429]
    assert log_in(app.test_client(), "bob", "wrong").status_code == 401  # another account


def test_the_cart_lives_in_the_session(app: Any) -> None:
    client = app.test_client()
    add(client, 1, 3)
    add(client, 1, 2)
    assert '<li class="line">5 x apple</li>' in client.get("/cart").get_data(as_text=True)
    assert "Your cart is empty." in app.test_client().get("/cart").get_data(as_text=True)


def test_checkout_needs_a_login(app: Any) -> None:
    client = app.test_client()
    add(client, 1, 1)
    response = checkout(client)
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_checkout_saves_the_orders_and_mails_a_confirmation(app: Any) -> None:
    from flask_mail import Mail

    mail: Mail = app.extensions["mail"]
    client = app.test_client()
    sign_up(client, "ann")
    add(client, 1, 2)
    add(client, 3, 1)
    with mail.record_messages() as outbox:
        assert checkout(client).status_code == 302
    assert [(m.subject, m.recipients) for m in outbox] == [("Your order, ann", ["ann@example.com"])]
    page = client.get("/orders").get_data(as_text=True)
    assert re.findall(r'<li class="order">([^<]+)</li>', page) == ["2 x apple", "1 x cheese"]
    assert '<p class="flash">Thank you for your order!</p>' in page
    assert "Your cart is empty." in client.get("/cart").get_data(as_text=True)


def test_users_see_only_their_own_orders(app: Any) -> None:
    ann, bob = app.test_client(), app.test_client()
    for client, name, quantity in ((ann, "ann", 4), (bob, "bob", 9)):
        sign_up(client, name)
        add(client, 2, quantity)
        checkout(client)
    assert "4 x bread" in ann.get("/orders").get_data(as_text=True)
    assert "9 x bread" not in ann.get("/orders").get_data(as_text=True)
    assert [o["quantity"] for o in bob.get("/api/orders/", headers=api_token(bob, "bob")).json] == [
        9
    ]


def test_prices_follow_the_visitors_language(app: Any) -> None:
    client = app.test_client()
    assert "€1.20" in client.get("/").get_data(as_text=True)
    assert "1,20\xa0€" in client.get("/?lang=de").get_data(as_text=True)
    german = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert "9,90\xa0€" in german.get_data(as_text=True)


def test_the_api_orders_with_a_token(app: Any) -> None:
    client = app.test_client()
    sign_up(client, "ann")
    auth = api_token(client, "ann")
    made = client.post("/api/orders/", json={"product_id": 3, "quantity": 2}, headers=auth)
    assert made.status_code == 201
    assert made.get_json() == {"id": 1, "product": "cheese", "quantity": 2}
    assert client.get("/api/orders/", headers=auth).get_json() == [
        {"id": 1, "product": "cheese", "quantity": 2}
    ]


def test_the_api_refuses_requests_without_a_valid_token(app: Any) -> None:
    client = app.test_client()
    missing = client.get("/api/orders/")
    assert (missing.status_code, missing.get_json()) == (
        401,
        {"msg": "Missing Authorization Header"},
    )
    bad = client.get("/api/orders/", headers={"Authorization": "Bearer not.a.token"})
    assert bad.status_code == 422
    wrong = client.post("/api/token/", json={"username": "nobody", "password": "x"})
    assert wrong.status_code == 401


def test_api_errors_have_their_status(app: Any) -> None:
    client = app.test_client()
    sign_up(client, "ann")
    auth = api_token(client, "ann")
    assert client.get("/api/products/99").status_code == 404
    assert client.post("/api/orders/", json={"quantity": 0}, headers=auth).status_code == 400
    unknown = client.post("/api/orders/", json={"product_id": 99, "quantity": 1}, headers=auth)
    assert unknown.status_code == 404


def test_api_errors_are_formatted_as_json(app: Any) -> None:
    client = app.test_client()
    sign_up(client, "ann")
    auth = api_token(client, "ann")
    assert client.get("/api/products/99").get_json() == {"message": "No product 99."}
    invalid = client.post("/api/orders/", json={"quantity": 0}, headers=auth).get_json()
    assert invalid["message"] == "Input payload validation failed"
    assert set(invalid["errors"]) == {"product_id", "quantity"}


def test_the_product_list_is_cached(app: Any) -> None:
    client = app.test_client()
    first = client.get("/api/products/").get_json()
    assert [p["name"] for p in first] == ["apple", "bread", "cheese"]
    result = app.test_cli_runner().invoke(args=["seed"])  # nothing new: same list
    assert result.exit_code == 0
    db = app.extensions["sqlalchemy"]
    with app.app_context():
        db.session.execute(db.text("DELETE FROM product WHERE name = 'cheese'"))
        db.session.commit()
    assert client.get("/api/products/").get_json() == first  # served from the cache


def test_the_api_allows_other_origins(app: Any) -> None:
    response = app.test_client().get("/api/products/", headers={"Origin": "https://app.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.example"
    page = app.test_client().get("/", headers={"Origin": "https://app.example"})
    assert "Access-Control-Allow-Origin" not in page.headers


@pytest.mark.parametrize(
    ("command", "package"),
    [(["flask", "--app", "shop_flask"], "flask"), (["ctxcore", "--app", "shop_ctxcore"], "")],
    ids=["flask", "ctxcore"],
)
def test_the_command_line_migrates_seeds_and_reports(
    copied: Path, command: list[str], package: str
) -> None:
    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", *command, *args],
            cwd=copied,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    run("db", "upgrade")
    with closing(sqlite3.connect(copied / "instance" / "shop.sqlite")) as db:
        (version,) = db.execute("SELECT version_num FROM alembic_version").fetchone()
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    assert version == "0001"
    assert {"user", "product", "order"} <= tables
    assert run("seed") == "Seeded 3 product(s)."
    assert run("orders-report", "--min-quantity", "2") == "0 order(s) of 2+ items."
