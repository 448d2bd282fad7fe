"""``python -m tests.fuzz NAME [--seconds N] [--corpus DIR]``: fuzz one harness with atheris.

New inputs that reach new code are written into ``--corpus`` (default: a temporary copy
of ``tests/fuzz/corpus/NAME``, so a run leaves the repository as it was; pass the real
folder to grow it). A failing input is written to ``--artifacts`` and the run exits
non-zero: add it to the corpus (it then replays in tests/fuzz/test_corpus.py) and fix.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

CORPUS = Path(__file__).with_name("corpus")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz")
    parser.add_argument("name")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--artifacts", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()

    import atheris

    with atheris.instrument_imports(include=["ctxcore"]):
        import ctxcore.adapters.asgi
        import ctxcore.adapters.middleware

        import ctxcore.app
        import ctxcore.json
        import ctxcore.json.provider
        import ctxcore.sessions  # noqa: F401
    from tests.fuzz.harnesses import HARNESSES

    target = HARNESSES[args.name]
    corpus = args.corpus
    if corpus is None:
        corpus = Path(tempfile.mkdtemp(prefix=f"ctxcore-fuzz-{args.name}-"))
        shutil.copytree(CORPUS / args.name, corpus, dirs_exist_ok=True)
    options = [
        f"-max_total_time={args.seconds}",
        "-rss_limit_mb=2048",
        "-timeout=10",
        f"-artifact_prefix={args.artifacts}/",
        str(corpus),
    ]
    atheris.Setup([sys.argv[0], *options], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
