"""Testing helpers: the test client (``app.test_client()``), an app-aware EnvironBuilder,
and the command-line runner (``app.test_cli_runner()``).

The client is werkzeug's, with what Flask's adds: requests are built from the app's
config (``SERVER_NAME``, ``APPLICATION_ROOT``, ``PREFERRED_URL_SCHEME``), JSON bodies
use ``app.json``, :meth:`TestClient.session_transaction` edits the session between
requests, and ``with client:`` keeps the last request's context pushed (``request``,
``session`` and ``g`` stay readable after the call) until the next request or the end
of the block.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from werkzeug.test import Client
from werkzeug.test import EnvironBuilder as _EnvironBuilder
from werkzeug.wrappers import Request

if TYPE_CHECKING:
    from ._cli_group import CliRunner
    from ._cli_group import CliRunner as FlaskCliRunner
    from .app import App
    from .ctx import AppContext, RequestContext
    from .sessions import SessionMixin

__all__ = [
    "PRESERVE_CONTEXT_KEY",
    "CliRunner",
    "EnvironBuilder",
    "FlaskCliRunner",
    "FlaskClient",
    "TestClient",
]


def __getattr__(name: str) -> Any:
    # CliRunner subclasses click's runner: imported on first use, so that importing the
    # app (which imports this module for TestClient) does not load click.
    if name in ("CliRunner", "FlaskCliRunner"):
        from ._cli_group import CliRunner

        return CliRunner
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: The environ key through which ``app.wsgi_app`` hands a test client the request
#: context it served (``with client:``).
PRESERVE_CONTEXT_KEY = "ctxcore.preserve_context"


class EnvironBuilder(_EnvironBuilder):
    """werkzeug's ``EnvironBuilder``, with defaults from ``app``'s config.

    :param app: the app the request is for.
    :param path: the path, or a full URL (its scheme and host then win).
    :param base_url: overrides the URL built from the config.
    :param subdomain: prepended to ``SERVER_NAME``.
    :param url_scheme: overrides ``PREFERRED_URL_SCHEME``.
    """

    def __init__(
        self,
        app: App,
        path: str = "/",
        base_url: str | None = None,
        subdomain: str | None = None,
        url_scheme: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        if base_url is not None and (subdomain or url_scheme):
            raise ValueError("give base_url, or subdomain/url_scheme, not both")
        if base_url is None:
            host = app.config["SERVER_NAME"] or "localhost"
            if subdomain:
                host = f"{subdomain}.{host}"
            scheme = url_scheme or app.config["PREFERRED_URL_SCHEME"]
            url = urlsplit(path)
            root = app.config["APPLICATION_ROOT"].lstrip("/")
            base_url = f"{url.scheme or scheme}://{url.netloc or host}/{root}"
            path = url.path + (f"?{url.query}" if url.query else "")
        self.app = app
        super().__init__(path, base_url, *args, **kwargs)

    def json_dumps(self, obj: Any, **kwargs: Any) -> str:
        """Serialize a ``json=`` body with the app's provider."""
        return self.app.json.dumps(obj, **kwargs)


class TestClient(Client):
    """The client ``app.test_client()`` returns (see the module docstring).

    Responses are buffered, so each request has finished — its contexts popped, its
    teardown run — when the call returns.
    """

    application: App

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Whether requests keep their context pushed after the call (``with client:``).
        self.preserve_context = False
        self._preserved: list[tuple[AppContext | None, RequestContext]] = []
        self._kept = contextlib.ExitStack()
        self.environ_base = {"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "ctxcore-test"}

    def _request_from_builder_args(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        kwargs["environ_base"] = {**self.environ_base, **kwargs.get("environ_base", {})}
        builder = EnvironBuilder(self.application, *args, **kwargs)
        try:
            return builder.get_request()
        finally:
            builder.close()

    def open(
        self,
        *args: Any,
        buffered: bool = True,
        follow_redirects: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Send a request (werkzeug's ``Client.open``), buffered unless told otherwise.

        Takes what werkzeug's takes, plus an ``EnvironBuilder``, a request or an environ.
        """
        if args and isinstance(args[0], _EnvironBuilder | dict | Request):
            request: Any = args[0]
        else:
            request = self._request_from_builder_args(args, kwargs)
            kwargs = {}
        # The previous request's kept context ends before the next request begins.
        self._kept.close()
        self._preserved.clear()
        if self.preserve_context:
            if isinstance(request, dict):
                request = {**request, PRESERVE_CONTEXT_KEY: self._preserved.append}
            elif isinstance(request, _EnvironBuilder):
                request.environ_overrides = {
                    **(request.environ_overrides or {}),
                    PRESERVE_CONTEXT_KEY: self._preserved.append,
                }
            else:
                request.environ[PRESERVE_CONTEXT_KEY] = self._preserved.append
        response = super().open(
            request, buffered=buffered, follow_redirects=follow_redirects, **kwargs
        )
        if self.preserve_context:
            # The request ran (and was torn down) in its own context copy: push its
            # app context (its g) and a copy of its request context again here, for the
            # test to read after the call. As in Flask, the app context's teardown runs
            # again when it is popped; the request's does not.
            for app_ctx, ctx in self._preserved[-1:]:
                if app_ctx is not None:
                    self._kept.enter_context(app_ctx)
                self._kept.enter_context(ctx.copy())
        return response

    def __enter__(self) -> TestClient:
        if self.preserve_context:
            raise RuntimeError("Cannot nest 'with client:' blocks")
        self.preserve_context = True
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.preserve_context = False
        self._kept.close()
        self._preserved.clear()

    @contextlib.contextmanager
    def session_transaction(self, *args: Any, **kwargs: Any) -> Iterator[SessionMixin]:
        """Open the session the next request would see, to read or change it::

            with client.session_transaction() as session:
                session["user_id"] = 1

        The changes are saved into the client's cookies when the block ends. Arguments
        build the request whose cookies are used (as ``test_request_context``).
        """
        if self._cookies is None:
            raise TypeError("This client was made with use_cookies=False: it keeps no session")
        app = self.application
        ctx = app.test_request_context(*args, **kwargs)
        self._add_cookies_to_wsgi(ctx.request.environ)
        with ctx:
            session = app.session_interface.open_session(app, ctx.request)
        if session is None:
            raise RuntimeError("The app's session interface opened no session")
        yield session
        if app.session_interface.is_null_session(session):
            return
        response = app.response_class()
        with ctx:
            app.session_interface.save_session(app, session, response)
        self._update_cookies_from_response(
            ctx.request.host.partition(":")[0],
            ctx.request.path,
            response.headers.getlist("Set-Cookie"),
        )


#: Flask's name for :class:`TestClient` (``flask.testing.FlaskClient`` after
#: ``ctxcore.patch_flask()``).
FlaskClient = TestClient
