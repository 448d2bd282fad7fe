"""What App and Blueprint have for the command line: ``cli``, shell context, ``run``.

Mixed into :class:`ctxcore.App` and :class:`ctxcore.Blueprint`. Nothing here imports
click until it is used: ``app.cli`` is built on first access, so an app that is only
served never loads the command line, and a request never touches it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from click import Group

    from ._cli_group import AppGroup, CliRunner
    from .app import App

__all__ = ["CliAppMixin", "CliScaffoldMixin"]

F = TypeVar("F", bound=Callable[..., Any])
#: Set by ``python -m ctxcore``: ``app.run()`` then returns at once (see :meth:`run`).
RUN_FROM_CLI = "CTXCORE_RUN_FROM_CLI"


class CliScaffoldMixin:
    """``cli``: the click group of an App's or a Blueprint's commands, made on first use."""

    name: str

    @property
    def cli(self) -> AppGroup:
        """The click group of this object's commands (``@app.cli.command("init-db")``).

        Its commands run inside the app context. A blueprint's commands appear under
        its ``cli_group`` (default: a group named after the blueprint; ``None``: merged
        into the app's group).
        """
        group: AppGroup | None = self.__dict__.get("_cli")
        if group is None:
            from ._cli_group import AppGroup

            group = self.__dict__["_cli"] = AppGroup(self.name if self._cli_is_app() else None)
        return group

    def _cli_is_app(self) -> bool:
        return False

    def _register_cli(self, app: Any, name: str, cli_group: Any, default: Any) -> None:
        """Add this blueprint's commands to ``app.cli`` (called when it is registered)."""
        group: Group | None = self.__dict__.get("_cli")
        if group is None or not group.commands:
            return  # untouched: nothing to add, and click stays unloaded
        if cli_group is None:
            app.cli.commands.update(group.commands)
            return
        group.name = name if cli_group is default else cli_group
        app.cli.add_command(group)


class CliAppMixin(CliScaffoldMixin):
    """An App's shell context processors, ``run()`` and ``test_cli_runner()``."""

    #: The class :meth:`test_cli_runner` returns (``None``: :class:`ctxcore.testing.CliRunner`).
    test_cli_runner_class: type[CliRunner] | None = None

    def _cli_is_app(self) -> bool:
        return True

    @property
    def shell_context_processors(self) -> list[Callable[[], dict[str, Any]]]:
        """Functions whose returned dicts add names to ``shell``'s namespace."""
        processors: list[Callable[[], dict[str, Any]]] | None = self.__dict__.get(
            "_shell_processors"
        )
        if processors is None:
            processors = self.__dict__["_shell_processors"] = []
        return processors

    def shell_context_processor(self, func: F) -> F:
        """Register ``func() -> dict`` to add names to the ``shell`` command's namespace."""
        self.shell_context_processors.append(func)
        return func

    def make_shell_context(self) -> dict[str, Any]:
        """The ``shell`` namespace: ``app``, ``g``, ``current_app``, then the processors'."""
        from .globals import current_app, g

        namespace: dict[str, Any] = {"app": self, "g": g, "current_app": current_app}
        for processor in self.shell_context_processors:
            namespace.update(processor())
        return namespace

    def test_cli_runner(self, **kwargs: Any) -> CliRunner:
        """A click test runner whose ``invoke()`` runs ``app.cli`` with this app loaded."""
        cls = self.test_cli_runner_class
        if cls is None:
            from ._cli_group import CliRunner

            cls = CliRunner
        app: App = self  # type: ignore[assignment]
        return cls(app, **kwargs)

    def run(
        self,
        host: str | None = None,
        port: int | None = None,
        debug: bool | None = None,
        load_dotenv: bool = True,
        **options: Any,
    ) -> None:
        """Serve the app with werkzeug's development server (not for production).

        :param host: default ``127.0.0.1``, or the host of ``SERVER_NAME``.
        :param port: default ``5000``, or the port of ``SERVER_NAME``.
        :param debug: set :attr:`debug`; debug mode turns on the reloader and debugger.
        :param load_dotenv: load ``.env``/``.flaskenv`` first (with python-dotenv).
        :param options: passed to ``werkzeug.serving.run_simple`` (``threaded`` is on
            by default).

        Under ``python -m ctxcore`` this returns at once: the module was imported by a
        command, and serving here would block it. For production servers use
        ``ctxcore.adapters.serve.serve(app, server=...)``.
        """
        if os.environ.get(RUN_FROM_CLI) == "true":
            import sys

            print(
                " * Ignoring app.run(): python -m ctxcore imported this module; call "
                "app.run() under 'if __name__ == \"__main__\":'.",
                file=sys.stderr,
            )
            return
        app: App = self  # type: ignore[assignment]
        from .helpers import get_load_dotenv

        if get_load_dotenv(load_dotenv):
            from ._cli_loading import DEBUG_ENV_VARS, get_debug_flag
            from ._cli_loading import load_dotenv as load

            load()
            if any(name in os.environ for name in DEBUG_ENV_VARS):
                app.debug = get_debug_flag()
        if debug is not None:
            app.debug = bool(debug)
        server_name = str(app.config.get("SERVER_NAME") or "")
        sn_host, _, sn_port = server_name.partition(":")
        host = host or sn_host or "127.0.0.1"
        port = int(port) if port is not None else int(sn_port or 5000)
        options.setdefault("use_reloader", app.debug)
        options.setdefault("use_debugger", app.debug)
        options.setdefault("threaded", True)
        from werkzeug.serving import run_simple

        run_simple(host, port, app, **options)
