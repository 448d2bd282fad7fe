"""flask-script's ``Manager`` on click: a manage.py's command line, ``manager.run()``.

A :class:`Manager` keeps commands by name — functions (``@manager.command``,
``@manager.option``), :class:`~ctxcore._cli_script.Command` objects, click commands and
other Managers (sub-managers: ``python manage.py db upgrade``) — and options of its own
(``add_option``) that its app factory receives. ``manager.run()`` turns it into a
:class:`ManagerGroup` (a click group named after the script, ``manage.py``), adds
``shell``, ``runserver`` and ``routes`` unless defined, and exits with the command's
status; errors a user can fix are one line, as everywhere on the command line.

A Manager made with an App also adds its commands to ``app.cli``, so ``python -m ctxcore
--app manage:app NAME`` finds them.

``runserver --server NAME`` needs the server adapters, which the engine never imports;
``python -m ctxcore`` (the program on top of the layers) joins them. So a plain
``python manage.py runserver --server uvicorn`` runs the same script again as ``python -m
ctxcore --script manage.py runserver --server uvicorn`` (an ``exec``: same process,
same signals), which hands the adapters' ``serve`` to the script's Manager and, for
gevent, patches the process before the script imports anything.
"""

from __future__ import annotations

import functools
import inspect
import os
import re
import runpy
import sys
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

import click

from ._cli_commands import ServeFunc, routes_command
from ._cli_group import TopGroup, exit_code, exit_status, spellings
from ._cli_loading import NoAppException, ScriptInfo, call_factory, is_app
from ._cli_params import declared_params
from ._cli_script import Command, Option, Server, Shell, app_of, command_to_click
from .globals import current_app

if TYPE_CHECKING:
    from ._cli_group import AppGroup
    from .app import App

__all__ = ["Manager", "ManagerGroup", "run_script"]

F = TypeVar("F", bound=Callable[..., Any])
Registered: TypeAlias = "Command | click.Command | Manager"

#: The server adapters' ``serve`` while ``python -m ctxcore --script`` runs a script.
_serve_var: ContextVar[ServeFunc | None] = ContextVar("ctxcore.cli.serve", default=None)
#: ``ctx.meta`` key: the app each sub-manager's context made, by the context's id.
_APPS = "ctxcore.manager.apps"


class Manager:
    """flask-script's Manager: the commands of a manage.py, run by :meth:`run`.

    :param app: the App; or a factory returning one, called with the manager's
        :meth:`add_option` values when a command first needs the app; or nothing, for
        a sub-manager (its commands get the parent's app).
    :param with_default_commands: add ``shell``, ``runserver`` and ``routes`` (default:
        for a top-level manager only).
    :param usage: the help text, unless ``help`` (the one-line summary a parent lists)
        or ``description`` (the text of ``--help``) are given.
    :param disable_argcomplete: accepted for flask-script's signature (no completion).
    """

    #: Lets ``--app module:manager`` stand for the manager's app.
    is_manager = True
    #: The help options (``-h`` is ``runserver``'s host, as in flask-script).
    help_args = ("-?", "--help")

    def __init__(
        self,
        app: App | Callable[..., Any] | None = None,
        with_default_commands: bool | None = None,
        usage: str | None = None,
        help: str | None = None,
        description: str | None = None,
        disable_argcomplete: bool = False,
    ) -> None:
        factory = inspect.isroutine(app) or isinstance(app, functools.partial)
        if app is not None and not is_app(app) and not factory:
            raise TypeError(
                "Manager needs a ctxcore.App, a factory returning one, or nothing (a "
                f"sub-manager), not {type(app).__name__}"
            )
        self.app = app
        self.usage = usage
        self.help = help if help is not None else usage
        self.description = description if description is not None else usage
        self.with_default_commands = with_default_commands
        self.disable_argcomplete = disable_argcomplete
        #: The manager this one was added to (``None``: the top one).
        self.parent: Manager | None = None
        self._commands: dict[str, Registered] = {}
        self._options: list[Option] = []
        self._in_app_cli: set[str] = set()  # names it added to app.cli

    @property
    def cli(self) -> AppGroup:
        """``app.cli``, where a manager made with an App also adds its commands."""
        if not is_app(self.app):
            raise TypeError("only a Manager made with an App has an app.cli")
        group: AppGroup = self.app.cli  # type: ignore[union-attr]
        return group

    def __call__(self, app: App | None = None, **options: Any) -> App:
        """The app the commands run for: ``app`` (a parent's) or this manager's own,
        built by its factory with the manager's ``options``. Override to use them with
        an App (they are ignored then), as flask-script's sub-managers did."""
        target: Any = self.app if app is None else app
        if target is None:
            raise NoAppException("This Manager has no app: make it with Manager(app).")
        if is_app(target):
            found: App = target
            return found
        label = f"{getattr(target, '__module__', '?')}:{getattr(target, '__name__', target)}"
        built: App = call_factory(target, label, **options)
        return built

    def add_option(self, *args: str, **kwargs: Any) -> None:
        """Add an option of the manager itself (``manage.py -c dev.cfg COMMAND``); its
        value goes to the app factory, not to commands. argparse's arguments."""
        option = Option(*args, **kwargs)
        declared_params([(o.args, o.kwargs) for o in [*self._options, option]])  # valid?
        self._options.append(option)

    def get_options(self) -> Sequence[Option]:
        """The manager's own options (:meth:`add_option`)."""
        return self._options

    def add_command(self, *args: Any, namespace: str | None = None) -> None:
        """Add a command: ``add_command(name, command)`` or ``add_command(command)``.

        ``command`` is a :class:`Command` (or its class), a :class:`Manager` (a
        sub-manager: ``manage.py NAME SUBCOMMAND``) or a click command. Without a name, a
        command's ``name``, else its class's in lower case without "command".
        ``namespace`` puts it in that sub-manager (made if missing).
        """
        if len(args) not in (1, 2):
            raise TypeError("add_command(name, command) or add_command(command)")
        name, command = (None, *args) if len(args) == 1 else args
        if isinstance(command, type) and issubclass(command, Command):
            command = command()
        if not isinstance(command, (Command, Manager, click.Command)):
            raise TypeError(
                "add_command takes a Command (or its class), a Manager or a click command, "
                f"not {type(command).__name__}"
            )
        if name is None:
            name = getattr(command, "name", None) or re.sub(
                "command$", "", type(command).__name__.lower()
            )
        namespace = namespace or getattr(command, "namespace", None)
        if not namespace:
            self._add(str(name), command)
            return
        if namespace not in self._commands:
            self.add_command(namespace, Manager())
        sub = self._commands[namespace]
        if not isinstance(sub, Manager):
            raise TypeError(f"namespace {namespace!r} is a command, not a Manager")
        sub.add_command(name, command)

    def _add(self, name: str, command: Registered, app_cli: bool = True) -> None:
        if isinstance(command, Manager):
            command.parent = self
        built = _as_click(name, command)  # a declaration click cannot take fails here
        self._commands[name] = command
        if app_cli and is_app(self.app) and not isinstance(command, (Shell, Server)):
            cli_name = name.replace("_", "-")
            self.cli.add_command(built, cli_name)
            self._in_app_cli.add(cli_name)

    def command(self, func: F) -> F:
        """Add ``func`` as a command named after it (``init_db``; ``init-db`` works too).

        Arguments without a default are positional; the others are options (``--name``
        and ``-n``, unless taken; a ``bool`` default makes a flag); annotations or
        defaults give the type. An ``int`` it returns is the exit code.
        """
        self._add(func.__name__, Command(func))
        return func

    def option(self, *args: str, **kwargs: Any) -> Callable[[F], F]:
        """Declare an option of a function's command, argparse-style
        (``@manager.option("-n", "--name", dest="name")``); stack several (the lowest
        is declared first, as flask-script did). The function becomes a command; its
        arguments no option covers are made as by :meth:`command`."""

        def decorator(func: F) -> F:
            command = self._commands.get(func.__name__)
            if not isinstance(command, Command):
                command = Command(func)
            option = Option(*args, **kwargs)
            command.add_option(option)
            try:
                self._add(func.__name__, command)
            except TypeError:
                command.option_list = [o for o in command.option_list if o is not option]
                raise
            return func

        return decorator

    def shell(self, func: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
        """Make ``func() -> dict`` add names to the ``shell`` command's namespace."""
        self._add("shell", Shell(make_context=func))
        return func

    def add_default_commands(self) -> None:
        """Add ``shell``, ``runserver`` and ``routes``, unless commands of those names
        exist."""
        defaults: tuple[tuple[str, Registered], ...] = (
            ("shell", Shell()), ("runserver", Server()), ("routes", routes_command),
        )  # fmt: skip
        for name, command in defaults:
            if name not in self._commands:
                self._add(name, command, app_cli=False)

    def set_defaults(self) -> None:
        """Add the default commands if asked (by default: to a top-level manager), once."""
        if self.with_default_commands is None:
            self.with_default_commands = self.parent is None
        if self.with_default_commands:
            self.add_default_commands()
        self.with_default_commands = False

    def handle(self, prog: str, args: Sequence[str]) -> int:
        """Run the command line ``args`` of the script ``prog``; return the exit code."""
        self.set_defaults()
        name = os.path.basename(prog)
        group = ManagerGroup(self, name, top=True, serve=_serve_var.get(), script=prog, argv=args)
        return exit_code(group, args, name)

    def run(
        self, commands: Mapping[str, Any] | None = None, default_command: str | None = None
    ) -> None:
        """Run the command line (``sys.argv``) and exit with the command's status.

        :param commands: more commands, by name.
        :param default_command: the command to run when none is given.
        """
        for name, command in (commands or {}).items():
            self.add_command(name, command)
        args = sys.argv[1:]
        if default_command is not None and not args:
            args = [default_command]
        sys.exit(self.handle(sys.argv[0], args))


class ManagerGroup(TopGroup):
    """A :class:`Manager` as a click group: its options, its commands (each built when
    looked up), and for the top manager the app's own ``app.cli`` commands.

    :param top: the script's own manager (holds the app; the help options are ``-?``
        and ``--help``).
    :param serve: how ``runserver --server NAME`` serves (the server adapters'), or
        ``None``: werkzeug here, other servers by :meth:`hand_off`.
    :param script: the script's path; :param argv: its arguments (for :meth:`hand_off`).
    """

    def __init__(
        self,
        manager: Manager,
        name: str,
        *,
        top: bool = False,
        serve: ServeFunc | None = None,
        script: str | None = None,
        argv: Sequence[str] = (),
    ) -> None:
        settings = {"help_option_names": list(manager.help_args)} if top else {}
        super().__init__(
            name=name,
            params=declared_params([(o.args, o.kwargs) for o in manager.get_options()]),
            help=manager.description,
            short_help=manager.help,
            context_settings=settings,
        )
        self.manager = manager
        self.top = top
        self.serve = serve
        self.script = script
        self.argv = list(argv)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """The context; the top one holds the :class:`ScriptInfo` whose app the
        manager makes from the options parsed."""
        if not self.top or "obj" in extra:
            return super().make_context(info_name, args, parent=parent, **extra)
        info = ScriptInfo(load_dotenv_defaults=False)
        ctx = super().make_context(info_name, args, parent=parent, obj=info, **extra)
        info.create_app = lambda: self.manager(**ctx.params)
        return ctx

    def app_for(self, ctx: click.Context) -> App:
        """The app of this group's context ``ctx``: the top manager's (built once), or
        what a sub-manager makes of its parent's."""
        if self.top:
            return ctx.ensure_object(ScriptInfo).load_app()
        apps: dict[int, App] = ctx.meta.setdefault(_APPS, {})
        if id(ctx) not in apps:
            built = self.manager(app_of(ctx.parent), **ctx.params)
            if not is_app(built):
                raise NoAppException(f"{self.name} made a {type(built).__name__}, not an App.")
            apps[id(ctx)] = built
        return apps[id(ctx)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The manager's command (either spelling), else the top app's ``app.cli`` one."""
        for name in spellings(cmd_name):
            command = self.manager._commands.get(name)
            if command is not None:
                return _as_click(name, command)
        if not self.top:
            return None
        app = self.app_for(ctx)
        if not current_app or current_app._get_current_object() is not app:  # type: ignore[attr-defined]
            ctx.with_resource(app.app_context())
        found: click.Command | None = app.cli.get_command(ctx, cmd_name)
        return found

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The manager's commands, and the ``app.cli`` ones of a top manager's App (an
        app a factory makes is not built for a listing)."""
        names = set(self.manager._commands)
        app = self.manager.app
        if self.top and is_app(app):
            listed = app.cli.list_commands(ctx)  # type: ignore[union-attr]
            names.update(name for name in listed if name not in self.manager._in_app_cli)
        return sorted(names)

    def hand_off(self, server: str) -> None:
        """Run the script again under ``python -m ctxcore --script`` (an ``exec``), where
        ``serve`` is the server adapters'; a usage error when there is no script to run."""
        main_file = getattr(sys.modules.get("__main__"), "__file__", None)
        script = self.script
        if not (script and main_file and os.path.realpath(script) == os.path.realpath(main_file)):
            raise click.UsageError(
                f"--server {server} needs the server adapters: run the script as "
                f"'python -m ctxcore --script {self.name} ...'."
            )
        sys.stdout.flush()
        sys.stderr.flush()
        rerun = ["-m", "ctxcore", "--script", os.path.abspath(script), *self.argv]
        os.execv(sys.executable, [sys.executable, *rerun])


def _as_click(name: str, command: Registered) -> click.Command:
    if isinstance(command, click.Command):
        return command
    if isinstance(command, Manager):
        return ManagerGroup(command, name)
    return command_to_click(name, command)


def run_script(args: Sequence[str], serve: ServeFunc | None = None) -> int:
    """Run ``SCRIPT ARGS...`` as ``python SCRIPT ARGS...`` does, its Managers serving
    ``runserver --server NAME`` with ``serve``; return the exit status.

    ``python -m ctxcore --script manage.py ...`` calls it with the server adapters'
    ``serve`` (after patching for gevent when the arguments ask for it).
    """
    if not args or not os.path.isfile(args[0]):
        given = f": {args[0]!r} is not a file" if args else ""
        click.echo(f"Error: --script needs the script to run{given}.", err=True)
        return 2
    path = os.path.abspath(args[0])
    sys.argv[:] = list(args)
    sys.path[0] = os.path.dirname(path)  # as for `python SCRIPT`: its folder, not the cwd
    token = _serve_var.set(serve)
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit as exc:
        return exit_status(exc)
    finally:
        _serve_var.reset(token)
    return 0
