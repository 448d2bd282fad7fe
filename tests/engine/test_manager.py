"""``ctxcore.cli.Manager``: a flask-script manage.py runs as written.

In-process tests call ``manager.handle("manage.py", args)`` (the exit code, output on
capsys). The README's manage.py and the servers run as real processes: ``python
manage.py ...`` in a temporary folder; ``runserver`` listens on a free loopback port,
answers real requests, and the test stops its whole process group.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import pytest

from ctxcore import App, current_app, g, request
from ctxcore.cli import (
    Command,
    InvalidCommand,
    Manager,
    Option,
    Server,
    prompt,
    prompt_bool,
    prompt_choices,
)
from tests.adapters.servers import free_port, raw_get, stop, wait_for_port

README = Path(__file__).resolve().parents[2] / "README.md"

STATE = """
import os, sys, threading
from ctxcore import App, jsonify
from ctxcore.cli import Manager

app = App("state")
app.debug = os.environ.get("STATE_DEBUG") == "1"


@app.route("/state")
def state():
    monkey = sys.modules.get("gevent.monkey")
    return jsonify(
        debug=app.debug,
        pid=os.getpid(),
        thread=threading.current_thread().name,
        reloader=os.environ.get("WERKZEUG_RUN_MAIN"),
        gevent=bool(monkey and monkey.is_module_patched("socket")),
    )


@app.route("/boom")
def boom():
    raise KeyError("boom")


manager = Manager(app)

if __name__ == "__main__":
    manager.run()
"""


def readme_manage_py() -> str:
    text = README.read_text()
    found = re.search(r"### A seed's manage\.py.*?```python\n(.*?)```", text, re.S)
    assert found is not None, "README has no manage.py example"
    return found.group(1)


def clean_env(**extra: str) -> dict[str, str]:
    # Another test's in-process `python -m ctxcore` group may have set these here.
    drop = ("CTXCORE_RUN_FROM_CLI", "CTXCORE_APP", "FLASK_APP", "CTXCORE_DEBUG", "FLASK_DEBUG")
    return {**{k: v for k, v in os.environ.items() if k not in drop}, **extra}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "manage.py").write_text(readme_manage_py())
    (tmp_path / "state.py").write_text(STATE)
    return tmp_path


def script(
    folder: Path, name: str, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, name, *args],
        cwd=folder,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=clean_env(),
    )


@contextmanager
def serving(
    folder: Path, name: str, *args: str, **env: str
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """``python NAME runserver -p PORT ARGS`` on a free port until the block ends."""
    port = free_port()
    log = folder / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, name, "runserver", "-p", str(port), *args],
            cwd=folder,
            env=clean_env(**env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_port(port, proc, log)
        yield port, proc
    finally:
        stop(proc)


def state(port: int) -> dict[str, object]:
    status, body = raw_get(port, "/state")
    assert status == 200, body
    data: dict[str, object] = json.loads(body)
    return data


def run(manager: Manager, *args: str) -> int:
    return manager.handle("/somewhere/manage.py", args)


# The README's manage.py, as a process.


def test_readme_manage_py_runs_its_commands(folder: Path) -> None:
    expected = {
        ("custom", "123"): "custom 123\n",
        ("cmd", "-n", "ada", "-u", "http://x"): "hello ada at http://x\n",
        ("hello", "-w", "ada"): "hello ada\n",
        ("db", "upgrade", "-r", "42"): "upgraded to 42\n",
    }
    for args, output in expected.items():
        result = script(folder, "manage.py", *args)
        assert (result.returncode, result.stdout) == (0, output), result.stderr


def test_readme_manage_py_help_names_the_script(folder: Path) -> None:
    for flag in ("--help", "-?"):
        result = script(folder, "manage.py", flag)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("Usage: manage.py [OPTIONS] COMMAND [ARGS]...")
        listed = result.stdout.split("Commands:")[1].split()
        for name in ("cmd", "custom", "db", "hello", "routes", "runserver", "shell"):
            assert name in listed
    sub = script(folder, "manage.py", "db", "--help")
    assert sub.stdout.startswith("Usage: manage.py db [OPTIONS] COMMAND [ARGS]...")
    assert "Database commands" in sub.stdout


def test_readme_manage_py_runserver_answers(folder: Path) -> None:
    with serving(folder, "manage.py", "-h", "127.0.0.1") as (port, _):
        status, body = raw_get(port, "/")
    assert (status, body) == (200, b"served by manage.py")


# runserver: flask-script's options reach werkzeug's server.


def test_runserver_threads_without_debug_by_default(folder: Path) -> None:
    with serving(folder, "state.py") as (port, _):
        seen = state(port)
        status, body = raw_get(port, "/boom")
    assert seen["debug"] is False
    assert seen["reloader"] is None
    assert seen["thread"] != "MainThread"
    assert status == 500
    assert b"Werkzeug Debugger" not in body


def test_runserver_debug_runs_the_debugger_and_the_reloader(folder: Path) -> None:
    with serving(folder, "state.py", "-d") as (port, _):
        seen = state(port)
        status, body = raw_get(port, "/boom")
    assert seen["debug"] is True
    assert seen["reloader"] == "true"  # the reloader's child serves
    assert status == 500
    assert b"Werkzeug Debugger" in body


def test_runserver_no_reload_keeps_debug_without_the_reloader(folder: Path) -> None:
    with serving(folder, "state.py", "-d", "-R") as (port, _):
        seen = state(port)
    assert seen["debug"] is True
    assert seen["reloader"] is None


def test_runserver_reload_without_debug(folder: Path) -> None:
    with serving(folder, "state.py", "-r") as (port, _):
        seen = state(port)
    assert seen["debug"] is False
    assert seen["reloader"] == "true"


def test_runserver_no_debug_turns_the_apps_debug_off(folder: Path) -> None:
    with serving(folder, "state.py", "-D", STATE_DEBUG="1") as (port, _):
        seen = state(port)
    assert seen["debug"] is False
    assert seen["reloader"] is None


def test_runserver_processes_fork_a_process_per_request(folder: Path) -> None:
    with serving(folder, "state.py", "--processes", "2") as (port, proc):
        first, second = state(port), state(port)
    assert first["thread"] == second["thread"] == "MainThread"
    assert len({first["pid"], second["pid"], proc.pid}) == 3


@pytest.mark.parametrize("server", ["gunicorn", "gevent", "uvicorn", "hypercorn"])
def test_runserver_server_serves_through_the_server_adapters(folder: Path, server: str) -> None:
    """``--server NAME`` re-runs the script under ``python -m ctxcore --script``: the same
    process (an exec), gevent patched first."""
    with serving(folder, "state.py", "--server", server) as (port, proc):
        seen = state(port)
        command = Path(f"/proc/{proc.pid}/cmdline").read_bytes().split(b"\0")
    assert command[1:4] == [b"-m", b"ctxcore", b"--script"]
    assert seen["gevent"] is (server == "gevent")
    if server != "gunicorn":  # gunicorn's workers are forked
        assert seen["pid"] == proc.pid


# Errors: one line on stderr, naming the script.


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("nosuch",), 2, "No such command 'nosuch'. Try 'manage.py --help'."),
        (("custom",), 2, "Missing argument 'ARG'."),
        (("runserver", "-p", "x"), 2, "'x' is not a valid integer"),
        (("runserver", "--processes", "2", "--threaded"), 2, "multi-thread and multi-process"),
        (("runserver", "--ssl-crt", "c.pem"), 2, "--ssl-crt and --ssl-key go together."),
        (("runserver", "--server", "tornado"), 2, "unknown server 'tornado'"),
        (("runserver", "--server", "uvicorn", "--processes", "2"), 2, "in one process"),
    ],
)
def test_errors_are_one_line(folder: Path, args: tuple[str, ...], code: int, message: str) -> None:
    result = script(folder, "manage.py", *args)
    assert result.returncode == code, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("Error: ")
    assert message in result.stderr


def test_a_script_that_is_no_file_is_one_line(folder: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ctxcore", "--script", "missing.py", "runserver"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=clean_env(),
    )
    assert result.returncode == 2
    assert result.stderr == "Error: --script needs the script to run: 'missing.py' is not a file.\n"


def test_shell_reads_piped_stdin_with_the_scripts_names(folder: Path) -> None:
    path = folder / "manage.py"
    names = '@manager.shell\ndef names():\n    return {"answer": 42}\n\n\n'
    main = 'if __name__ == "__main__":'
    path.write_text(path.read_text().replace(main, names + main))
    lines = "print(app.name, current_app.name, type(g._get_current_object()).__name__, answer)\n"
    result = script(folder, "manage.py", "shell", "--no-ipython", stdin=lines)
    assert result.returncode == 0, result.stderr
    assert "__main__ __main__ _AppCtxGlobals 42\n" in result.stdout
    assert "App: __main__" in result.stderr  # the banner


# Commands, in process.


def test_handle_returns_the_commands_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    manager = Manager(App("codes"))

    @manager.command
    def fail(code: int) -> int:
        return code

    assert run(manager, "fail", "4") == 4
    assert run(manager, "fail", "0") == 0
    assert run(manager, "nope") == 2
    assert capsys.readouterr().err == ("Error: No such command 'nope'. Try 'manage.py --help'.\n")


def test_run_exits_with_the_status_and_takes_a_default_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    manager = Manager(App("exits"))

    @manager.command
    def hi(who: str = "you") -> int:
        print(f"hi {who}")
        return 3

    monkeypatch.setattr(sys, "argv", ["manage.py"])
    with pytest.raises(SystemExit) as exc:
        manager.run(default_command="hi")
    assert (exc.value.code, capsys.readouterr().out) == (3, "hi you\n")
    monkeypatch.setattr(sys, "argv", ["manage.py", "extra", "-w", "me"])
    with pytest.raises(SystemExit):
        manager.run(commands={"extra": Command(hi)})
    assert capsys.readouterr().out == "hi me\n"


def test_manager_needs_an_app_a_factory_or_nothing() -> None:
    with pytest.raises(TypeError, match=r"needs a ctxcore\.App, a factory"):
        Manager(object())  # type: ignore[arg-type]
    Manager()  # a sub-manager
    Manager(lambda: App("made"))


def test_commands_run_in_a_test_request_context(capsys: pytest.CaptureFixture[str]) -> None:
    manager = Manager(App("ctx"))

    @manager.command
    def where() -> None:
        print(current_app.name, request.path, type(g._get_current_object()).__name__)

    assert run(manager, "where") == 0
    assert capsys.readouterr().out == "ctx / _AppCtxGlobals\n"


def test_a_command_gets_short_flags_unless_taken(capsys: pytest.CaptureFixture[str]) -> None:
    manager = Manager(App("short"))

    @manager.option("-n", "--number", dest="number", type=int, default=1)
    def greet(number: int, name: str = "x", nick: str = "y", verbose: bool = False) -> None:
        print(number, name, nick, verbose)

    assert run(manager, "greet", "-n", "2", "--name", "a", "--nick", "b", "-v") == 0
    assert capsys.readouterr().out == "2 a b True\n"
    assert run(manager, "greet", "-v", "-N", "c") == 2  # no -N: only first letters


def test_stacked_options_are_declared_lowest_first(capsys: pytest.CaptureFixture[str]) -> None:
    """As in flask-script: positionals in the order the decorators apply (bottom up)."""
    manager = Manager(App("order"))

    @manager.option("dst")
    @manager.option("src")
    def copy(src: str, dst: str) -> None:
        print(f"{src} -> {dst}")

    assert run(manager, "copy", "a", "b") == 0
    assert capsys.readouterr().out == "a -> b\n"


def test_option_translates_argparse_declarations(capsys: pytest.CaptureFixture[str]) -> None:
    manager = Manager(App("argparse"))

    @manager.option("-v", "--verbose", action="count")
    @manager.option("--tag", action="append", dest="tags")
    @manager.option("--color", choices=["red", "blue"], default="red")
    @manager.option("--dry-run", action="store_true")
    @manager.option("--level", action="store_const", const=9)
    @manager.option("path")
    def deploy(
        path: str, level: int | None, dry_run: bool, color: str, tags: tuple[str, ...], verbose: int
    ) -> None:
        print(path, level, dry_run, color, list(tags), verbose)

    args = ["deploy", "/srv", "--dry-run", "--tag", "a", "--tag", "b", "-vv", "--level"]
    assert run(manager, *args) == 0
    assert capsys.readouterr().out == "/srv 9 True red ['a', 'b'] 2\n"
    assert run(manager, "deploy", "/srv", "--color", "green") == 2
    with pytest.raises(TypeError, match="unsupported argparse"):
        manager.option("--x", const=1)(deploy)
    assert run(manager, "deploy", "/srv") == 0  # the refused option was not kept


def test_a_store_true_and_store_false_pair_is_one_flag(capsys: pytest.CaptureFixture[str]) -> None:
    manager = Manager(App("pair"))

    @manager.option("-q", "--quiet", action="store_false", dest="loud")
    @manager.option("-l", "--loud", action="store_true", dest="loud", default=None)
    def say(loud: bool | None) -> None:
        print(loud)

    for args, shown in (((), "None"), (("-l",), "True"), (("-q",), "False")):
        assert run(manager, "say", *args) == 0
        assert capsys.readouterr().out == f"{shown}\n"

    class Clash(Command):
        option_list = (Option("-a", dest="x"), Option("-b", dest="x"))

    with pytest.raises(TypeError, match="share dest='x'"):
        Manager(App("clash")).add_command("bad", Clash())


def test_add_command_takes_a_command_with_option_list_and_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    class Hello(Command):
        """Say hello."""

        option_list = (Option("-w", "--who", dest="who", default="world"),)

        def run(self, who: str) -> None:  # type: ignore[override]
            print(f"hello {who} from {request.path}")

    manager = Manager(App("classes"))
    manager.add_command("hello", Hello())
    assert run(manager, "hello", "-w", "ada") == 0
    assert capsys.readouterr().out == "hello ada from /\n"


def test_add_command_names_a_class_after_it_and_calls_get_options(
    capsys: pytest.CaptureFixture[str],
) -> None:
    class PrintCommand(Command):
        def __init__(self, default: str = "x") -> None:
            super().__init__()
            self.default = default

        def get_options(self) -> list[Option]:
            return [Option("text", nargs="?", default="x")]

        def run(self, text: str) -> None:  # type: ignore[override]
            print(text)

    manager = Manager(App("named"))
    manager.add_command(PrintCommand)  # a class: made, named "print"
    assert run(manager, "print", "hi") == 0
    assert run(manager, "print") == 0
    assert capsys.readouterr().out == "hi\nx\n"


def test_a_click_command_can_be_added(capsys: pytest.CaptureFixture[str]) -> None:
    @click.command()
    @click.option("--n", type=int, default=1)
    def twice(n: int) -> None:
        click.echo(n * 2)

    manager = Manager(App("click"))
    manager.add_command("twice", twice)
    assert run(manager, "twice", "--n", "21") == 0
    assert capsys.readouterr().out == "42\n"


def test_sub_manager_commands_run_under_its_name(capsys: pytest.CaptureFixture[str]) -> None:
    manager = Manager(App("parent"))
    db = Manager(usage="Database commands")
    manager.add_command("db", db)

    @db.command  # added after the sub-manager was: still found
    def upgrade(revision: str = "head") -> None:
        print(f"{current_app.name} upgraded to {revision}")

    assert run(manager, "db", "upgrade", "-r", "42") == 0
    assert capsys.readouterr().out == "parent upgraded to 42\n"
    assert run(manager, "db", "shell") == 2  # the defaults are the top manager's only


def test_sub_manager_options_go_to_its_call(capsys: pytest.CaptureFixture[str]) -> None:
    class Database(Manager):
        def __call__(self, app: App | None = None, **options: object) -> App:
            found = super().__call__(app)
            found.config["DB_URL"] = options["url"]
            return found

    manager = Manager(App("opts"))
    db = Database()
    db.add_option("--url", dest="url", default="sqlite://")

    @db.command
    def show() -> None:
        print(current_app.config["DB_URL"])

    manager.add_command("db", db)
    assert run(manager, "db", "--url", "postgres://x", "show") == 0
    assert run(manager, "db", "show") == 0
    assert capsys.readouterr().out == "postgres://x\nsqlite://\n"


def test_namespace_puts_a_command_in_a_sub_manager(capsys: pytest.CaptureFixture[str]) -> None:
    manager = Manager(App("spaces"))
    manager.add_command("list", Command(lambda: print("listed")), namespace="users")
    assert run(manager, "users", "list") == 0
    assert capsys.readouterr().out == "listed\n"


def test_a_factory_manager_builds_its_app_with_its_options(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def create_app(config: str | None = None) -> App:
        app = App("made")
        app.config["WHICH"] = config
        return app

    manager = Manager(create_app)
    manager.add_option("-c", "--config", dest="config", required=False)

    @manager.command
    def which() -> None:
        print(current_app.name, current_app.config["WHICH"])

    assert run(manager, "-c", "dev.cfg", "which") == 0
    assert run(manager, "which") == 0
    assert capsys.readouterr().out == "made dev.cfg\nmade None\n"


def test_a_failing_factory_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    def create_app() -> App:
        raise KeyError("DATABASE_URL")

    manager = Manager(create_app)
    manager.add_command("noop", Command(lambda: None))
    assert run(manager, "noop") == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: The factory ")
    assert "raised KeyError: 'DATABASE_URL'" in err
    assert len(err.splitlines()) == 1


def test_capture_all_args_hands_run_the_rest(capsys: pytest.CaptureFixture[str]) -> None:
    class Passthrough(Command):
        capture_all_args = True
        option_list = (Option("--dry", action="store_true", dest="dry"),)

        def run(self, rest: list[str], dry: bool) -> None:  # type: ignore[override]
            print(rest, dry)

    manager = Manager(App("rest"))
    manager.add_command("alembic", Passthrough())
    assert run(manager, "alembic", "--dry", "upgrade", "--sql", "head") == 0
    assert capsys.readouterr().out == "['upgrade', '--sql', 'head'] True\n"


def test_invalid_command_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    manager = Manager(App("invalid"))

    @manager.command
    def check(value: int) -> None:
        if value < 0:
            raise InvalidCommand(f"value must be >= 0, not {value}")

    assert run(manager, "check", "--", "-1") == 1
    assert capsys.readouterr().err == "Error: value must be >= 0, not -1\n"


def test_help_is_question_mark_or_help_and_h_is_the_host(
    capsys: pytest.CaptureFixture[str],
) -> None:
    manager = Manager(App("helps"))
    for args in (("-?",), ("--help",), ("runserver", "-?")):
        assert run(manager, *args) == 0
    out = capsys.readouterr().out
    assert out.count("Usage: manage.py [OPTIONS] COMMAND [ARGS]...") == 2
    assert "Usage: manage.py runserver [OPTIONS]" in out
    assert "-h, --host TEXT" in out
    assert "-d, --debug / -D, --no-debug" in out
    assert "-r, --reload / -R, --no-reload" in out


def test_the_scripts_own_commands_win_over_the_defaults(
    capsys: pytest.CaptureFixture[str],
) -> None:
    manager = Manager(App("own"))

    @manager.command
    def runserver() -> None:
        print("custom runserver")

    assert run(manager, "runserver") == 0
    assert capsys.readouterr().out == "custom runserver\n"
    bare = Manager(App("bare"), with_default_commands=False)
    assert run(bare, "shell") == 2


def test_a_server_subclass_serves_through_its_call(capsys: pytest.CaptureFixture[str]) -> None:
    """A manage.py's own ``Server`` subclass (overriding ``__call__``) is the runserver;
    in process, with no script to hand off to, another server is a one-line error."""
    calls = []

    class Recording(Server):
        def __call__(self, app: App, *args: object, **kwargs: object) -> None:  # type: ignore[override]
            calls.append(kwargs["host"])
            super().__call__(app, *args, **kwargs)  # type: ignore[arg-type]

    manager = Manager(App("served"))
    manager.add_command("runserver", Recording(host="10.0.0.1"))
    assert run(manager, "runserver", "--server", "uvicorn") == 2
    assert calls == ["10.0.0.1"]
    assert capsys.readouterr().err == (
        "Error: --server uvicorn needs the server adapters: run the script as 'python -m "
        "ctxcore --script manage.py ...'. Try 'manage.py runserver --help'.\n"
    )


def test_manager_commands_are_in_app_cli_too() -> None:
    app = App("both")
    manager = Manager(app)
    db = Manager()
    manager.add_command("db", db)

    @db.command
    def upgrade() -> None:
        click.echo(f"upgraded {current_app.name}")

    @manager.command
    def seed_db() -> None:
        click.echo("seeded")

    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).output == "upgraded both\n"
    assert runner.invoke(args=["seed-db"]).output == "seeded\n"
    assert sorted(app.cli.commands) == ["db", "seed-db"]  # no shell or runserver


# flask-script's prompts.


def test_prompts_ask_until_answered(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("\nada\nmaybe\nYES\n\nred\n"))
    assert prompt("Name") == "ada"  # an empty answer without a default asks again
    assert prompt_bool("Sure?") is True  # "maybe" asks again
    assert prompt_bool("Again?", default=True) is True  # empty: the default
    assert prompt_choices("Color", ["red", ("b", "blue")]) == "red"
    out = capsys.readouterr().out
    assert out.startswith("Name: Name: Sure? [n] Sure? [n] ")
    assert "Color - (red, blue [b]): " in out
