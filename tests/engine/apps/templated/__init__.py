"""One app with templates and static files, built with ctxcore or with Flask.

``build(ctxcore)`` and ``build(flask)`` make the same app from the same code (only the
app class's name differs), so tests can compare what the two send. ``app`` is the
ctxcore one, for real servers (``tests.engine.apps.templated:app``). Set
``CTXCORE_TEMPLATED_STATIC`` to serve static files from another folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType
from typing import Any

import ctxcore

HERE = str(Path(__file__).resolve().parent)


def build(framework: ModuleType = ctxcore) -> Any:
    """The app, made with ``framework`` (the ``ctxcore`` or the ``flask`` module)."""
    fw: Any = framework
    app_class = fw.App if framework is ctxcore else fw.Flask
    folder = os.environ.get("CTXCORE_TEMPLATED_STATIC", "static")
    app = app_class(__name__, root_path=HERE, static_folder=folder, static_url_path="/static")
    app.config.update(SECRET_KEY="templated-test", SITE="example.org")
    admin = fw.Blueprint(
        "admin",
        __name__,
        url_prefix="/admin",
        template_folder="admin/templates",
        static_folder="admin/static",
        root_path=HERE,
    )
    shop = fw.Blueprint(
        "shop", __name__, url_prefix="/shop", template_folder="shop/templates", root_path=HERE
    )

    @app.template_filter()
    def shout(text: str) -> str:
        return text.upper() + "!"

    @app.template_test("even")
    def is_even(number: int) -> bool:
        return number % 2 == 0

    @app.template_global()
    def site_name() -> str:
        return "Example"

    @app.context_processor
    def inject_version() -> dict[str, Any]:
        return {"version": "1.0", "who": "processor"}

    @admin.context_processor
    def inject_section() -> dict[str, Any]:
        return {"section": "admin", "version": "admin-1.0"}

    @admin.app_template_filter("rev")
    def reverse(text: str) -> str:
        return text[::-1]

    @admin.app_template_test()
    def odd(number: int) -> bool:
        return number % 2 == 1

    @admin.app_template_global()
    def helper() -> str:
        return "helped"

    @admin.app_context_processor
    def inject_everywhere() -> dict[str, Any]:
        return {"everywhere": True}

    @app.before_request
    def mark() -> None:
        fw.g.seen = "seen"

    @app.route("/")
    def page() -> str:
        return fw.render_template("page.html", name=fw.request.args.get("name", "<World>"))

    @app.route("/flashed")
    def flashed() -> str:
        fw.flash("saved <ok>")
        fw.session["user"] = "ada"
        return fw.render_template("page.html", name="flash", who="given")

    @app.route("/plain")
    def plain() -> Any:
        return fw.render_template("plain.txt", raw="<b>")

    @app.route("/string")
    def string() -> str:
        return fw.render_template_string("{{ value }} {{ request.method }}", value="<i>")

    @app.route("/shared")
    def shared() -> str:
        return fw.render_template("shared.html")

    @app.route("/stream")
    def stream() -> Any:
        return fw.stream_template("stream.html", items=range(3))

    @app.route("/stream-string")
    def stream_string() -> Any:
        return fw.stream_template_string("{% for n in items %}[{{ n }}]{% endfor %}", items="ab")

    @admin.route("/")
    def index() -> str:
        return fw.render_template("admin/index.html", who="given")

    @admin.route("/only")
    def only() -> str:
        return fw.render_template("only_admin.html")

    @shop.route("/")
    def shop_index() -> str:
        return fw.render_template("only_shop.html")

    app.register_blueprint(admin)
    app.register_blueprint(shop)
    return app


app = build()
