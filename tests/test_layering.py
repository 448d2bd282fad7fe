"""The layers import only downward (DESIGN.md, "Layers"), checked on the source with ast.

Every import statement of ``ctxcore/`` and ``adapters/`` counts, at module level and inside
functions alike (tests/layers.py reads them). Imports under ``if TYPE_CHECKING:`` never
run: the runtime rules skip them, and one test holds them to public names only. The
tests at the bottom run the rules over small fake trees, showing each rule reports what
it should.
"""

from __future__ import annotations

import functools
import subprocess
import sys
import textwrap
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

from tests.layers import (
    ADAPTERS,
    CORE,
    MAIN,
    STDLIB,
    Import,
    Tree,
    adapter_importers,
    adapter_offenders,
    core_offenders,
    describe,
    describe_cycles,
    engine_offenders,
    find_cycles,
    find_imports,
    import_graph,
    runtime,
    scan,
    top,
    within,
)

ROOT = Path(__file__).resolve().parents[1]


@functools.cache
def source() -> tuple[Tree, tuple[Import, ...]]:
    tree = scan(ROOT)
    return tree, tuple(find_imports(tree))


# The rules on the real source.


def test_walker_sees_the_source() -> None:
    """A guard against a vacuous pass: the walker finds the layers and a lazy import."""
    tree, found = source()
    assert {"ctxcore", CORE, "ctxcore.app", ADAPTERS, MAIN} <= set(tree.modules)
    assert any(imp.importer == CORE and within(imp.target, CORE) for imp in found)
    assert any(imp.importer == MAIN and imp.lazy and within(imp.target, ADAPTERS) for imp in found)


def test_core_imports_only_the_standard_library_and_itself() -> None:
    bad = core_offenders(runtime(source()[1]))
    assert not bad, (
        "ctxcore/local/ may import only the standard library and ctxcore.local "
        "(greenlet and gevent only inside functions):\n" + describe(bad)
    )


def test_engine_imports_no_adapters_no_bench_and_only_the_public_core() -> None:
    bad = engine_offenders(runtime(source()[1]))
    assert not bad, (
        "the engine must not import ctxcore.adapters or bench, and takes the core from "
        "ctxcore.local only (never ctxcore.local._*):\n" + describe(bad)
    )


def test_adapters_import_only_public_names_of_ctxcore() -> None:
    bad = adapter_offenders(runtime(source()[1]))
    assert not bad, (
        "adapters/ may import only public names of ctxcore (no _module, no _name):\n"
        + describe(bad)
    )


def test_type_only_imports_keep_to_public_names_too() -> None:
    """Under TYPE_CHECKING too: mypy would break when a private name moves."""
    typing_only = [imp for imp in source()[1] if imp.typing_only]
    bad = engine_offenders(typing_only) + adapter_offenders(typing_only)
    assert not bad, "TYPE_CHECKING imports across layers must use public names:\n" + describe(bad)


def test_only_main_imports_the_adapters_from_ctxcore() -> None:
    bad = [imp for imp in adapter_importers(source()[1]) if imp.importer != MAIN]
    assert not bad, (
        "only ctxcore/__main__.py (the program on top of the layers) may import "
        "ctxcore.adapters:\n" + describe(bad)
    )


def test_no_runtime_import_cycles() -> None:
    tree, found = source()
    graph = import_graph(tree, runtime(found))
    cycles = find_cycles(graph)
    assert not cycles, "import cycles (module or function level):\n" + describe_cycles(
        graph, cycles
    )


def _newly_loaded(module: str) -> list[str]:
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        f"import {module}\n"
        "print('\\n'.join(sorted(set(sys.modules) - before)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_importing_the_core_loads_only_the_standard_library() -> None:
    loaded = _newly_loaded(CORE)
    assert CORE in loaded
    bad = [m for m in loaded if not (top(m) in STDLIB or within(m, CORE) or m == "ctxcore")]
    assert not bad, f"import ctxcore.local loaded {bad}"


def test_importing_ctxcore_loads_no_engine_module_and_no_third_party() -> None:
    loaded = _newly_loaded("ctxcore")
    bad = [m for m in loaded if not (top(m) in STDLIB or within(m, CORE) or m == "ctxcore")]
    assert not bad, f"import ctxcore loaded {bad} (the engine must load lazily)"


# What gevent's monkey patching replaces: imported before the patch, they keep the
# blocking originals (and objects made from them stay blocking).
PATCHED_BY_GEVENT = ("asyncio", "queue", "select", "selectors", "socket", "ssl", "subprocess")
PATCHED_BY_GEVENT += ("threading", "concurrent.futures")


@pytest.mark.parametrize(
    "module", ["ctxcore", "ctxcore.__main__", "ctxcore.adapters.serve", "ctxcore.adapters.gevent"]
)
def test_what_serve_imports_before_gevent_patches_is_not_patched(module: str) -> None:
    """``python -m ctxcore serve --server gevent`` patches before importing any of them."""
    loaded = _newly_loaded(module)
    early = [m for m in PATCHED_BY_GEVENT if m in loaded]
    assert not early, f"import {module} loads {early} before gevent could patch them"


# The rules on fake trees: each can fail, and reports what broke it.


def make_tree(root: Path, files: Mapping[str, str]) -> Tree:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return scan(root)


FAKE = {
    "ctxcore/__init__.py": "from .local import Local\n",
    "ctxcore/local/__init__.py": "from ._a import Local\n",
    "ctxcore/local/_a.py": """\
        from __future__ import annotations
        import os
        from typing import TYPE_CHECKING
        import werkzeug
        import greenlet
        from ctxcore import app
        from . import _c
        from ._b import helper
        if TYPE_CHECKING:
            import itsdangerous
        else:
            import uvloop
        def spawn():
            import gevent
            from greenlet import getcurrent
        class Local:
            import ctxcore.json
    """,
    "ctxcore/local/_b.py": "from ._a import Local\n\ndef helper(): pass\n",
    # A submodule importing its own package: no cycle with the __init__ that imports it.
    "ctxcore/local/_c.py": "import ctxcore.local\nfrom . import _b\n",
    "ctxcore/app.py": """\
        from typing import TYPE_CHECKING
        import werkzeug.routing
        from . import helpers
        from .local import Local
        from .local import _a
        from .local._b import helper
        from ctxcore.local import _secret
        from ctxcore.adapters import asgi
        from .ctx import AppContext
        if TYPE_CHECKING:
            from .local._a import Local as Typed
        def serve():
            import bench.report
    """,
    "ctxcore/helpers.py": "def app():\n    from .app import App\n",
    # The TYPE_CHECKING import back to app is no cycle.
    "ctxcore/ctx.py": "import typing\nif typing.TYPE_CHECKING:\n    from .app import App\n",
    "ctxcore/json/__init__.py": "from ..local import Local\nfrom ..local._b import helper\n",
    "ctxcore/__main__.py": "def main():\n    from ctxcore.adapters.serve import run\n",
    "adapters/__init__.py": "",
    "adapters/serve.py": "from ctxcore.app import App\n",
    "adapters/asgi.py": """\
        from typing import TYPE_CHECKING
        from ctxcore.local import LocalProxy
        from ctxcore import _flow
        from ctxcore._flow import dispatch
        from ctxcore.local import _b
        from ctxcore.app import _private
        from ctxcore import App
        from .relay import relay
        from ._own import helper
        from . import serve
        import bench
        if TYPE_CHECKING:
            from ctxcore.local._a import Local
    """,
    "adapters/relay.py": "def relay(): pass\n",
    "adapters/_own.py": "def helper(): pass\n",
}


def fake(tmp_path: Path) -> tuple[Tree, list[Import]]:
    tree = make_tree(tmp_path, FAKE)
    return tree, find_imports(tree)


def shown(offenders: Iterable[Import]) -> set[str]:
    return {str(imp) for imp in offenders}


def test_walker_resolves_relative_imports_and_marks_lazy_and_type_only(tmp_path: Path) -> None:
    _, found = fake(tmp_path)
    by_text = {(imp.where, imp.statement): imp for imp in found}
    sibling = by_text["ctxcore/local/_a.py:7", "from . import _c"]
    assert (sibling.module, sibling.target) == (CORE, "ctxcore.local._c")
    name = by_text["ctxcore/local/_b.py:1", "from ._a import Local"]
    assert (name.module, name.target) == ("ctxcore.local._a", "ctxcore.local._a")
    up = by_text["ctxcore/json/__init__.py:2", "from ..local._b import helper"]
    assert up.target == "ctxcore.local._b"
    assert by_text["ctxcore/local/_a.py:14", "import gevent"].lazy
    assert not by_text["ctxcore/local/_a.py:17", "import ctxcore.json"].lazy  # class body
    assert by_text["ctxcore/local/_a.py:10", "import itsdangerous"].typing_only
    assert not by_text["ctxcore/local/_a.py:12", "import uvloop"].typing_only  # the else


def test_core_rule_reports_third_party_eager_greenlet_and_the_engine(tmp_path: Path) -> None:
    _, found = fake(tmp_path)
    assert shown(core_offenders(runtime(found))) == {
        "ctxcore/local/_a.py:4: import werkzeug",
        "ctxcore/local/_a.py:5: import greenlet",
        "ctxcore/local/_a.py:6: from ctxcore import app",
        "ctxcore/local/_a.py:12: import uvloop",
        "ctxcore/local/_a.py:17: import ctxcore.json",
    }


def test_engine_rule_reports_private_core_adapters_and_bench(tmp_path: Path) -> None:
    _, found = fake(tmp_path)
    assert shown(engine_offenders(runtime(found))) == {
        "ctxcore/app.py:5: from .local import _a",
        "ctxcore/app.py:6: from .local._b import helper",
        "ctxcore/app.py:7: from ctxcore.local import _secret",
        "ctxcore/app.py:8: from ctxcore.adapters import asgi",
        "ctxcore/app.py:13: import bench.report",
        "ctxcore/json/__init__.py:2: from ..local._b import helper",
    }


def test_adapter_rule_reports_private_modules_and_names(tmp_path: Path) -> None:
    _, found = fake(tmp_path)
    assert shown(adapter_offenders(runtime(found))) == {
        "adapters/asgi.py:3: from ctxcore import _flow",
        "adapters/asgi.py:4: from ctxcore._flow import dispatch",
        "adapters/asgi.py:5: from ctxcore.local import _b",
        "adapters/asgi.py:6: from ctxcore.app import _private",
        "adapters/asgi.py:11: import bench",
    }


def test_type_only_rule_reports_private_names(tmp_path: Path) -> None:
    _, found = fake(tmp_path)
    typing_only = [imp for imp in found if imp.typing_only]
    assert shown(engine_offenders(typing_only) + adapter_offenders(typing_only)) == {
        "ctxcore/app.py:11: from .local._a import Local as Typed",
        "adapters/asgi.py:13: from ctxcore.local._a import Local",
    }


def test_main_rule_reports_engine_imports_of_the_adapters(tmp_path: Path) -> None:
    _, found = fake(tmp_path)
    importers = adapter_importers(found)
    assert {imp.importer for imp in importers} == {"ctxcore.app", MAIN}


CYCLES = {
    "ctxcore/__init__.py": "from .local import Local\n",
    "ctxcore/local/__init__.py": "from ._a import Local\n",
    "ctxcore/local/_a.py": "from . import _c\nfrom ._b import helper\nLocal = 1\n",
    "ctxcore/local/_b.py": "from ._a import Local\n\ndef helper(): pass\n",
    # A submodule importing its own package: no cycle with the __init__ that imports it.
    "ctxcore/local/_c.py": "import ctxcore.local\nfrom ctxcore import local\n",
    "ctxcore/app.py": "from . import helpers\nfrom .local import Local\nfrom .ctx import Ctx\n",
    "ctxcore/helpers.py": "def app():\n    from .app import App\n",
    # The TYPE_CHECKING import back to app is no cycle.
    "ctxcore/ctx.py": "import typing\nif typing.TYPE_CHECKING:\n    from .app import App\n",
    "adapters/__init__.py": "",
    "adapters/asgi.py": "from ctxcore import App\nfrom . import relay\nfrom .relay import relay\n",
    "adapters/relay.py": "import ctxcore.adapters\n\ndef relay(): pass\n",
}


def test_cycle_rule_reports_real_cycles_only(tmp_path: Path) -> None:
    """a <-> b and a function-level app <-> helpers; not _c -> its own package."""
    tree = make_tree(tmp_path, CYCLES)
    graph = import_graph(tree, runtime(find_imports(tree)))
    assert graph["ctxcore.local._c"] == {}
    assert graph["ctxcore.adapters.relay"] == {}
    assert list(graph["ctxcore.ctx"]) == []
    assert sorted(graph["ctxcore.adapters.asgi"]) == ["ctxcore", "ctxcore.adapters.relay"]
    cycles = find_cycles(graph)
    assert sorted(cycles) == [
        ["ctxcore.app", "ctxcore.helpers", "ctxcore.app"],
        ["ctxcore.local._a", "ctxcore.local._b", "ctxcore.local._a"],
    ]
    assert "ctxcore/helpers.py:2: from .app import App" in describe_cycles(graph, cycles)


def test_cycle_rule_counts_a_name_taken_from_the_package_init(tmp_path: Path) -> None:
    """_x takes a function from the __init__ that imports _x: a cycle on import order."""
    files = {
        "ctxcore/__init__.py": "",
        "ctxcore/local/__init__.py": "from ._x import X\ndef helper(): pass\n",
        "ctxcore/local/_x.py": "from . import helper\nX = 1\n",
        "adapters/__init__.py": "",
    }
    tree = make_tree(tmp_path, files)
    graph = import_graph(tree, find_imports(tree))
    assert find_cycles(graph) == [[CORE, "ctxcore.local._x", CORE]]


def test_cycle_rule_follows_the_packages_a_deep_import_runs(tmp_path: Path) -> None:
    """Importing pkg.sub runs pkg/__init__ first: an edge to it, even for a sibling layer."""
    files = {
        "ctxcore/__init__.py": "",
        "ctxcore/local/__init__.py": "from ctxcore.app import App\n",
        "ctxcore/local/_x.py": "",
        "ctxcore/app.py": "from ctxcore.local._x import X\n",
        "adapters/__init__.py": "",
    }
    tree = make_tree(tmp_path, files)
    graph = import_graph(tree, find_imports(tree))
    assert find_cycles(graph) == [["ctxcore.app", CORE, "ctxcore.app"]]
