"""Accounts: register, log in (rate limited per account) and out, with HTML forms."""

from ctxcore import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_user, logout_user

from .extensions import db, limiter
from .forms import CredentialsForm
from .models import User

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _login_key():
    # Guessing one account's password is limited, from any address: the key is the account.
    return "login:" + request.form.get("username", "")


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = CredentialsForm()
    if form.validate_on_submit():
        if db.session.execute(db.select(User).filter_by(username=form.username.data)).first():
            return render_template("form.html", form=form, title="Register", taken=True), 409
        user = User(username=form.username.data)
        user.set_password(form.password.data)
        db.session.add(user)
        db.session.commit()
        flash(f"Welcome, {user.username}!")
        login_user(user)
        return redirect(url_for("shop.catalog"))
    status = 400 if request.method == "POST" else 200
    return render_template("form.html", form=form, title="Register"), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"], key_func=_login_key, methods=["POST"])
def login():
    form = CredentialsForm()
    if form.validate_on_submit():
        user = db.session.execute(
            db.select(User).filter_by(username=form.username.data)
        ).scalar_one_or_none()
        if user is not None and user.check_password(form.password.data):
            login_user(user)
            return redirect(url_for("shop.catalog"))
        return render_template("form.html", form=form, title="Log in", wrong=True), 401
    status = 400 if request.method == "POST" else 200
    return render_template("form.html", form=form, title="Log in"), status


@bp.post("/logout")
def logout():
    logout_user()
    return redirect(url_for("shop.catalog"))
