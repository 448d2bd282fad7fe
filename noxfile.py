"""nox sessions: the default (fast) test suite on every supported CPython, and the slow group.

``nox`` runs ``tests`` on 3.10, 3.11, 3.12 and 3.13 (each in its own virtualenv, the
project installed editable with its ``test`` extra); ``nox -s tests-3.12`` runs one.
``slow`` runs the slow group (``pytest -m slow``: fuzzing, soak, load, the benchmark's
runs, builds, linters) on 3.11; ``tests_pure`` runs the tests that drive the core through
the engine, the servers and Flask extensions with ``CTXCORE_NO_EXTENSIONS=1``, on the pure-Python
Local/LocalStack/LocalProxy. Arguments after ``--`` go to pytest (``nox -s tests-3.12 --
-m slow``). Interpreters are found on PATH as ``python3.X`` (with pyenv:
``PYENV_VERSION=3.11.7:3.10.13:3.12.1:3.13.0``).

Virtualenvs are made and filled by uv where it is installed (``pip install uv``: seconds
instead of minutes per session), by virtualenv and pip otherwise. CI (``.ci/run``) runs
the README's command (3.11) and every session but ``tests-3.11`` at once, a few at a time.
"""

from __future__ import annotations

import nox

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]

nox.options.sessions = ["tests"]
nox.options.error_on_missing_interpreters = True
nox.options.default_venv_backend = "uv|virtualenv"

# What tests_pure runs: the tests that drive Local/LocalStack/LocalProxy through the
# engine, real servers and real Flask extensions. tests/local is left out: it runs
# every core test on both implementations in every session already (its
# ``implementation`` fixture). So are the example apps (tests/acceptance: the same
# engine and servers, checked against Flask) and what does not depend on which core
# is loaded (the bench's report, the layering, the README).
PURE_PATHS = ["tests/engine", "tests/adapters", "tests/extensions"]


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The test suite, as the README runs it, on one interpreter."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python="3.11")
def slow(session: nox.Session) -> None:
    """The slow group (``pytest -m slow``), once, on the README's interpreter."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", "-m", "slow", *session.posargs)


@nox.session(python="3.11")
def tests_pure(session: nox.Session) -> None:
    """The engine, adapters and Flask extensions' tests on the pure-Python core (the
    fallback without a compiler)."""
    # Set for the install too: the extension is not built, as on a machine without gcc.
    session.env["CTXCORE_NO_EXTENSIONS"] = "1"
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *PURE_PATHS, *session.posargs)
