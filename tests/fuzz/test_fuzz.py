"""A bounded coverage-guided run of each harness with atheris (about a minute in all).

In the slow group (``python -m pytest -m slow``; CI runs it once, on 3.11): the default
run replays the corpus only (test_corpus.py). ``CTXCORE_FUZZ_SECONDS`` sets the seconds
per harness (12).

Each run starts from a temporary copy of the corpus, so the repository is left as it
is; a failing input makes the test fail with the input (add it to tests/fuzz/corpus/).
Longer runs: ``python -m tests.fuzz NAME --seconds 600``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fuzz.harnesses import HARNESSES

# atheris ships wheels for CPython 3.11 and later only; on 3.10 the corpus still
# replays (test_corpus.py), and this coverage-guided run happens on the other versions.
pytest.importorskip("atheris", reason="atheris has no build for this Python (3.11+ only)")

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SECONDS = int(os.environ.get("CTXCORE_FUZZ_SECONDS", "12"))


@pytest.mark.parametrize("name", sorted(HARNESSES))
def test_harness_survives_a_bounded_fuzzing_run(name: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            *(sys.executable, "-m", "tests.fuzz", name),
            *("--seconds", str(SECONDS), "--artifacts", str(tmp_path)),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=SECONDS + 120,
        check=False,
    )
    crashes = sorted(tmp_path.glob("crash-*")) + sorted(tmp_path.glob("timeout-*"))
    assert result.returncode == 0, result.stderr[-4000:]
    assert crashes == []
    assert "Done" in result.stderr  # the run ended by its time limit, not early
