"""The deployed shop, for WSGI and ASGI servers (configured by SHOP_* variables)."""

from shop_flask import create_app

app = create_app()
