"""``python -m ctxcore``: built-in and user commands, run as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def ctxcore(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ctxcore", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_routes_lists_the_url_map() -> None:
    result = ctxcore("--app", "tests.engine.apps.managed:app", "routes")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["Endpoint", "Methods", "Rule"]
    assert lines[1].split() == ["index", "GET", "/"]
    # The app's static route is listed too, as in Flask.
    assert lines[2].split() == ["static", "GET", "/static/<path:filename>"]
    assert lines[3].split() == ["user", "GET,", "POST", "/users/<int:uid>"]


def test_user_command_arguments_from_the_signature() -> None:
    result = ctxcore("--app=tests.engine.apps.managed:manager", "hello", "ada", "--greeting", "Hi")
    assert result.stdout.strip() == "Hi, ada! (_AppCtxGlobals)"
    shout = ctxcore("--app", "tests.engine.apps.managed:manager", "hello", "ada", "--shout")
    assert shout.stdout.strip() == "HELLO, ADA! (_APPCTXGLOBALS)"


def test_option_declared_command_and_exit_code() -> None:
    result = ctxcore("--app", "tests.engine.apps.managed:manager", "repeat", "-n", "x", "-c", "2")
    assert result.stdout.split() == ["x", "x"]
    none = ctxcore("--app", "tests.engine.apps.managed:manager", "repeat", "--count", "0")
    assert none.returncode == 3


def test_shell_runs_with_the_app_context() -> None:
    shell = ctxcore(
        "shell",
        stdin="print('app is', app.name, g.__class__.__name__)\n",
        env={"CTXCORE_APP": "tests.engine.apps.managed"},
    )
    assert shell.returncode == 0, shell.stderr
    assert "app is managed _AppCtxGlobals" in shell.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "usage: python -m ctxcore --app"),
        (["--app", "no_such_module:app", "routes"], "cannot load"),
        (["--app", "tests.engine.apps.managed:missing", "routes"], "cannot load"),
        (["--app", "tests.engine.apps.managed:hello", "routes"], "not a ctxcore App or Manager"),
        (["--app", "tests.engine.apps.managed:app", "nosuch"], "invalid choice"),
        (["--app", "tests.engine.apps.managed:manager", "hello"], "required: name"),
    ],
)
def test_bad_invocations_fail_with_usage_errors(args: list[str], message: str) -> None:
    result = ctxcore(*args)
    assert result.returncode == 2
    assert message in result.stderr
