"""Command-line commands: ``seed`` (the catalog) and ``orders-report``."""

import click

from .extensions import db
from .models import Order, Product

CATALOG = [("apple", 120), ("bread", 350), ("cheese", 990)]


def init_app(app):
    @app.cli.command("seed")
    def seed():
        """Add the catalog's products (once)."""
        added = 0
        for name, cents in CATALOG:
            if db.session.execute(db.select(Product).filter_by(name=name)).first() is None:
                db.session.add(Product(name=name, price_cents=cents))
                added += 1
        db.session.commit()
        click.echo(f"Seeded {added} product(s).")

    @app.cli.command("orders-report")
    @click.option("--min-quantity", default=1, show_default=True)
    def orders_report(min_quantity):
        """Count the orders of at least --min-quantity items."""
        count = db.session.scalar(
            db.select(db.func.count(Order.id)).where(Order.quantity >= min_quantity)
        )
        click.echo(f"{count} order(s) of {min_quantity}+ items.")
