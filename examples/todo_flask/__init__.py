"""A JSON todo list: users, sessions, sqlite in g, blueprints, streaming, a template."""

import os
import sqlite3

from flask import Flask, jsonify

from werkzeug.exceptions import HTTPException


def create_app(test_config=None):
    """The application factory."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY="dev",
        DATABASE=os.path.join(app.instance_path, "todo.sqlite"),
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    from . import auth, db, todos

    db.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(todos.bp)
    app.add_url_rule("/", endpoint="index", view_func=todos.index)

    @app.errorhandler(HTTPException)
    def http_error(error):
        return jsonify(error=error.name, status=error.code), error.code

    @app.errorhandler(sqlite3.IntegrityError)
    def conflict(error):
        return jsonify(error="conflict", detail=str(error)), 409

    return app
