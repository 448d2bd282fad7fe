"""What App and Blueprint do for the command line: ``cli``, shell context, ``run``.

The members users call live on the classes (``cli`` on :class:`ctxcore.scaffold.Scaffold`;
``shell_context_processor``, ``make_shell_context``, ``test_cli_runner`` and ``run`` on
:class:`ctxcore.App`); their bodies are the functions here. Nothing here imports click
until it is used: ``app.cli`` is built on first access, so an app that is only served
never loads the command line, and a request never touches it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from click import Group

    from ._appbase import AppBase
    from ._cli_group import AppGroup, CliRunner
    from .app import App
    from .blueprints import Blueprint
    from .scaffold import Scaffold

__all__ = [
    "RUN_FROM_CLI",
    "cli_runner",
    "command_group",
    "register_blueprint_commands",
    "run_app",
    "shell_context",
    "shell_processors",
]

#: Set by ``python -m ctxcore``: ``app.run()`` then returns at once (see :func:`run_app`).
RUN_FROM_CLI = "CTXCORE_RUN_FROM_CLI"
#: A processor adding names to the ``shell`` command's namespace.
ShellProcessor = Callable[[], dict[str, Any]]


def command_group(owner: Scaffold, name: str | None) -> AppGroup:
    """``owner.cli``: its click group named ``name``, made (and click imported) on
    first use and kept in ``owner.__dict__["_cli"]``."""
    group: AppGroup | None = owner.__dict__.get("_cli")
    if group is None:
        from ._cli_group import AppGroup

        group = owner.__dict__["_cli"] = AppGroup(name)
    return group


def register_blueprint_commands(
    blueprint: Blueprint, app: AppBase, name: str, cli_group: Any, default: Any
) -> None:
    """Add the blueprint's commands to ``app.cli`` (when it is registered as ``name``):
    in a group named ``name`` when ``cli_group`` is ``default``, under ``cli_group``
    otherwise, merged into the app's group when it is ``None``."""
    group: Group | None = blueprint.__dict__.get("_cli")
    if group is None or not group.commands:
        return  # untouched: nothing to add, and click stays unloaded
    app_cli: Group = app.cli
    if cli_group is None:
        app_cli.commands.update(group.commands)
        return
    group.name = name if cli_group is default else cli_group
    app_cli.add_command(group)


def shell_processors(app: App) -> list[ShellProcessor]:
    """``app.shell_context_processors``, made on first use (most apps never add one)."""
    processors: list[ShellProcessor] | None = app.__dict__.get("_shell_processors")
    if processors is None:
        processors = app.__dict__["_shell_processors"] = []
    return processors


def shell_context(app: App) -> dict[str, Any]:
    """The ``shell`` namespace: ``app``, ``g``, ``current_app``, then the processors'."""
    from .globals import current_app, g

    namespace: dict[str, Any] = {"app": app, "g": g, "current_app": current_app}
    for processor in app.shell_context_processors:
        namespace.update(processor())
    return namespace


def cli_runner(app: App, kwargs: dict[str, Any]) -> CliRunner:
    """A test runner of ``app.test_cli_runner_class`` (default: ctxcore's)."""
    cls = app.test_cli_runner_class
    if cls is None:
        from ._cli_group import CliRunner

        cls = CliRunner
    return cls(app, **kwargs)


def run_app(
    app: App,
    host: str | None,
    port: int | None,
    debug: bool | None,
    load_dotenv: bool,
    options: dict[str, Any],
) -> None:
    """Serve ``app`` with werkzeug's development server (``app.run``'s body)."""
    if os.environ.get(RUN_FROM_CLI) == "true":
        import sys

        print(
            " * Ignoring app.run(): python -m ctxcore imported this module; call "
            "app.run() under 'if __name__ == \"__main__\":'.",
            file=sys.stderr,
        )
        return
    from .helpers import DEBUG_ENV_VARS, get_debug_flag, get_load_dotenv

    if get_load_dotenv(load_dotenv):
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
