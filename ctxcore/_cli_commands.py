"""The top command group (``python -m ctxcore``) and its built-in commands.

:class:`CtxcoreGroup` is Flask's ``FlaskGroup`` for ctxcore: ``--app``, ``--debug``,
``--env-file`` and ``--version``, the built-in ``run``, ``routes`` and ``shell``, and the
loaded app's ``app.cli`` commands (blueprints' groups included). Errors a user can fix
(no app, a bad factory, an import error in the app's module, an unknown command, a bad
option) print one line and exit 2; they are never a traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import click
from werkzeug.routing import Rule

from ._cli_app import RUN_FROM_CLI
from ._cli_group import TopGroup, one_line, pass_script_info, with_appcontext
from ._cli_loading import NoAppException, ScriptInfo, get_debug_flag, load_dotenv
from .globals import current_app
from .helpers import get_load_dotenv

if TYPE_CHECKING:
    from .app import App

__all__ = [
    "CtxcoreGroup",
    "get_version",
    "interact",
    "root_serve",
    "routes_command",
    "run_command",
    "run_server",
    "shell_command",
    "version_option",
]

#: ``serve(app, server=..., host=..., port=..., **options)``: how ``run`` serves.
ServeFunc = Callable[..., None]


def _set_app(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        ctx.ensure_object(ScriptInfo).app_import_path = value
    return value


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> bool | None:
    source = ctx.get_parameter_source(param.name or "")
    if source in (None, click.core.ParameterSource.DEFAULT):
        return None  # not given: the environment decides
    # Through the environment, so a factory reading it while building the app sees it.
    os.environ["CTXCORE_DEBUG"] = "1" if value else "0"
    return value


def _set_env_file(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not load_dotenv(value):
        raise click.BadParameter("loading an env file needs python-dotenv installed.")
    return value


def get_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """``--version``'s callback: print the Python, ctxcore and Werkzeug versions, exit."""
    if not value or ctx.resilient_parsing:
        return
    from importlib.metadata import version

    click.echo(
        f"Python {sys.version.split()[0]}\nctxcore {version('ctxcore')}\n"
        f"Werkzeug {version('werkzeug')}"
    )
    ctx.exit()


#: The ``--version`` option (Flask's name): add it to a group of your own.
version_option = click.Option(
    ["--version"],
    help="Show the Python, ctxcore and Werkzeug versions.",
    expose_value=False,
    callback=get_version,
    is_flag=True,
    is_eager=True,
)

# Ordered: --env-file is read before --app names a module that may need its values.
_OPTIONS = (
    click.Option(
        ["-e", "--env-file"],
        type=click.Path(exists=True, dir_okay=False),
        help="Load environment variables from this file (needs python-dotenv).",
        is_eager=True,
        expose_value=False,
        callback=_set_env_file,
    ),
    click.Option(
        ["-A", "--app"],
        metavar="IMPORT",
        help=(
            "The app or factory to load: 'module:name', 'module:create_app()' or a "
            "module (its app, application, create_app or make_app). Default: $CTXCORE_APP."
        ),
        is_eager=True,
        expose_value=False,
        callback=_set_app,
    ),
    click.Option(
        ["--debug/--no-debug"],
        help="Set debug mode (default: $CTXCORE_DEBUG).",
        expose_value=False,
        callback=_set_debug,
    ),
)


class CtxcoreGroup(TopGroup):
    """The command group behind ``python -m ctxcore``: built-ins plus the app's commands.

    :param add_default_commands: add ``run``, ``routes`` and ``shell``.
    :param create_app: build the app with this instead of ``--app``.
    :param add_version_option: add ``--version``.
    :param load_dotenv: load ``.env``/``.flaskenv`` first (with python-dotenv).
    :param set_debug_flag: set ``app.debug`` from ``CTXCORE_DEBUG``.
    :param serve: how ``run`` serves: ``serve(app, server=, host=, port=, **options)``
        (``python -m ctxcore`` passes ``ctxcore.adapters.serve.serve``); ``None``:
        werkzeug's development server only.
    """

    def __init__(
        self,
        add_default_commands: bool = True,
        create_app: Callable[..., Any] | None = None,
        add_version_option: bool = True,
        load_dotenv: bool = True,
        set_debug_flag: bool = True,
        serve: ServeFunc | None = None,
        **extra: Any,
    ) -> None:
        params = [*(extra.pop("params", None) or ()), *_OPTIONS]
        if add_version_option:
            params.append(
                click.Option(
                    ["--version"],
                    is_flag=True,
                    expose_value=False,
                    is_eager=True,
                    callback=get_version,
                    help="Show the Python, ctxcore and Werkzeug versions.",
                )
            )
        super().__init__(params=params, **extra)
        self.create_app = create_app
        self.load_dotenv = load_dotenv
        self.set_debug_flag = set_debug_flag
        self.serve = serve
        if add_default_commands:
            for command in (run_command, routes_command, shell_command):
                self.add_command(command)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """A built-in command, else the loaded app's command (app context pushed)."""
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        app = ctx.ensure_object(ScriptInfo).load_app()
        # Pushed now, so parameter callbacks see the app as well as the command.
        if not current_app or current_app._get_current_object() is not app:  # type: ignore[attr-defined]
            ctx.with_resource(app.app_context())
        return app.cli.get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Built-in commands and the app's; an app that fails to load is reported."""
        names = set(super().list_commands(ctx))
        try:
            names.update(ctx.ensure_object(ScriptInfo).load_app().cli.list_commands(ctx))
        except NoAppException as exc:
            click.echo(f"Error: {one_line(exc.format_message())}", err=True)
        return sorted(names)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """The root context, holding the :class:`ScriptInfo` commands load the app from."""
        # The app's module may call app.run() outside a __main__ guard: make it a no-op.
        os.environ[RUN_FROM_CLI] = "true"
        if self.load_dotenv and get_load_dotenv():
            load_dotenv()
        if "obj" not in extra and "obj" not in self.context_settings:
            extra["obj"] = ScriptInfo(
                create_app=self.create_app,
                set_debug_flag=self.set_debug_flag,
                load_dotenv_defaults=self.load_dotenv,
            )
        return super().make_context(info_name, args, parent=parent, **extra)


@click.command("run", short_help="Serve the app (werkzeug's development server by default).")
@click.option("--host", "-h", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", "-p", default=5000, show_default=True, help="Port to bind.")
@click.option("--reload/--no-reload", default=None, help="Reload on code changes (debug: on).")
@click.option("--debugger/--no-debugger", default=None, help="The debugger (debug: on).")
@click.option("--with-threads/--without-threads", default=True, help="A thread per request.")
@click.option(
    "--server",
    default="werkzeug",
    show_default=True,
    help="werkzeug, gevent, gunicorn, uvicorn, hypercorn or granian (see 'serve').",
)
@pass_script_info
def run_command(
    info: ScriptInfo,
    host: str,
    port: int,
    reload: bool | None,
    debugger: bool | None,
    with_threads: bool,
    server: str,
) -> None:
    """Serve the app; werkzeug's development server by default (not for production)."""
    run_server(
        info.load_app(),
        server=server,
        host=host,
        port=port,
        reload=reload,
        debugger=debugger,
        threaded=with_threads,
        serve=root_serve(),
    )


def root_serve() -> ServeFunc | None:
    """The ``serve`` of the running program's top group (``None``: werkzeug only)."""
    ctx = click.get_current_context(silent=True)
    serve: ServeFunc | None = getattr(ctx.find_root().command, "serve", None) if ctx else None
    return serve


def run_server(
    app: App,
    *,
    server: str,
    host: str,
    port: int,
    reload: bool | None,
    debugger: bool | None,
    threaded: bool = True,
    processes: int = 1,
    serve: ServeFunc | None = None,
    **options: Any,
) -> None:
    """Serve ``app`` as ``run`` does: ``runserver`` (a Manager's) comes here too.

    ``reload`` and ``debugger`` default to debug mode (``app.debug`` or
    ``CTXCORE_DEBUG``); they, ``threaded`` and ``options`` are werkzeug's
    (``run_simple``'s), ``processes`` is werkzeug's or gunicorn's workers. ``serve`` is
    the server adapters' (``None``: werkzeug's server only). A server or setting that
    does not fit is a usage error; a server that cannot start (a port in use, a refused
    ident) a one-line error.
    """
    debug = bool(app.debug) or get_debug_flag()
    if server == "werkzeug":
        options.update(
            use_reloader=debug if reload is None else reload,
            use_debugger=debug if debugger is None else debugger,
            threaded=threaded,
            **({"processes": processes} if processes != 1 else {}),
        )
    elif options:
        names = ", ".join(sorted(options))
        raise click.UsageError(f"{names}: werkzeug's settings, not {server}'s.")
    elif processes != 1:
        options["workers"] = processes
    try:
        if serve is not None:
            # A development command: requests are logged, as by werkzeug's own server.
            serve(app, server=server, host=host, port=port, access_log=True, **options)
        elif server == "werkzeug":
            from werkzeug.serving import run_simple

            run_simple(host, port, app, **options)
        else:
            message = f"--server {server} needs the server adapters: use 'python -m ctxcore run'."
            raise click.UsageError(message)
    except ValueError as exc:  # a server or setting that does not fit
        raise click.UsageError(str(exc)) from None
    except (ImportError, OSError) as exc:  # a server not installed, a port in use
        raise click.ClickException(str(exc)) from None
    except RuntimeError as exc:  # a refused ident
        raise click.ClickException(f"{type(exc).__name__}: {exc}") from None


@click.command("routes", short_help="Show the app's routes.")
@click.option(
    "--sort",
    "-s",
    type=click.Choice(("endpoint", "methods", "domain", "rule", "match")),
    default="endpoint",
    help="Sort by this column; 'match' keeps the order rules are matched in.",
)
@click.option("--all-methods", is_flag=True, help="Show HEAD and OPTIONS too.")
@with_appcontext
def routes_command(sort: str, all_methods: bool) -> None:
    """Show every route: endpoint, methods and rule (host or subdomain when used)."""
    url_map = current_app.url_map
    rules = list(url_map.iter_rules())
    if not rules:
        click.echo("No routes were registered.")
        return
    hidden = set() if all_methods else {"HEAD", "OPTIONS"}
    hosts = url_map.host_matching

    def domain_of(rule: Rule) -> str:
        return (rule.host if hosts else rule.subdomain) or ""

    with_domain = any(domain_of(rule) for rule in rules)
    columns = ["endpoint", "methods", *(["domain"] if with_domain else []), "rule"]
    header = ["Endpoint", "Methods", *([("Host" if hosts else "Subdomain")] * with_domain)]
    header.append("Rule")
    table = []
    for rule in rules:
        methods = ", ".join(sorted((rule.methods or set()) - hidden))
        table.append([rule.endpoint, methods, *([domain_of(rule)] * with_domain), rule.rule])
    if sort in columns:  # "match" (or "domain" without domains): the map's own order
        table.sort(key=itemgetter(columns.index(sort)))
    widths = [max(len(row[i]) for row in (header, *table)) for i in range(len(header))]
    for row in (header, ["-" * width for width in widths], *table):
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        click.echo("  ".join(cells).rstrip())


@click.command("shell", short_help="Run a Python shell in the app context.")
@with_appcontext
def shell_command() -> None:
    """An interactive Python console with the app context pushed.

    Its namespace holds ``app``, ``g``, ``current_app`` and what the app's shell context
    processors return; ``$PYTHONSTARTUP`` runs first.
    """
    interact(current_app._get_current_object())  # type: ignore[attr-defined]


def interact(app: App, extra: dict[str, Any] | None = None, banner: str | None = None) -> None:
    """The interactive console of ``shell``, in the active app context.

    Its namespace: ``$PYTHONSTARTUP``'s names, then ``app.make_shell_context()``, then
    ``extra``. ``banner`` replaces the default one (Python's version and the app).
    """
    import code

    if banner is None:
        banner = (
            f"Python {sys.version} on {sys.platform}\nApp: {app.import_name}\n"
            f"Instance: {app.instance_path}"
        )
    namespace: dict[str, Any] = {}
    startup = os.environ.get("PYTHONSTARTUP")
    if startup and os.path.isfile(startup):
        with open(startup) as file:
            exec(compile(file.read(), startup, "exec"), namespace)
    namespace.update(app.make_shell_context())
    namespace.update(extra or {})
    hook = getattr(sys, "__interactivehook__", None)
    if hook is not None and sys.stdin.isatty():  # history and completion for people only
        try:
            import readline
            from rlcompleter import Completer
        except ImportError:
            pass
        else:
            readline.set_completer(Completer(namespace).complete)
        hook()
    code.interact(banner=banner, local=namespace, exitmsg="")
