"""The instance folder (``ctxcore._instance``): files opened in it, on Flask and on
ctxcore, and where it is by default for an installed package."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from ctxcore._instance import find_instance_path

from .parity import Framework


def test_open_instance_resource_reads_bytes_by_default(fw: Framework, tmp_path: Path) -> None:
    (tmp_path / "data.bin").write_bytes(b"\x00\xff")
    app = fw.App(__name__, instance_path=str(tmp_path))
    with app.open_instance_resource("data.bin") as f:
        assert f.read() == b"\x00\xff"


def test_open_instance_resource_writes_text_in_the_encoding(fw: Framework, tmp_path: Path) -> None:
    app = fw.App(__name__, instance_path=str(tmp_path))
    with app.open_instance_resource("notes.txt", "w", encoding="latin-1") as f:
        f.write("café")
    assert (tmp_path / "notes.txt").read_bytes() == "café".encode("latin-1")
    with app.open_instance_resource("notes.txt", "r", encoding="latin-1") as f:
        assert f.read() == "café"


def test_an_installed_package_gets_a_var_folder_under_the_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site-packages"
    (site / "installedpkg").mkdir(parents=True)
    (site / "installedpkg" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "installedpkg", raising=False)
    __import__("installedpkg")
    try:
        path = find_instance_path("installedpkg.views", str(site / "installedpkg"))
    finally:
        del sys.modules["installedpkg"]
    assert path == os.path.join(sys.prefix, "var", "installedpkg-instance")


def test_a_plain_module_gets_instance_beside_it(tmp_path: Path) -> None:
    assert find_instance_path("not_imported_module", str(tmp_path)) == str(tmp_path / "instance")
