"""Rerun the concurrency tests in a process patched by gevent.monkey.patch_all()."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def test_backend_suites_pass_under_gevent_monkey_patching(impl: ModuleType) -> None:
    """Local/LocalStack isolation, inheritance and cleanup hold with threads patched."""
    implementation = impl.__name__.rpartition("._")[2]
    env = {
        **os.environ,
        "CTXCORE_TEST_GEVENT_MONKEY": "1",
        "CTXCORE_TEST_IMPLEMENTATION": implementation,
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-v",
            "-p",
            "no:cacheprovider",
            "tests/local/test_local.py",
            "tests/local/test_stack.py",
            "tests/local/gevent_monkey_checks.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "gevent-monkey" in result.stdout, "the backend tests did not run patched"
    passed = f"test_thread_ident_means_the_os_thread_even_when_patched[{implementation}] PASSED"
    assert passed in result.stdout
