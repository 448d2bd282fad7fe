"""The command line, on click as Flask's: ``python -m ctxcore --app module:app COMMAND``.

Built-in commands: ``run`` (serve the app), ``routes`` (the URL map), ``shell`` (an
interactive console in the app context); ``python -m ctxcore`` adds ``serve`` (see
:mod:`ctxcore.adapters.serve`). The app's own commands are click commands on
``app.cli``, run inside the app context::

    @app.cli.command("init-db")
    @click.option("--drop", is_flag=True)
    def init_db(drop):
        "Create the tables."

Blueprints' commands (``bp.cli``) appear in a group named after the blueprint, or in
the app's own group with ``Blueprint(..., cli_group=None)``.

flask-script's :class:`Manager` runs a seed's ``manage.py`` as written
(``python manage.py runserver``, ``shell``, its own commands, sub-managers), with
flask-script's :class:`Command`, :class:`Option`, :class:`Shell` and :class:`Server`
(see :mod:`ctxcore._cli_manager`). A Manager made with an App also adds its commands to
``app.cli``, found by their name with underscores or dashes::

    manager = Manager(app)

    @manager.command
    def hello(name, greeting="Hello"):
        "Greet someone."
        print(f"{greeting}, {name}!")

    if __name__ == "__main__":
        manager.run()
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from ._cli_commands import (
    CtxcoreGroup,
    ServeFunc,
    get_version,
    routes_command,
    run_command,
    shell_command,
    version_option,
)
from ._cli_group import AppGroup, exit_code, pass_script_info, with_appcontext
from ._cli_loading import (
    NoAppException,
    ScriptInfo,
    find_app_by_string,
    find_best_app,
    get_debug_flag,
    load_dotenv,
    locate_app,
    locate_object,
    prepare_import,
    split_import_path,
)
from ._cli_manager import Manager, run_script
from ._cli_script import (
    Command,
    InvalidCommand,
    Option,
    Server,
    Shell,
    prompt,
    prompt_bool,
    prompt_choices,
    prompt_pass,
)
from .helpers import get_load_dotenv

__all__ = [
    "AppGroup",
    "Command",
    "CtxcoreGroup",
    "FlaskGroup",
    "InvalidCommand",
    "Manager",
    "NoAppException",
    "Option",
    "ScriptInfo",
    "Server",
    "Shell",
    "find_app_by_string",
    "find_best_app",
    "get_debug_flag",
    "get_load_dotenv",
    "get_version",
    "load_dotenv",
    "load_target",
    "locate_app",
    "main",
    "pass_script_info",
    "prepare_import",
    "prompt",
    "prompt_bool",
    "prompt_choices",
    "prompt_pass",
    "routes_command",
    "run_command",
    "run_script",
    "shell_command",
    "version_option",
    "with_appcontext",
]

#: A decorated function's type (Flask's ``flask.cli.F``, for code that imports it).
F = TypeVar("F", bound=Callable[..., Any])
#: Flask's name for the top group, so ``cli = FlaskGroup(create_app=...)`` scripts move.
FlaskGroup = CtxcoreGroup
PROG = "python -m ctxcore"


def load_target(spec: str) -> Any:
    """Import ``module:name`` (or a ``module:factory(...)`` call) and return the object.

    Any object: an App, a dispatcher, a foreign WSGI or ASGI callable. A Manager stands
    for its app; a bare module gives its best app. Raises :class:`NoAppException`.
    """
    module, name = split_import_path(spec)
    return locate_object(prepare_import(module), name)


def main(
    argv: Sequence[str] | None = None,
    *,
    serve: ServeFunc | None = None,
    commands: Sequence[click.Command] = (),
) -> int:
    """Run ``python -m ctxcore``'s command line; return the exit code.

    :param serve: how ``run`` serves (``python -m ctxcore`` passes the server adapters'
        ``serve``); ``None``: werkzeug's development server only.
    :param commands: more built-in commands (the entry point adds ``serve``).
    """
    group = CtxcoreGroup(serve=serve, name="ctxcore")
    for command in commands:
        group.add_command(command)
    return exit_code(group, sys.argv[1:] if argv is None else argv, PROG)
