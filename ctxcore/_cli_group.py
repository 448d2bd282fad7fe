"""``app.cli``'s click group, what runs a command inside the app context, and the group
a program runs (:class:`TopGroup`: errors a user can fix are one line).

Imported on first use of ``app.cli`` (or ``bp.cli``), never by ``import ctxcore.app``:
apps that never touch the command line do not load click. Like
:mod:`ctxcore._cli_loading`, this module must not import :mod:`ctxcore.app`.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.testing import CliRunner as _ClickRunner
from click.testing import Result

from ._cli_loading import NoAppException, ScriptInfo
from .globals import current_app

if TYPE_CHECKING:
    from .app import App

__all__ = [
    "AppGroup",
    "CliRunner",
    "TopGroup",
    "exit_code",
    "exit_status",
    "one_line",
    "pass_script_info",
    "spellings",
    "with_appcontext",
]

F = TypeVar("F", bound=Callable[..., Any])

#: Hands the command the :class:`ScriptInfo` (``@pass_script_info def cmd(info): ...``).
pass_script_info = click.make_pass_decorator(ScriptInfo, ensure=True)


def with_appcontext(func: F) -> F:
    """Run the command inside the app's context (the app loaded from ``--app``).

    Commands of ``app.cli`` get this by default; built-in and plain click commands can
    ask for it. An app context already active for the same app is used as it is.
    """

    @click.pass_context
    @functools.wraps(func)
    def decorator(ctx: click.Context, /, *args: Any, **kwargs: Any) -> Any:
        if not current_app:
            app = ctx.ensure_object(ScriptInfo).load_app()
            ctx.with_resource(app.app_context())
        return ctx.invoke(func, *args, **kwargs)

    return decorator  # type: ignore[return-value]


def spellings(name: str) -> tuple[str, ...]:
    """``name`` as given, with dashes, and with underscores (``init_db``, ``init-db``)."""
    # click names commands with dashes (init_db -> init-db); the seeded Manager
    # named them after the function. Either spelling finds either.
    return tuple(dict.fromkeys((name, name.replace("_", "-"), name.replace("-", "_"))))


class AppGroup(click.Group):
    """A click group whose commands run inside the app context (``app.cli``).

    ``@group.command(with_appcontext=False)`` opts a command out; ``group.group()``
    makes nested AppGroups. A command is found by its name with dashes or underscores
    (``init-db`` and ``init_db``).
    """

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], click.Command]:  # type: ignore[override]
        """Declare a command (as click's ``Group.command``), run in the app context."""
        wrap = kwargs.pop("with_appcontext", True)

        def decorator(func: Callable[..., Any]) -> click.Command:
            if wrap:
                func = with_appcontext(func)
            command: click.Command = click.Group.command(self, *args, **kwargs)(func)
            return command

        return decorator

    def group(self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], click.Group]:  # type: ignore[override]
        """Declare a nested group, an :class:`AppGroup` unless ``cls=`` says otherwise."""
        kwargs.setdefault("cls", AppGroup)
        decorator: Callable[[Callable[..., Any]], click.Group] = click.Group.group(
            self, *args, **kwargs
        )
        return decorator

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command named ``cmd_name``, spelled with dashes or underscores."""
        for name in spellings(cmd_name):
            command = self.commands.get(name)
            if command is not None:
                return command
        return None


def one_line(text: str) -> str:
    """``text`` on one line (a message of several lines, as click's, joined)."""
    return " ".join(text.split())


class TopGroup(AppGroup):
    """A group run as a program (``python -m ctxcore``, a manage.py): errors a user can
    fix are one line on stderr, never a traceback."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; standalone, errors are one line on stderr (exit 2)."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            exc.show()
            code = exc.exit_code
        except click.ClickException as exc:
            message = one_line(exc.format_message())
            usage = isinstance(exc, click.UsageError) and not isinstance(exc, NoAppException)
            if usage and exc.ctx is not None:  # type: ignore[attr-defined]
                message += f" Try '{exc.ctx.command_path} --help'."  # type: ignore[attr-defined]
            click.echo(f"Error: {message}", err=True)
            code = exc.exit_code
        except click.Abort:
            click.echo("Aborted!", err=True)
            code = 1
        sys.exit(code if isinstance(code, int) else 0)


def exit_code(group: click.Command, args: Sequence[str], prog_name: str) -> int:
    """Run ``group`` standalone with ``args``; return its exit code instead of exiting."""
    try:
        group.main(list(args), prog_name=prog_name)
    except SystemExit as exc:
        return exit_status(exc)


def exit_status(exc: SystemExit) -> int:
    """The status ``exc`` exits the process with; a message (``sys.exit("...")``) is
    printed on stderr, as Python does, and is status 1."""
    if exc.code is None or isinstance(exc.code, int):
        return exc.code or 0
    click.echo(exc.code, err=True)
    return 1


class CliRunner(_ClickRunner):
    """click's test runner for an app's commands (``app.test_cli_runner()``).

    :meth:`invoke` runs ``app.cli`` by default, with the app loaded: commands that ask
    for the script info or the app context get this app, without ``--app``.
    """

    def __init__(self, app: App, **kwargs: Any) -> None:
        self.app = app
        super().__init__(**kwargs)

    def invoke(  # type: ignore[override]
        self,
        cli: click.Command | None = None,
        args: str | Sequence[str] | None = None,
        input: str | bytes | None = None,
        env: Mapping[str, str | None] | None = None,
        catch_exceptions: bool = True,
        color: bool = False,
        **extra: Any,
    ) -> Result:
        """Run ``cli`` (default: ``app.cli``) with ``args``; returns click's ``Result``."""
        if cli is None:
            cli = self.app.cli
        if "obj" not in extra:
            extra["obj"] = ScriptInfo(create_app=lambda: self.app)
        return super().invoke(cli, args, input, env, catch_exceptions, color, **extra)
