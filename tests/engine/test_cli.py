"""The command line: ``app.cli`` groups, app loading, built-ins, the Manager, and errors.

In-process tests use ``app.test_cli_runner()``; the rest run ``python -m ctxcore`` as a
real subprocess against modules written to a temporary folder (its working directory).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import click
import pytest

from ctxcore import App, Blueprint, current_app, g
from ctxcore.cli import (
    CtxcoreGroup,
    NoAppException,
    ScriptInfo,
    load_target,
    locate_app,
    locate_object,
)
from ctxcore.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]

TODO = '''
import click
from ctxcore import App, Blueprint, current_app, g
from ctxcore.cli import Manager

app = App("todo")
app.add_url_rule("/", "index", lambda: "index")
app.add_url_rule("/items/<int:item>", "item", str, methods=["GET", "DELETE"])

@app.cli.command("init-db")
@click.option("--drop", is_flag=True)
def init_db(drop):
    """Create the tables."""
    print(f"init-db drop={drop} app={current_app.name}")

admin = Blueprint("admin", __name__)

@admin.cli.command("promote")
@click.argument("user")
def promote(user):
    """Make a user an admin."""
    print(f"promoted {user} in {current_app.name}")

tools = Blueprint("tools", __name__, cli_group=None)

@tools.cli.command("clean")
def clean():
    """Remove stale files."""
    print("cleaned")

app.register_blueprint(admin)
app.register_blueprint(tools)
manager = Manager(app)

@manager.command
def seed_db(count: int = 3):
    """Insert sample rows."""
    print(f"seeded {count * 2} ({type(g._get_current_object()).__name__})")

@app.shell_context_processor
def extra():
    return {"answer": 42}
'''

FACTORY = """
from ctxcore import App, current_app

def create_app(env="prod", debug=False):
    app = App(f"factory-{env}")

    @app.cli.command()
    def whoami():
        print(f"{current_app.name} debug={debug}")

    return app
"""

BROKEN = {
    "raises.py": "import os\nx = 1 / 0\n",
    "readsjson.py": "import json\n\nsettings = json.loads('{not json')\n",
    "jsonfactory.py": (
        "import json\nfrom ctxcore import App\n\ndef create_app():\n    json.loads('x')\n"
    ),
    "imports.py": "import no_such_dependency_xyz\n",
    "badfactory.py": (
        "from ctxcore import App\n\ndef create_app():\n    raise KeyError('DATABASE_URL')\n"
    ),
    "nothing.py": "value = 1\n",
    "two.py": "from ctxcore import App\nfirst = App('a')\nsecond = App('b')\n",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "todo.py").write_text(textwrap.dedent(TODO))
    (tmp_path / "factory.py").write_text(textwrap.dedent(FACTORY))
    for name, text in BROKEN.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def ctxcore(
    cwd: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("CTXCORE_APP", "FLASK_APP")}
    return subprocess.run(
        [sys.executable, "-m", "ctxcore", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**clean, **(env or {})},
    )


# app.cli, in process.


def test_app_cli_command_runs_in_the_app_context() -> None:
    app = App("inproc")

    @app.cli.command("init-db")
    def init_db() -> None:
        click.echo(f"{current_app.name} {type(g._get_current_object()).__name__}")

    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert result.output == "inproc _AppCtxGlobals\n"


def test_a_command_can_opt_out_of_the_app_context() -> None:
    app = App("optout")

    @app.cli.command(with_appcontext=False)
    def bare() -> None:
        click.echo(f"has app: {bool(current_app)}")

    assert app.test_cli_runner().invoke(args=["bare"]).output == "has app: False\n"


def test_nested_groups_are_app_groups() -> None:
    app = App("nested")

    @app.cli.group()
    def db() -> None:
        """Database commands."""

    @db.command()
    def upgrade() -> None:
        click.echo(current_app.name)

    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).output == "nested\n"


def test_commands_are_found_with_dashes_or_underscores() -> None:
    app = App("spell")

    @app.cli.command("init-db")
    def init_db() -> None:
        click.echo("ok")

    runner = app.test_cli_runner()
    assert runner.invoke(args=["init_db"]).output == "ok\n"
    assert runner.invoke(args=["init-db"]).output == "ok\n"
    assert runner.invoke(args=["init__db"]).exit_code == 2


def test_cli_is_not_built_until_used_and_click_not_imported_by_serving() -> None:
    app = App("lazy")
    assert "_cli" not in vars(app)
    code = (
        "import sys\nfrom ctxcore import App, Blueprint\n"
        "app = App('x')\nbp = Blueprint('bp', __name__)\n"
        "app.add_url_rule('/', 'i', lambda: 'hi')\napp.register_blueprint(bp)\n"
        "assert app.test_client().get('/').data == b'hi'\n"
        "print(sorted(m for m in sys.modules if m.startswith('click')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_blueprint_commands_go_to_their_group_or_the_apps() -> None:
    app = App("bps")
    named = Blueprint("named", __name__)
    default = Blueprint("users", __name__)
    merged = Blueprint("merged", __name__, cli_group=None)
    custom = Blueprint("custom", __name__, cli_group="ops")
    for bp in (named, default, merged, custom):

        @bp.cli.command("hello")
        def hello(bp: Blueprint = bp) -> None:
            click.echo(f"{bp.name} {current_app.name}")

    app.register_blueprint(default)
    app.register_blueprint(named, name="renamed")
    app.register_blueprint(merged)
    app.register_blueprint(custom)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "hello"]).output == "users bps\n"
    assert runner.invoke(args=["renamed", "hello"]).output == "named bps\n"
    assert runner.invoke(args=["ops", "hello"]).output == "custom bps\n"
    assert runner.invoke(args=["hello"]).output == "merged bps\n"
    assert sorted(app.cli.commands) == ["hello", "ops", "renamed", "users"]


def test_blueprint_without_commands_adds_no_group() -> None:
    app = App("quiet")
    app.register_blueprint(Blueprint("silent", __name__))
    assert app.cli.commands == {}


def test_shell_context_has_app_g_current_app_and_processors() -> None:
    app = App("shellctx")

    @app.shell_context_processor
    def more() -> dict[str, object]:
        return {"answer": 42}

    with app.app_context():
        namespace = app.make_shell_context()
    assert namespace["app"] is app
    assert namespace["g"] is g
    assert namespace["current_app"] is current_app
    assert namespace["answer"] == 42


def test_test_cli_runner_uses_test_cli_runner_class() -> None:
    class Mine(CliRunner):
        pass

    class MyApp(App):
        test_cli_runner_class = Mine

    app = MyApp("custom")
    runner = app.test_cli_runner()
    assert type(runner) is Mine
    assert runner.app is app
    assert type(App("plain").test_cli_runner()) is CliRunner


def test_runner_invokes_the_top_group_with_the_app_loaded() -> None:
    app = App("top", static_folder=None)
    app.add_url_rule("/b", "b", str)
    app.add_url_rule("/a", "a", str, methods=["POST"])
    runner = app.test_cli_runner()
    result = runner.invoke(CtxcoreGroup(), ["routes", "--sort", "rule", "--all-methods"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["Endpoint", "Methods", "Rule"]
    assert set(lines[1]) == {"-", " "}
    assert [line.split()[0] for line in lines[2:]] == ["a", "b"]
    assert lines[2].split() == ["a", "OPTIONS,", "POST", "/a"]


def test_routes_without_rules_says_so() -> None:
    result = App("empty", static_folder=None).test_cli_runner().invoke(CtxcoreGroup(), ["routes"])
    assert result.output == "No routes were registered.\n"


def test_routes_show_subdomains_when_used() -> None:
    app = App("subs", subdomain_matching=True, static_folder=None)
    app.add_url_rule("/", "home", str, subdomain="api")
    app.add_url_rule("/x", "x", str)
    result = app.test_cli_runner().invoke(CtxcoreGroup(), ["routes", "-s", "domain"])
    lines = result.output.splitlines()
    assert lines[0].split() == ["Endpoint", "Methods", "Subdomain", "Rule"]
    assert lines[2].split() == ["x", "GET", "/x"]
    assert lines[3].split() == ["home", "GET", "api", "/"]


# Loading the app.


def test_load_target_takes_factories_with_literal_arguments(project: Path) -> None:
    sys.path.insert(0, str(project))
    try:
        app = load_target("factory:create_app('dev', debug=True)")
        assert app.name == "factory-dev"
        assert load_target("factory").name == "factory-prod"  # a create_app factory
        with pytest.raises(NoAppException, match="must be Python literals"):
            load_target("factory:create_app(env)")
        with pytest.raises(NoAppException, match="parse"):
            load_target("factory:create_app(")
        with pytest.raises(NoAppException, match="could not be called"):
            load_target("factory:create_app(1, 2, 3)")
    finally:
        sys.path.remove(str(project))
        for name in ("factory",):
            sys.modules.pop(name, None)


def test_script_info_loads_once_and_honours_create_app() -> None:
    app = App("once")
    calls = []
    info = ScriptInfo(create_app=lambda: calls.append(1) or app)
    assert info.load_app() is app
    assert info.load_app() is app
    assert calls == [1]
    with pytest.raises(NoAppException, match="returned a int"):
        ScriptInfo(create_app=lambda: 3).load_app()


# python -m ctxcore, as a subprocess.


def test_app_command_with_a_dashed_name(project: Path) -> None:
    result = ctxcore(project, "--app", "todo", "init-db", "--drop")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "init-db drop=True app=todo\n"


def test_manager_command_by_either_spelling(project: Path) -> None:
    for name in ("seed_db", "seed-db"):
        result = ctxcore(project, "--app", "todo:app", name, "--count", "5")
        assert result.returncode == 0, result.stderr
        assert result.stdout == "seeded 10 (_AppCtxGlobals)\n"
    via_manager = ctxcore(project, "--app", "todo:manager", "seed_db")
    assert via_manager.stdout == "seeded 6 (_AppCtxGlobals)\n"


def test_factory_called_with_arguments(project: Path) -> None:
    result = ctxcore(project, "--app", "factory:create_app('dev', debug=True)", "whoami")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "factory-dev debug=True\n"
    found = ctxcore(project, "--app", "factory.py", "whoami")  # a path; create_app found
    assert found.stdout == "factory-prod debug=False\n"


def test_blueprint_groups_from_the_command_line(project: Path) -> None:
    promoted = ctxcore(project, "--app", "todo", "admin", "promote", "ada")
    assert promoted.stdout == "promoted ada in todo\n", promoted.stderr
    assert ctxcore(project, "--app", "todo", "clean").stdout == "cleaned\n"


def test_help_lists_every_command(project: Path) -> None:
    result = ctxcore(project, "--app", "todo", "--help")
    assert result.returncode == 0, result.stderr
    listed = result.stdout.split("Commands:")[1].split()
    for name in ("admin", "clean", "init-db", "routes", "run", "seed-db", "serve", "shell"):
        assert name in listed
    assert "Create the tables." in result.stdout
    assert "Insert sample rows." in result.stdout


def test_the_app_is_named_by_the_environment(project: Path) -> None:
    for var in ("CTXCORE_APP", "FLASK_APP"):
        result = ctxcore(project, "init-db", env={var: "todo:app"})
        assert result.stdout == "init-db drop=False app=todo\n", result.stderr
    both = ctxcore(project, "whoami", env={"CTXCORE_APP": "factory", "FLASK_APP": "todo"})
    assert both.stdout == "factory-prod debug=False\n"


def test_routes_from_the_command_line(project: Path) -> None:
    result = ctxcore(project, "--app", "todo", "routes")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["Endpoint", "Methods", "Rule"]
    assert lines[2].split() == ["index", "GET", "/"]
    assert lines[3].split() == ["item", "DELETE,", "GET", "/items/<int:item>"]
    # The app's static route is listed too, as in Flask.
    assert lines[4].split() == ["static", "GET", "/static/<path:filename>"]


def test_shell_reads_piped_stdin_with_the_app_context(project: Path) -> None:
    lines = "print(app.name, current_app.name, type(g._get_current_object()).__name__, answer)\n"
    result = ctxcore(project, "--app", "todo", "shell", stdin=lines)
    assert result.returncode == 0, result.stderr
    # The prompts go to stdout too when stdin is no terminal.
    assert "todo todo _AppCtxGlobals 42\n" in result.stdout
    assert "App: todo" in result.stderr  # the banner


def test_app_run_under_the_command_line_does_not_block(project: Path) -> None:
    (project / "runs.py").write_text(
        "from ctxcore import App\napp = App('runs')\n"
        "@app.cli.command()\ndef hi():\n    print('hi')\napp.run()\n"
    )
    result = ctxcore(project, "--app", "runs", "hi")
    assert result.stdout == "hi\n"
    assert "Ignoring app.run()" in result.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--app", "no_such_module", "routes"], 2, "Could not import 'no_such_module'"),
        (["--app", "raises", "routes"], 2, "ZeroDivisionError: division by zero (raises.py:2)"),
        # Where the app's own code raised, not the standard library frame below it.
        (["--app", "readsjson", "routes"], 2, "line 1 column 2 (char 1) (readsjson.py:3)"),
        (["--app", "jsonfactory", "routes"], 2, "raised JSONDecodeError: Expecting value"),
        (["--app", "jsonfactory", "routes"], 2, "(jsonfactory.py:5)"),
        (["--app", "imports", "routes"], 2, "No module named 'no_such_dependency_xyz'"),
        (["--app", "badfactory", "routes"], 2, "raised KeyError: 'DATABASE_URL'"),
        (["--app", "factory:create_app(1, 2, 3)", "whoami"], 2, "could not be called"),
        (["--app", "nothing", "routes"], 2, "Found no app or factory in module 'nothing'"),
        (["--app", "two", "routes"], 2, "Detected several apps"),
        (["--app", "todo:missing", "routes"], 2, "has no attribute 'missing'"),
        (["--app", "todo:admin", "routes"], 2, "is a Blueprint, not a ctxcore App"),
        (["--app", "todo", "nosuch"], 2, "No such command 'nosuch'"),
        (["--app", "todo", "serve", "--server", "tornado"], 2, "'tornado' is not one of"),
        (["--app", "todo", "run", "--server", "tornado"], 2, "unknown server 'tornado'"),
        (["--app", "todo", "admin", "promote"], 2, "Missing argument 'USER'"),
        (["routes"], 2, "No app to run"),
    ],
)
def test_errors_are_one_line_without_a_traceback(
    project: Path, args: list[str], code: int, message: str
) -> None:
    result = ctxcore(project, *args)
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert message in result.stderr
    assert result.stderr.startswith("Error: ")


def test_no_arguments_shows_the_help(project: Path) -> None:
    result = ctxcore(project, env={"CTXCORE_APP": "todo"})
    assert result.returncode == 2
    assert "Usage: python -m ctxcore" in result.stderr + result.stdout
    assert "init-db" in result.stderr + result.stdout


def test_the_seeded_manager_module_still_works() -> None:
    """tests/engine/apps/managed.py: the seed's Manager commands, options and exit codes."""
    target = "tests.engine.apps.managed:manager"
    hello = ctxcore(ROOT, "--app", target, "hello", "ada", "--greeting", "Hi")
    assert hello.stdout.strip() == "Hi, ada! (_AppCtxGlobals)"
    shout = ctxcore(ROOT, "--app", target, "hello", "ada", "--shout")
    assert shout.stdout.strip() == "HELLO, ADA! (_APPCTXGLOBALS)"
    repeat = ctxcore(ROOT, "--app", target, "repeat", "-n", "x", "-c", "2")
    assert repeat.stdout.split() == ["x", "x"]
    none = ctxcore(ROOT, "--app", target, "repeat", "--count", "0")
    assert none.returncode == 3


def test_a_function_needing_arguments_is_served_as_itself(project: Path) -> None:
    """``module:name`` calls a function only when it takes no arguments: a WSGI function
    (environ, start_response) is the object, and an App-only command says what to do."""
    (project / "wsgifn.py").write_text(
        "def application(environ, start_response):\n"
        "    start_response('200 OK', [])\n"
        "    return [b'ok']\n"
        "def create_app(name):\n"
        "    raise AssertionError('never called without arguments')\n"
    )
    sys.path.insert(0, str(project))
    try:
        target = locate_object("wsgifn", "application")
        assert target.__name__ == "application"
        with pytest.raises(NoAppException, match=r"needs arguments.*wsgifn:create_app\(\.\.\.\)"):
            locate_app("wsgifn", "create_app")
    finally:
        sys.path.remove(str(project))
        sys.modules.pop("wsgifn", None)
