"""Two ctxcore Apps mounted together, for the dispatcher tests (WSGI and ASGI)."""

from __future__ import annotations

from ctxcore.adapters.dispatch import ASGIDispatcher, DispatcherMiddleware

from ctxcore import App, current_app, request, url_for


def build(name: str) -> App:
    app = App(name)

    @app.route("/where")
    def where() -> dict[str, str]:
        return {
            "app": current_app.name,
            "url": url_for("where"),
            "script_root": request.script_root,
            "path": request.path,
        }

    return app


main = build("main")
secondary = build("secondary")
api = build("api")

wsgi = DispatcherMiddleware(main, {"/sec": secondary, "/sec/api": api})
asgi = ASGIDispatcher(main, {"/sec": secondary, "/sec/api": api})
