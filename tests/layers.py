"""Read a source tree's import statements with ast, and the layer rules over them.

:func:`find_imports` lists every alias of every import statement of ``ctxcore/`` and
``adapters/`` (installed as ``ctxcore.adapters``), at module level and inside functions,
with relative names made absolute; imports under ``if TYPE_CHECKING:`` are marked, since
they never run. Each rule returns the imports that break it. tests/test_layering.py runs
them over the real source and over small fake trees.
"""

from __future__ import annotations

import ast
import itertools
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

#: Source folder -> the package it installs as.
PACKAGES = {"ctxcore": "ctxcore", "adapters": "ctxcore.adapters"}
STDLIB = frozenset(sys.stdlib_module_names)
#: Third-party modules the core may import, but only inside a function (on first use).
LAZY_ONLY = frozenset({"greenlet", "gevent"})
CORE = "ctxcore.local"
ADAPTERS = "ctxcore.adapters"
MAIN = "ctxcore.__main__"


@dataclass(frozen=True)
class Import:
    """One name bound by an import statement, with relative module names made absolute."""

    importer: str  # the module holding the statement
    where: str  # "path:line", for messages
    statement: str  # this alias of the statement, as written
    module: str  # "import M" -> M; "from M import n" -> M
    name: str | None  # "from M import n" -> n
    target: str  # the module Python imports for it: M.n when that is a module, else M
    lazy: bool  # inside a function: runs when called, not on import
    typing_only: bool  # under "if TYPE_CHECKING:": never runs

    def __str__(self) -> str:
        return f"{self.where}: {self.statement}"


@dataclass(frozen=True)
class Tree:
    """The modules of a source tree: dotted name -> file."""

    root: Path
    modules: Mapping[str, Path]


def scan(root: Path, packages: Mapping[str, str] = PACKAGES) -> Tree:
    modules: dict[str, Path] = {}
    for folder, package in packages.items():
        # A stub without a .py beside it stands for a C extension module (the core's
        # _c): it is a module of the tree, and its stub's imports are checked.
        stubs = [
            path for path in (root / folder).rglob("*.pyi") if not path.with_suffix(".py").exists()
        ]
        for path in sorted([*(root / folder).rglob("*.py"), *stubs]):
            parts = list(path.relative_to(root / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join([package, *parts])] = path
    return Tree(root, modules)


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def top(module: str) -> str:
    return module.partition(".")[0]


def ancestors(module: str) -> list[str]:
    """``a.b.c`` -> ``["a", "a.b"]``: the packages Python imports before the module."""
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _statements(
    nodes: Iterable[ast.AST], lazy: bool, typing_only: bool
) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool, bool]]:
    for node in nodes:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node, lazy, typing_only
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _statements(node.body, lazy, True)
            yield from _statements(node.orelse, lazy, typing_only)
        else:
            in_function = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            yield from _statements(ast.iter_child_nodes(node), lazy or in_function, typing_only)


def _absolute(importer: str, is_package: bool, module: str | None, level: int) -> str:
    if level == 0:
        return module or ""
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, *([module] if module else [])])


def find_imports(tree: Tree) -> list[Import]:
    """Every alias of every import statement in the tree, in file and line order."""
    found: list[Import] = []
    for importer, path in tree.modules.items():
        is_package = path.name == "__init__.py"
        where = path.relative_to(tree.root).as_posix()
        for node, lazy, typing_only in _statements(ast.parse(path.read_text()).body, False, False):
            here = f"{where}:{node.lineno}"
            for alias in node.names:
                rename = f" as {alias.asname}" if alias.asname else ""
                if isinstance(node, ast.Import):
                    module, name, target = alias.name, None, alias.name
                    statement = f"import {alias.name}{rename}"
                else:
                    module = _absolute(importer, is_package, node.module, node.level)
                    name = alias.name
                    target = f"{module}.{name}" if f"{module}.{name}" in tree.modules else module
                    written = "." * node.level + (node.module or "")
                    statement = f"from {written} import {name}{rename}"
                found.append(
                    Import(importer, here, statement, module, name, target, lazy, typing_only)
                )
    return found


def runtime(found: Iterable[Import]) -> list[Import]:
    return [imp for imp in found if not imp.typing_only]


def is_engine(module: str) -> bool:
    return within(module, "ctxcore") and not any(
        within(module, layer) for layer in (CORE, ADAPTERS, MAIN)
    )


# The rules: each returns the imports that break it.


def core_offenders(found: Iterable[Import]) -> list[Import]:
    """The core imports the standard library and itself; greenlet/gevent inside functions."""
    return [
        imp
        for imp in found
        if within(imp.importer, CORE)
        and not within(imp.target, CORE)
        and top(imp.target) not in STDLIB
        and not (top(imp.target) in LAZY_ONLY and imp.lazy)
    ]


def engine_offenders(found: Iterable[Import]) -> list[Import]:
    """The engine never imports adapters or bench, and takes the core's public names only."""
    bad = []
    for imp in found:
        if not is_engine(imp.importer):
            continue
        upward = top(imp.target) in {"bench", "adapters"} or within(imp.target, ADAPTERS)
        private_core = within(imp.target, CORE) and (
            imp.target != CORE or (imp.module == CORE and (imp.name or "").startswith("_"))
        )
        if upward or private_core:
            bad.append(imp)
    return bad


def adapter_offenders(found: Iterable[Import]) -> list[Import]:
    """The adapters import only public names of ctxcore, and never bench."""
    bad = []
    for imp in found:
        if not within(imp.importer, ADAPTERS):
            continue
        if top(imp.target) in {"bench", "adapters"}:
            bad.append(imp)
        elif within(imp.module, "ctxcore") and not within(imp.module, ADAPTERS):
            segments = [*imp.module.split("."), *imp.target.split("."), imp.name or ""]
            if any(segment.startswith("_") for segment in segments):
                bad.append(imp)
    return bad


def adapter_importers(found: Iterable[Import]) -> list[Import]:
    """The imports of the adapters from outside them, in ctxcore/ (core and engine)."""
    return [
        imp
        for imp in found
        if within(imp.importer, "ctxcore")
        and not within(imp.importer, ADAPTERS)
        and (within(imp.target, ADAPTERS) or top(imp.target) == "adapters")
    ]


def import_graph(tree: Tree, found: Iterable[Import]) -> dict[str, dict[str, Import]]:
    """module -> {module it imports: the first statement that does}, over the tree's modules.

    Importing ``a.b.c`` imports ``a`` and ``a.b`` first, so those are edges too -- except
    the importer's own packages: Python imported them before the importer ran, so a
    submodule's ``from . import sibling`` (or ``import pkg``) is no cycle with its
    package's ``__init__``. A submodule that takes a *name* from its package's
    ``__init__`` (``from . import helper``, a function) does depend on that
    ``__init__`` having run, so that edge counts.
    """
    graph: dict[str, dict[str, Import]] = {module: {} for module in tree.modules}
    for imp in found:
        implicit = {*ancestors(imp.importer), imp.importer}
        deps = [package for package in ancestors(imp.target) if package not in implicit]
        takes_a_name = imp.name is not None and imp.target == imp.module
        if imp.target not in implicit or (takes_a_name and imp.target != imp.importer):
            deps.append(imp.target)
        for dep in deps:
            if dep in tree.modules:
                graph[imp.importer].setdefault(dep, imp)
    return graph


def find_cycles(graph: Mapping[str, Mapping[str, object]]) -> list[list[str]]:
    """One shortest cycle per strongly connected component (Tarjan), as ``[a, b, ..., a]``."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_cycle_through(graph, min(c), c) for c in components if len(c) > 1]


def _cycle_through(graph: Mapping[str, Iterable[str]], start: str, members: set[str]) -> list[str]:
    parent: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in sorted(graph[node]):
            if nxt == start:
                chain = [node]
                while chain[-1] != start:
                    chain.append(parent[chain[-1]])
                return [*reversed(chain), start]
            if nxt in members and nxt not in parent:
                parent[nxt] = node
                queue.append(nxt)
    raise AssertionError(f"{start} is on no cycle")  # pragma: no cover - members is an SCC


def describe(offenders: Iterable[Import]) -> str:
    return "\n".join(dict.fromkeys(f"  {imp}" for imp in offenders))


def describe_cycles(graph: Mapping[str, Mapping[str, Import]], cycles: list[list[str]]) -> str:
    lines = []
    for cycle in cycles:
        lines.append("  " + " -> ".join(cycle))
        lines.extend(f"    {graph[a][b]}" for a, b in itertools.pairwise(cycle))
    return "\n".join(lines)
