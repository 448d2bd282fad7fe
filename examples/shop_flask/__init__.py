"""A small shop on Flask and its extensions: accounts with Flask-Login and CSRF-protected
Flask-WTF forms (blueprints), a cart in a Flask-Session (Redis) session, orders in
Flask-SQLAlchemy with Flask-Migrate migrations, a Flask-RESTX API behind
Flask-JWT-Extended tokens, Flask-Limiter on logins, Flask-Babel prices, Flask-Mail
confirmations, Flask-Caching and Flask-Cors on the API."""

import os

from flask import Flask

from .extensions import babel, cache, cors, csrf, db, jwt, limiter, login, mail, migrate, sess


def create_app(test_config=None):
    """The application factory: in-memory backends unless SHOP_REDIS_URL names a Redis."""
    app = Flask(__name__, instance_relative_config=True)
    redis_url = os.environ.get("SHOP_REDIS_URL")
    app.config.from_mapping(
        SECRET_KEY="dev",
        JWT_SECRET_KEY="dev-jwt-secret-key-of-enough-length",
        SQLALCHEMY_DATABASE_URI=os.environ.get(
            "SHOP_DATABASE_URL", "sqlite:///" + os.path.join(app.instance_path, "shop.sqlite")
        ),
        # Concurrent workers share one sqlite file: wait for its lock instead of failing.
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"timeout": 30}},
        MAIL_DEFAULT_SENDER="shop@example.com",
        MAIL_SUPPRESS_SEND=True,
        BABEL_DEFAULT_LOCALE="en",
        RESTX_ERROR_404_HELP=False,
        LOGIN_LIMIT="5/minute",
        # Flask-RESTX handles errors in its own routes first; propagating lets the
        # Flask-JWT-Extended handlers answer its token errors (401, 422).
        PROPAGATE_EXCEPTIONS=True,
    )
    if redis_url:
        import redis

        app.config.update(
            SESSION_TYPE="redis",
            SESSION_REDIS=redis.Redis.from_url(redis_url),
            RATELIMIT_STORAGE_URI=redis_url,
            CACHE_TYPE="RedisCache",
            CACHE_REDIS_URL=redis_url,
        )
    else:
        from cachelib import SimpleCache

        app.config.update(
            SESSION_TYPE="cachelib",
            SESSION_CACHELIB=SimpleCache(),
            RATELIMIT_STORAGE_URI="memory://",
            CACHE_TYPE="SimpleCache",
        )
    if test_config is not None:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    from . import api, auth, commands, models, shop

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"))
    login.init_app(app)
    csrf.init_app(app)
    sess.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=shop.pick_locale)
    mail.init_app(app)
    cache.init_app(app)
    cors.init_app(app, resources={r"/api/*": {"origins": "*"}})
    jwt.init_app(app)
    login.user_loader(models.load_user)

    app.register_blueprint(auth.bp)
    app.register_blueprint(shop.bp)
    api.api.init_app(app)
    commands.init_app(app)
    return app
