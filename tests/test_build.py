"""setup.py: the C extension is optional, so a machine without a compiler still installs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build_ext(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``setup.py build_ext`` into ``tmp_path`` (the source tree is left alone)."""
    return subprocess.run(
        [
            sys.executable,
            "setup.py",
            "-q",
            "build_ext",
            "--build-lib",
            str(tmp_path / "lib"),
            "--build-temp",
            str(tmp_path / "temp"),
        ],
        cwd=ROOT,
        # The caller's CTXCORE_NO_EXTENSIONS (the pure-Python CI run) must not leak in.
        env={k: v for k, v in os.environ.items() if k != "CTXCORE_NO_EXTENSIONS"} | env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def built(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "lib").rglob("_c.*"))


def test_failed_compile_warns_and_succeeds(tmp_path: Path) -> None:
    """A compiler that fails (here /bin/false) leaves the pure-Python implementation."""
    result = build_ext(tmp_path, CC="/bin/false", LDSHARED="/bin/false")
    assert result.returncode == 0, result.stderr
    assert "could not be built" in result.stderr
    assert built(tmp_path) == []


def test_no_extensions_variable_skips_the_build(tmp_path: Path) -> None:
    result = build_ext(tmp_path, CTXCORE_NO_EXTENSIONS="1")
    assert result.returncode == 0, result.stderr
    assert built(tmp_path) == []
