"""Registration and login: the user id lives in the session, the user in g."""

import functools

from flask import Blueprint, abort, flash, g, jsonify, request, session
from werkzeug.security import check_password_hash, generate_password_hash

from .db import get_db

bp = Blueprint("auth", __name__, url_prefix="/auth")


def credentials():
    data = request.get_json(silent=True) or {}
    username, password = data.get("username"), data.get("password")
    if not username or not password:
        abort(400, "username and password are required")
    return username, password


@bp.post("/register")
def register():
    username, password = credentials()
    db = get_db()
    db.execute(
        "INSERT INTO user (username, password) VALUES (?, ?)",
        (username, generate_password_hash(password, method="pbkdf2:sha256:1000")),
    )
    db.commit()
    return jsonify(registered=username), 201


@bp.post("/login")
def login():
    username, password = credentials()
    user = get_db().execute("SELECT * FROM user WHERE username = ?", (username,)).fetchone()
    if user is None or not check_password_hash(user["password"], password):
        abort(401)
    session.clear()
    session["user_id"] = user["id"]
    flash(f"Welcome, {username}!")
    return jsonify(user=username)


@bp.post("/logout")
def logout():
    session.clear()
    return jsonify(user=None)


@bp.before_app_request
def load_logged_in_user():
    user_id = session.get("user_id")
    g.user = None
    if user_id is not None:
        g.user = get_db().execute("SELECT * FROM user WHERE id = ?", (user_id,)).fetchone()


def login_required(view):
    """Answer 401 unless someone is logged in."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.user is None:
            abort(401)
        return view(**kwargs)

    return wrapped
