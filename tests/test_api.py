"""The public surface: names are documented and the adapters install under ctxcore.

Sorted, resolvable ``__all__`` lists are checked in tests/test_exports.py, and what
``import ctxcore`` loads in tests/test_layering.py.
"""

from __future__ import annotations

import importlib
import inspect

import ctxcore


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
