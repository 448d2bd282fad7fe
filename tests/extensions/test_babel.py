"""Flask-Babel on ctxcore: the locale chosen per request, dates and numbers formatted
for it, and ``force_locale``."""

from __future__ import annotations

from datetime import date

import ctxcore


def make_app() -> ctxcore.App:
    from flask_babel import Babel, format_currency, format_date, get_locale

    app = ctxcore.App(__name__)
    Babel(app, locale_selector=lambda: ctxcore.request.args.get("lang", "en"))

    @app.get("/")
    def index() -> dict[str, str]:
        return {
            "locale": str(get_locale()),
            "date": format_date(date(2024, 3, 1), "long"),
            "price": format_currency(1234.5, "EUR"),
        }

    return app


def test_each_request_gets_its_own_locale() -> None:
    client = make_app().test_client()
    german = client.get("/?lang=de").get_json()
    english = client.get("/").get_json()
    assert german == {"locale": "de", "date": "1. März 2024", "price": "1.234,50\xa0€"}
    assert english == {"locale": "en", "date": "March 1, 2024", "price": "€1,234.50"}


def test_force_locale_switches_for_a_block() -> None:
    from flask_babel import force_locale, format_date

    app = make_app()
    with app.test_request_context("/"), force_locale("fr"):
        assert format_date(date(2024, 3, 1), "long") == "1 mars 2024"
