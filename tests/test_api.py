"""The public surface: every exported name resolves, is documented and sorted."""

from __future__ import annotations

import importlib
import inspect

import ctxcore


def test_all_is_sorted_and_resolves() -> None:
    assert ctxcore.__all__ == sorted(ctxcore.__all__)
    for name in ctxcore.__all__:
        assert hasattr(ctxcore, name), name


def test_public_names_have_docstrings() -> None:
    for name in ctxcore.__all__:
        obj = getattr(ctxcore, name)
        if type(obj) is ctxcore.LocalProxy:
            continue  # the globals: documented where they are defined
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), name


def test_adapters_install_as_a_subpackage() -> None:
    adapters = importlib.import_module("ctxcore.adapters")
    assert adapters.__name__ == "ctxcore.adapters"


def test_core_imports_only_the_standard_library() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import ctxcore; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'greenlet', 'gevent', 'werkzeug', 'uvloop', 'itsdangerous'}); print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"
