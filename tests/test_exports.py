"""Every public module lists its names in a sorted ``__all__``, and every name resolves.

Modelled on trio's export test. A public module is ``ctxcore``, ``ctxcore.local``, each
package and each module of ``ctxcore/``, ``ctxcore/json/`` and ``adapters/`` (installed
as ``ctxcore.adapters``) whose name does not start with ``_``.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

import ctxcore

ROOT = Path(__file__).resolve().parents[1]
INIT = ROOT / "ctxcore" / "__init__.py"
#: Source folder -> the package it installs as.
FOLDERS = {
    "ctxcore": "ctxcore",
    "ctxcore/local": "ctxcore.local",
    "ctxcore/json": "ctxcore.json",
    "adapters": "ctxcore.adapters",
}


def public_modules() -> list[str]:
    names = list(FOLDERS.values())
    for folder, package in FOLDERS.items():
        names += [
            f"{package}.{path.stem}"
            for path in (ROOT / folder).glob("*.py")
            if not path.stem.startswith("_")
        ]
    return sorted(names)


PUBLIC = public_modules()


def sort_key(name: str) -> tuple[int, tuple[str | int, ...]]:
    """The order of ruff's RUF022 (the project's linter sorts ``__all__`` so).

    SCREAMING_CASE names first, then CamelCase, then the rest, each in natural order
    (``a2`` before ``a10``). A plain ``sorted()`` would fight ``ruff check --fix``.
    """
    kind = 0 if len(name) > 1 and name.isupper() else 1 if name[:1].isupper() else 2
    return kind, tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name))


def sort_names(names: list[str]) -> list[str]:
    return sorted(names, key=sort_key)


def test_sort_order_is_ruffs() -> None:
    """Pinned from ``ruff check --select RUF022 --fix`` (ruff 0.17.6)."""
    ruff = ["AB", "UNBOUND", "X1", "A", "Ab", "B_x", "Ident", "T", "Zeta", "__version__", "_x"]
    ruff += ["a2", "a10", "aB", "ab", "alpha", "b", "xY", "x_y"]
    assert sort_names(list(reversed(ruff))) == ruff


def exported(module: ModuleType) -> list[str]:
    return list(vars(module).get("__all__", ()))


@pytest.mark.parametrize("name", PUBLIC)
def test_public_module_has_all(name: str) -> None:
    module = importlib.import_module(name)
    assert isinstance(vars(module).get("__all__"), (list, tuple)), f"{name} has no __all__"


@pytest.mark.parametrize("name", PUBLIC)
def test_all_is_sorted_without_duplicates(name: str) -> None:
    names = exported(importlib.import_module(name))
    assert all(isinstance(n, str) for n in names), f"{name}.__all__ holds a non-string"
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert not duplicates, f"{name}.__all__ repeats {duplicates}"
    assert names == sort_names(names), f"{name}.__all__ is not sorted: {names}"


@pytest.mark.parametrize("name", PUBLIC)
def test_every_exported_name_resolves(name: str) -> None:
    module = importlib.import_module(name)
    missing = [n for n in exported(module) if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ lists names it lacks: {missing}"


# ctxcore/__init__.py: the lazy table, the TYPE_CHECKING imports and __all__ agree.


def _is_type_checking(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and (
        (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
        or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
    )


def _absolute(node: ast.ImportFrom) -> str:
    return importlib.util.resolve_name("." * node.level + (node.module or ""), "ctxcore")


def _init_body() -> list[ast.stmt]:
    return ast.parse(INIT.read_text()).body


def lazy_table() -> dict[str, str]:
    """``_LAZY`` as written in the source: name -> absolute module name."""
    for node in _init_body():
        if (
            isinstance(node, ast.Assign)
            and [getattr(t, "id", None) for t in node.targets] == ["_LAZY"]
        ) or (isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "_LAZY"):
            assert node.value is not None
            table: dict[str, str] = ast.literal_eval(node.value)
            return {name: importlib.util.resolve_name(m, "ctxcore") for name, m in table.items()}
    raise AssertionError("ctxcore/__init__.py has no _LAZY table")


def type_checking_imports() -> list[tuple[str, str, str]]:
    """(bound name, absolute module, attribute) of each import under ``if TYPE_CHECKING:``."""
    found = []
    for node in _init_body():
        if _is_type_checking(node):
            assert isinstance(node, ast.If)
            for stmt in node.body:
                assert isinstance(stmt, ast.ImportFrom), ast.unparse(stmt)
                for alias in stmt.names:
                    found.append((alias.asname or alias.name, _absolute(stmt), alias.name))
    return found


def core_names() -> list[str]:
    """The names ctxcore/__init__.py imports from the core at module level."""
    return [
        alias.asname or alias.name
        for node in _init_body()
        if isinstance(node, ast.ImportFrom) and _absolute(node).startswith("ctxcore.local")
        for alias in node.names
    ]


def test_type_checking_imports_repeat_the_lazy_table() -> None:
    """The same names from the same modules (".app" and "ctxcore.app" are one)."""
    table = sorted((name, module, name) for name, module in lazy_table().items())
    assert sorted(type_checking_imports()) == table


def test_all_is_the_core_names_and_the_lazy_names() -> None:
    core, lazy = core_names(), list(lazy_table())
    assert not set(core) & set(lazy), "a name is both imported and lazy"
    assert ctxcore.__all__ == sort_names(core + lazy)


@pytest.mark.parametrize("name", sorted(lazy_table()))
def test_lazy_name_is_the_object_of_its_module(name: str) -> None:
    module = importlib.import_module(lazy_table()[name])
    assert getattr(ctxcore, name) is getattr(module, name)


def test_app_asgi_class_names_the_asgi_adapter() -> None:
    """``App.asgi_class`` is a dotted path, so the engine never imports the adapters."""
    from ctxcore.adapters.asgi import ASGIAdapter
    from werkzeug.utils import import_string

    assert isinstance(ctxcore.App.asgi_class, str)
    assert import_string(ctxcore.App.asgi_class) is ASGIAdapter
