"""flask-script's command classes, for a manage.py of that era: Command, Option, Shell, Server.

A :class:`Command` declares its options (``option_list`` or ``get_options()``, each an
:class:`Option` with argparse's arguments) and does its work in ``run()``;
:func:`command_to_click` makes it a click command (for the Manager,
:mod:`ctxcore._cli_manager`) that calls ``command(app, **options)``, which runs ``run``
inside a test request context, as flask-script did. :class:`Shell` and :class:`Server`
are the ``shell`` and ``runserver`` commands; ``Server`` serves through the ``run``
command's code, so ``--server NAME`` reaches every server ``run`` does. The ``prompt*``
helpers ask on the terminal as flask-script's did.
"""

from __future__ import annotations

import getpass
import inspect
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import click

from ._cli_commands import interact, root_serve, run_server
from ._cli_loading import ScriptInfo
from ._cli_params import declared_params, flags_of, signature_params

if TYPE_CHECKING:
    from .app import App

__all__ = [
    "Command",
    "InvalidCommand",
    "Option",
    "Server",
    "Shell",
    "app_of",
    "command_to_click",
    "prompt",
    "prompt_bool",
    "prompt_choices",
    "prompt_pass",
]

#: Where a ``capture_all_args`` command's unparsed arguments are collected.
_REST = "ctxcore_remaining_args"


class InvalidCommand(Exception):
    """Raised by a command for bad input: the Manager prints ``Error: <message>`` (exit 1),
    without a traceback."""


class Option:
    """One option or positional argument, with argparse's ``add_argument`` arguments.

    ``Option("-n", "--name", dest="name", default="x", help="...")``; ``action`` may be
    ``store``, ``store_true``, ``store_false``, ``store_const``, ``count`` or
    ``append``; ``type``, ``choices``, ``nargs``, ``required`` and ``metavar`` too.
    """

    __slots__ = ("args", "kwargs")

    def __init__(self, *args: str, **kwargs: Any) -> None:
        self.args = args
        self.kwargs = kwargs

    def __repr__(self) -> str:
        return f"Option(*{self.args!r}, **{self.kwargs!r})"


class Command:
    """A Manager's command, flask-script's way: options declared, work done in ``run()``.

    Subclass it with ``option_list = (Option(...), ...)`` (or a ``get_options()``) and
    a ``run(self, **options)``; or pass a function, whose signature gives the options.
    The docstring is the help.

    :param func: the function to run (``@manager.command`` passes it).
    """

    #: The options (:class:`Option`) ``run`` receives, by their ``dest``.
    option_list: Sequence[Option] = ()
    #: Hand ``run`` the arguments no option takes, as a list (its first argument).
    capture_all_args = False

    def __init__(self, func: Callable[..., Any] | None = None) -> None:
        if func is not None:
            self.run = func  # type: ignore[method-assign]
        if func is not None or type(self) is Command:  # not this class's docstring
            self.__doc__ = getattr(func, "__doc__", None)

    @property
    def description(self) -> str:
        """The help text: the docstring."""
        return (self.__doc__ or "").strip()

    def add_option(self, option: Option) -> None:
        """Add an option (to this instance's list: a class's ``option_list`` stays)."""
        self.option_list = [*self.option_list, option]

    def get_options(self) -> Sequence[Option]:
        """The options (default: :attr:`option_list`); override to build them per instance."""
        return self.option_list

    def __call__(self, app: App, *args: Any, **kwargs: Any) -> Any:
        """Run the command for ``app``: ``run(*args, **kwargs)`` in a test request context."""
        with app.test_request_context():
            return self.run(*args, **kwargs)

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """Do the command's work; subclasses implement it. An ``int`` returned is the exit
        code."""
        raise NotImplementedError(f"{type(self).__name__} defines no run()")


class Shell(Command):
    """The ``shell`` command: Python's interactive console in the app's context.

    Its namespace is ``python -m ctxcore shell``'s (``app``, ``g``, ``current_app``,
    the app's shell context processors) plus what ``make_context()`` returns.

    :param banner: printed first (default: the Python version and the app).
    :param make_context: a function returning a dict of more names.
    :param use_ipython: kept for flask-script's signature, as the others: the console is
        always Python's own (``--no-ipython`` and the like are accepted).
    """

    banner = ""
    help = description = "Run a Python shell in the app context."

    def __init__(
        self,
        banner: str | None = None,
        make_context: Callable[[], dict[str, Any]] | None = None,
        use_ipython: bool = True,
        use_bpython: bool = True,
        use_ptipython: bool = True,
        use_ptpython: bool = True,
    ) -> None:
        super().__init__()
        self.banner = banner or self.banner
        self.make_context = make_context
        self.use_ipython = use_ipython
        self.use_bpython = use_bpython
        self.use_ptipython = use_ptipython
        self.use_ptpython = use_ptpython

    def get_options(self) -> Sequence[Option]:
        """flask-script's ``--no-ipython``, ``--no-bpython``, ``--no-ptipython``,
        ``--no-ptpython`` (accepted; the console is Python's)."""
        return [
            Option(f"--no-{shell}", action="store_true", dest=f"no_{shell}")
            for shell in ("ipython", "bpython", "ptipython", "ptpython")
        ]

    def get_context(self) -> dict[str, Any]:
        """The names ``make_context()`` adds to the console's namespace."""
        return dict(self.make_context()) if self.make_context is not None else {}

    def run(self, *args: Any, **kwargs: Any) -> None:
        """Run the console (in the context ``__call__`` pushed)."""
        from .globals import current_app

        app: App = current_app._get_current_object()  # type: ignore[attr-defined]
        interact(app, self.get_context(), self.banner or None)


class Server(Command):
    """The ``runserver`` command: ``run``'s server with flask-script's options.

    ``-h/--host``, ``-p/--port``, ``-d/-D`` (debug mode on/off: the debugger, and the
    reloader's default), ``-r/-R`` (reloader on/off), ``--threaded``, ``--processes N``,
    ``--passthrough-errors``, ``--ssl-crt``/``--ssl-key``, and ``--server NAME``
    (werkzeug, gunicorn, gevent, uvicorn, hypercorn). The constructor's arguments are
    the defaults.

    :param threaded: a thread per request; default: on unless ``processes`` > 1.
    :param processes: werkzeug's forked processes, or gunicorn's workers.
    :param options: more settings for werkzeug's ``run_simple``.
    """

    help = description = "Serve the app (werkzeug's development server by default)."

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 5000,
        use_debugger: bool | None = None,
        use_reloader: bool | None = None,
        threaded: bool | None = None,
        processes: int = 1,
        passthrough_errors: bool = False,
        ssl_crt: str | None = None,
        ssl_key: str | None = None,
        server: str = "werkzeug",
        **options: Any,
    ) -> None:
        super().__init__()
        self.host = host
        self.port = port
        self.use_debugger = use_debugger
        self.use_reloader = use_reloader if use_reloader is not None else use_debugger
        self.threaded = threaded
        self.processes = processes
        self.passthrough_errors = passthrough_errors
        self.ssl_crt = ssl_crt
        self.ssl_key = ssl_key
        self.server = server
        self.server_options = options

    def get_options(self) -> Sequence[Option]:
        """flask-script's options, with these defaults, and ``--server``."""
        return (
            Option("-h", "--host", dest="host", default=self.host, help="Interface to bind."),
            Option("-p", "--port", dest="port", type=int, default=self.port, help="Port."),
            Option("--threaded", dest="threaded", action="store_true", default=self.threaded,
                   help="A thread per request (the default unless --processes > 1)."),
            Option("--processes", dest="processes", type=int, default=self.processes,
                   help="werkzeug's forked processes, or gunicorn's workers."),
            Option("--passthrough-errors", action="store_true", dest="passthrough_errors",
                   default=self.passthrough_errors, help="Let errors reach the server."),
            Option("-d", "--debug", action="store_true", dest="use_debugger",
                   default=self.use_debugger,
                   help="Debug mode on (-D: off): the debugger, and the reloader's default."),
            Option("-D", "--no-debug", action="store_false", dest="use_debugger",
                   default=self.use_debugger),
            Option("-r", "--reload", action="store_true", dest="use_reloader",
                   default=self.use_reloader, help="Reload on code changes (-R: do not)."),
            Option("-R", "--no-reload", action="store_false", dest="use_reloader",
                   default=self.use_reloader),
            Option("--ssl-crt", dest="ssl_crt", help="Certificate file (HTTPS; werkzeug).",
                   default=self.ssl_crt),
            Option("--ssl-key", dest="ssl_key", help="Key file for --ssl-crt.",
                   default=self.ssl_key),
            Option("--server", dest="server", default=self.server,
                   help="werkzeug, gunicorn, gevent, uvicorn or hypercorn."),
        )  # fmt: skip

    def __call__(
        self,
        app: App,
        host: str,
        port: int,
        use_debugger: bool | None,
        use_reloader: bool | None,
        threaded: bool | None,
        processes: int,
        passthrough_errors: bool,
        ssl_crt: str | None,
        ssl_key: str | None,
        server: str = "werkzeug",
    ) -> None:
        """Serve ``app`` until stopped (no request context: the server makes those)."""
        if use_debugger is not None:
            app.debug = use_debugger  # as flask-script's app.run(debug=...)
        if use_reloader is None:
            use_reloader = use_debugger
        if (ssl_crt is None) != (ssl_key is None):
            raise click.UsageError("--ssl-crt and --ssl-key go together.")
        options = dict(self.server_options)
        if passthrough_errors:
            options["passthrough_errors"] = True
        if ssl_crt is not None:
            options["ssl_context"] = (ssl_crt, ssl_key)
        if server != "werkzeug" and (passthrough_errors or ssl_crt is not None):
            message = "--passthrough-errors, --ssl-crt and --ssl-key are werkzeug's options"
            raise click.UsageError(f"{message}, not {server}'s.")
        ctx = click.get_current_context(silent=True)
        top = ctx.find_root().command if ctx is not None else None
        serve = root_serve()
        hand_off = getattr(top, "hand_off", None)
        if serve is None and server != "werkzeug" and hand_off is not None:
            # A plain `python manage.py` has no server adapters (the engine never
            # imports them): the Manager runs the script again under the program that
            # joins them (python -m ctxcore --script), or says how.
            hand_off(server)
        run_server(
            app,
            server=server,
            host=host,
            port=port,
            reload=use_reloader,
            debugger=use_debugger,
            threaded=processes == 1 if threaded is None else threaded,
            processes=processes,
            serve=serve,
            **options,
        )


def app_of(ctx: click.Context | None) -> App:
    """The app for a command whose parent context is ``ctx``: the nearest Manager
    group's (a command with an ``app_for``), else the one the command line loaded."""
    while ctx is not None and not hasattr(ctx.command, "app_for"):
        ctx = ctx.parent
    if ctx is None:
        return click.get_current_context().ensure_object(ScriptInfo).load_app()
    app: App = ctx.command.app_for(ctx)  # type: ignore[attr-defined]
    return app


def command_to_click(name: str, command: Command) -> click.Command:
    """``command`` as a click command named ``name``: its options (and, for a function's
    command, the arguments they leave out); it calls ``command(app, **options)``."""
    params = declared_params([(option.args, option.kwargs) for option in command.get_options()])
    run = vars(command).get("run")
    if callable(run):  # a function's command: its signature gives the other options
        params += signature_params(run, {param.name or "" for param in params}, flags_of(params))
    capture = bool(getattr(command, "capture_all_args", False))
    if capture:
        params.append(click.Argument([_REST], nargs=-1, type=click.UNPROCESSED))

    def callback(**kwargs: Any) -> None:
        ctx = click.get_current_context()
        rest = [list(kwargs.pop(_REST))] if capture else []
        try:
            result = command(app_of(ctx.parent), *rest, **kwargs)
        except InvalidCommand as exc:
            raise click.ClickException(str(exc)) from None
        if isinstance(result, int) and not isinstance(result, bool) and result:
            ctx.exit(result)

    summary = getattr(command, "help", None)
    text = getattr(command, "description", None) or command.__doc__ or summary
    return click.Command(
        name,
        params=params,
        callback=callback,
        help=inspect.cleandoc(text) if text else None,
        short_help=summary if isinstance(summary, str) else None,
        context_settings={"ignore_unknown_options": True} if capture else None,
    )


def prompt(name: str, default: str | None = None) -> str:
    """Ask for a line on the terminal (``name [default]: ``) until one is given; an
    empty answer gives ``default`` when there is one."""
    question = name + (f" [{default}]" if default else "") + (" " if name.endswith("?") else ": ")
    while True:
        try:
            answer = input(question)
        except EOFError:
            raise click.Abort() from None
        if answer:
            return answer
        if default is not None:
            return default


def prompt_pass(name: str, default: str | None = None) -> str:
    """:func:`prompt` without echoing the answer (a password)."""
    question = name + (f" [{default}]" if default else "") + (" " if name.endswith("?") else ": ")
    while True:
        try:
            answer = getpass.getpass(question) if sys.stdin.isatty() else input(question)
        except EOFError:
            raise click.Abort() from None
        if answer:
            return answer
        if default is not None:
            return default


def prompt_bool(
    name: str,
    default: bool = False,
    yes_choices: Sequence[str] | None = None,
    no_choices: Sequence[str] | None = None,
) -> bool:
    """Ask a yes/no question until answered (``y``, ``yes``, ``1``, ``on``, ``true``,
    ``t``, or their opposites); an empty answer gives ``default``."""
    yes = [choice.lower() for choice in yes_choices or ("y", "yes", "1", "on", "true", "t")]
    no = [choice.lower() for choice in no_choices or ("n", "no", "0", "off", "false", "f")]
    while True:
        answer = prompt(name, yes[0] if default else no[0]).lower()
        if answer in yes:
            return True
        if answer in no:
            return False


def prompt_choices(
    name: str,
    choices: Sequence[str | tuple[str, str]],
    default: str | None = None,
    no_choice: Sequence[str] = ("none",),
) -> str | None:
    """Ask until the answer is one of ``choices`` (strings, or ``(key, label)`` pairs:
    the key is answered); one of ``no_choice`` gives ``None``."""
    keys = [choice if isinstance(choice, str) else choice[0] for choice in choices]
    shown = [c if isinstance(c, str) else f"{c[1]} [{c[0]}]" for c in choices]
    while True:
        answer = prompt(f"{name} - ({', '.join(shown)})", default).lower()
        if answer in no_choice:
            return None
        if answer in keys or answer == default:
            return answer
