"""The README's example runs and prints what its comments say."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_example_runs_as_documented() -> None:
    text = README.read_text()
    example = re.search(r"## Example\n\n```python\n(.*?)```", text, re.S)
    assert example is not None, "README has no example block"
    result = subprocess.run(
        [sys.executable, "-c", example.group(1)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["thread sees /from-thread", "['/t0', '/t1', '/t2']"]


def test_readme_names_the_ci_test_command() -> None:
    text = README.read_text()
    marker = text.index("<!-- ci:test -->")
    assert "python -m pytest" in text[marker : marker + 300]


def test_readme_engine_example_runs_as_documented() -> None:
    text = README.read_text()
    example = re.search(r"## The request-context engine\n.*?```python\n(.*?)```", text, re.S)
    assert example is not None, "README has no engine example"
    result = subprocess.run(
        [sys.executable, "-c", example.group(1)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{'hello': 'ada', 'q': '1', 'visits': 1}"
