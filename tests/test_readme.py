"""The README's example runs and prints what its comments say."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def run_block(heading_pattern: str) -> list[str]:
    """Run the first python block after a README heading; return its output lines."""
    example = re.search(heading_pattern + r".*?```python\n(.*?)```", README.read_text(), re.S)
    assert example is not None, f"README has no python block after {heading_pattern!r}"
    result = subprocess.run(
        [sys.executable, "-c", example.group(1)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_readme_example_runs_as_documented() -> None:
    lines = run_block(r"## Example\n")
    assert lines == ["thread sees /from-thread", "['/t0', '/t1', '/t2']"]


def test_readme_names_the_ci_test_command() -> None:
    text = README.read_text()
    marker = text.index("<!-- ci:test -->")
    assert "python -m pytest" in text[marker : marker + 300]


def test_readme_engine_example_runs_as_documented() -> None:
    lines = run_block(r"## The request-context engine\n")
    assert lines == ["{'hello': 'ada', 'q': '1', 'visits': 1}"]


def test_readme_flask_extensions_example_runs_as_documented() -> None:
    lines = run_block(r"### Using Flask extensions\n")
    assert lines == ["401 {'user': 'ada'} {'me': 'ada'}"]
