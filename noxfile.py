"""nox sessions: the default (fast) test suite on every supported CPython.

``nox`` runs ``tests`` on 3.10, 3.11, 3.12 and 3.13 (each in its own virtualenv, the
project installed editable with its ``test`` extra); ``nox -s tests-3.12`` runs one.
CI (``.ci/run``) runs the README's command (3.11), the slow group once (``python -m
pytest -m slow`` on 3.11: fuzzing, soak, load, the benchmark's runs, builds, linters),
then the sessions here: ``tests`` on the other versions and ``tests_pure``, the suite
once more on 3.11 with ``CTXCORE_NO_EXTENSIONS=1``, so the engine and adapters also run
on the pure-Python Local/LocalStack/LocalProxy. Arguments after ``--`` go to pytest
(``nox -s tests-3.12 -- -m slow``). Interpreters are found on PATH as ``python3.X``
(with pyenv: ``PYENV_VERSION=3.11.7:3.10.13:3.12.1:3.13.0``).
"""

from __future__ import annotations

import nox

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]

nox.options.sessions = ["tests"]
nox.options.error_on_missing_interpreters = True


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The test suite, as the README runs it, on one interpreter."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python="3.11")
def tests_pure(session: nox.Session) -> None:
    """The test suite on the pure-Python implementation (the fallback without a compiler)."""
    # Set for the install too: the extension is not built, as on a machine without gcc.
    session.env["CTXCORE_NO_EXTENSIONS"] = "1"
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)
