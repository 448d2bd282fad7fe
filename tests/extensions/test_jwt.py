"""Flask-JWT-Extended on ctxcore: tokens issued and required, identities, claims, fresh
and refresh tokens, and its JSON error answers."""

from __future__ import annotations

from typing import Any

import ctxcore


def make_app() -> ctxcore.App:
    from flask_jwt_extended import (
        JWTManager,
        create_access_token,
        create_refresh_token,
        get_jwt,
        get_jwt_identity,
        jwt_required,
    )

    app = ctxcore.App(__name__)
    app.config["JWT_SECRET_KEY"] = "jwt-tests-" + "k" * 32
    JWTManager(app)

    @app.post("/token/<name>")
    def token(name: str) -> dict[str, Any]:
        return {
            "access": create_access_token(name, fresh=True, additional_claims={"role": "buyer"}),
            "refresh": create_refresh_token(name),
        }

    @app.get("/me")
    @jwt_required()
    def me() -> dict[str, Any]:
        return {"me": get_jwt_identity(), "role": get_jwt().get("role")}

    @app.post("/refresh")
    @jwt_required(refresh=True)
    def refresh() -> dict[str, Any]:
        return {"access": create_access_token(get_jwt_identity())}

    @app.post("/pay")
    @jwt_required(fresh=True)
    def pay() -> dict[str, Any]:
        return {"paid": True}

    return app


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_identifies_its_user() -> None:
    client = make_app().test_client()
    tokens = client.post("/token/ann").get_json()
    assert client.get("/me", headers=bearer(tokens["access"])).get_json() == {
        "me": "ann",
        "role": "buyer",
    }


def test_no_token_is_a_401_with_a_json_message() -> None:
    response = make_app().test_client().get("/me")
    assert response.status_code == 401
    assert response.get_json() == {"msg": "Missing Authorization Header"}


def test_a_refreshed_token_is_not_fresh() -> None:
    client = make_app().test_client()
    refresh = client.post("/token/ann").get_json()["refresh"]
    access = client.post("/refresh", headers=bearer(refresh)).get_json()["access"]
    assert client.get("/me", headers=bearer(access)).get_json() == {"me": "ann", "role": None}
    refused = client.post("/pay", headers=bearer(access))
    assert refused.status_code == 401
    assert refused.get_json() == {"msg": "Fresh token required"}


def test_a_tampered_token_is_refused() -> None:
    client = make_app().test_client()
    access = client.post("/token/ann").get_json()["access"]
    assert client.get("/me", headers=bearer(access[:-3] + "abc")).status_code == 422
