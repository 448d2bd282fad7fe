"""The shop pages: the catalog (prices in the visitor's language), the cart kept in the
session, checkout (orders saved, a confirmation mailed) and the user's orders."""

from ctxcore import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import format_currency
from flask_login import current_user, login_required
from flask_mail import Message

from .extensions import db, mail
from .forms import AddToCartForm, CheckoutForm
from .models import Order, Product

bp = Blueprint("shop", __name__)


def pick_locale():
    return request.args.get("lang") or request.accept_languages.best_match(["en", "de"])


@bp.app_template_filter("price")
def price(cents):
    return format_currency(cents / 100, "EUR")


@bp.get("/")
def catalog():
    products = db.session.scalars(db.select(Product).order_by(Product.id)).all()
    return render_template("catalog.html", products=products, form=AddToCartForm())


@bp.get("/cart")
def cart():
    lines = []
    for product_id, quantity in session.get("cart", {}).items():
        product = db.session.get(Product, int(product_id))
        lines.append((product, quantity))
    return render_template("cart.html", lines=lines, form=CheckoutForm())


@bp.post("/cart")
def add_to_cart():
    form = AddToCartForm()
    if not form.validate_on_submit():
        abort(400)
    if db.session.get(Product, form.product_id.data) is None:
        abort(404)
    cart = dict(session.get("cart", {}))
    key = str(form.product_id.data)
    cart[key] = cart.get(key, 0) + form.quantity.data
    session["cart"] = cart
    return redirect(url_for("shop.cart"))


@bp.post("/checkout")
@login_required
def checkout():
    if not CheckoutForm().validate_on_submit():
        abort(400)
    cart = session.pop("cart", {})
    if not cart:
        abort(409)
    for product_id, quantity in cart.items():
        db.session.add(
            Order(user_id=current_user.id, product_id=int(product_id), quantity=quantity)
        )
    db.session.commit()
    mail.send(
        Message(
            f"Your order, {current_user.username}",
            recipients=[f"{current_user.username}@example.com"],
            body=f"{len(cart)} line(s) ordered.",
        )
    )
    flash("Thank you for your order!")
    return redirect(url_for("shop.orders"))


@bp.get("/orders")
@login_required
def orders():
    mine = db.session.scalars(
        db.select(Order).filter_by(user_id=current_user.id).order_by(Order.id)
    ).all()
    return render_template("orders.html", orders=mine)
