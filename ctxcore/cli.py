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

The seeded :class:`Manager` keeps working, built on the same group: its commands are
added to ``app.cli`` (arguments from the function's signature, or argparse-style
:meth:`Manager.option` declarations), found by their name with underscores or dashes::

    manager = Manager(app)

    @manager.command
    def hello(name, greeting="Hello"):
        "Greet someone."
        print(f"{greeting}, {name}!")
"""

from __future__ import annotations

import inspect
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
from ._cli_group import AppGroup, pass_script_info, with_appcontext
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
from .app import App
from .helpers import get_load_dotenv

__all__ = [
    "AppGroup",
    "CtxcoreGroup",
    "FlaskGroup",
    "Manager",
    "NoAppException",
    "ScriptInfo",
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
    "routes_command",
    "run_command",
    "shell_command",
    "version_option",
    "with_appcontext",
]

F = TypeVar("F", bound=Callable[..., Any])
#: Flask's name for the top group, so ``cli = FlaskGroup(create_app=...)`` scripts move.
FlaskGroup = CtxcoreGroup
PROG = "python -m ctxcore"
Declared = tuple[tuple[str, ...], dict[str, Any]]


class Manager:
    """The seeded manage.py API, on ``app.cli``: each command runs in the app context.

    :param app: the App whose ``app.cli`` receives the commands.
    """

    #: Lets ``--app module:manager`` stand for the manager's app.
    is_manager = True

    def __init__(self, app: App) -> None:
        if not isinstance(app, App):
            raise TypeError(f"Manager needs a ctxcore.App, not {type(app).__name__}")
        self.app = app
        self._declared: dict[str, list[Declared]] = {}

    @property
    def cli(self) -> AppGroup:
        """The click group the commands are added to: ``app.cli``."""
        return self.app.cli

    def command(self, func: F) -> F:
        """Add ``func`` as a command (``init_db`` is ``init-db`` or ``init_db``).

        Parameters without a default are positional arguments; the others are
        ``--options`` (a ``bool`` default makes a flag); annotations or defaults give the
        type. An ``int`` the command returns is the exit code.
        """
        self._declared.setdefault(func.__name__, [])
        self._build(func)
        return func

    def option(self, *flags: str, **kwargs: Any) -> Callable[[F], F]:
        """Declare one argparse-style option (``dest``, ``type``, ``default``, ``help``,
        ``action="store_true"``, ``choices``, ``nargs``...); stack several. The function
        becomes a command."""

        def decorator(func: F) -> F:
            self._declared.setdefault(func.__name__, []).insert(0, (flags, dict(kwargs)))
            self._build(func)
            return func

        return decorator

    def _build(self, func: Callable[..., Any]) -> None:
        declared = [
            _declared_param(flags, kwargs) for flags, kwargs in self._declared[func.__name__]
        ]
        covered = {param.name for param in declared}
        params = declared + [
            _signature_param(param)
            for param in _signature(func).parameters.values()
            if param.name not in covered
        ]

        def callback(**kwargs: Any) -> None:
            result = func(**kwargs)
            if isinstance(result, int) and not isinstance(result, bool) and result:
                click.get_current_context().exit(result)

        doc = inspect.getdoc(func)
        name = func.__name__.replace("_", "-")
        self.app.cli.add_command(
            click.Command(name, callback=with_appcontext(callback), params=params, help=doc)
        )

    def run(self, argv: Sequence[str] | None = None) -> int:
        """Run the command line (built-ins and these commands) for this app; return the
        exit code."""
        group = CtxcoreGroup(create_app=lambda: self.app, name=self.app.name)
        return _exit_code(group, argv)


def _signature(func: Callable[..., Any]) -> inspect.Signature:
    try:
        return inspect.signature(func, eval_str=True)
    except (NameError, TypeError):  # an annotation that does not evaluate: take it as text
        return inspect.signature(func)


def _signature_param(param: inspect.Parameter) -> click.Parameter:
    if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
        raise TypeError(f"command parameters cannot be *args or **kwargs ({param.name})")
    annotation = param.annotation
    kind = annotation if annotation in (int, float, str, bool) else None
    if param.default is param.empty:
        return click.Argument([param.name], type=kind or str)
    flag = "--" + param.name.replace("_", "-")
    if isinstance(param.default, bool):
        return click.Option(
            [flag, param.name], is_flag=True, flag_value=not param.default, default=param.default
        )
    if param.default is not None:
        kind = type(param.default)
    return click.Option([flag, param.name], default=param.default, type=kind or str)


def _declared_param(flags: tuple[str, ...], kwargs: dict[str, Any]) -> click.Parameter:
    """An argparse ``add_argument(*flags, **kwargs)`` as a click parameter."""
    options = dict(kwargs)
    action = options.pop("action", "store")
    choices = options.pop("choices", None)
    nargs = options.pop("nargs", None)
    dest = options.pop("dest", None)
    extra: dict[str, Any] = {
        key: options.pop(key) for key in ("type", "default", "help", "required", "metavar")
        if key in options
    }  # fmt: skip
    if options:
        raise TypeError(f"option {flags}: unsupported argparse arguments {sorted(options)}")
    if choices is not None:
        extra["type"] = click.Choice([str(choice) for choice in choices])
    if not flags[0].startswith("-"):  # positional
        extra.pop("help", None)  # click arguments take no help text
        if nargs in ("*", "+"):
            extra["nargs"] = -1
            extra["required"] = nargs == "+"
        elif nargs == "?":
            extra["required"] = False
        elif isinstance(nargs, int):
            extra["nargs"] = nargs
        return click.Argument([dest or flags[0]], **extra)
    name = dest or max(flags, key=len).lstrip("-").replace("-", "_")
    if action in ("store_true", "store_false"):
        extra.setdefault("default", action == "store_false")
        extra.update(is_flag=True, flag_value=action == "store_true")
    elif action == "count":
        extra.update(count=True)
        extra.setdefault("default", 0)
    elif action == "append":
        extra.update(multiple=True)
    elif action != "store":
        raise TypeError(f"option {flags}: action={action!r} is not supported")
    if isinstance(nargs, int):
        extra["nargs"] = nargs
    return click.Option([*flags, name], **extra)


def load_target(spec: str) -> Any:
    """Import ``module:name`` (or a ``module:factory(...)`` call) and return the object.

    Any object: an App, a dispatcher, a foreign WSGI or ASGI callable. A Manager stands
    for its app; a bare module gives its best app. Raises :class:`NoAppException`.
    """
    module, name = split_import_path(spec)
    return locate_object(prepare_import(module), name)


def _exit_code(group: click.Command, argv: Sequence[str] | None) -> int:
    try:
        group.main(list(sys.argv[1:] if argv is None else argv), prog_name=PROG)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)


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
    return _exit_code(group, argv)
