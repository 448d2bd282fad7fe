"""Every input of the fuzz corpus (seeds and past crashes) replays through its harness."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.harnesses import HARNESSES

CORPUS = Path(__file__).with_name("corpus")
INPUTS = sorted(path for path in CORPUS.glob("*/*") if path.is_file())


def test_every_harness_has_a_corpus() -> None:
    assert {path.parent.name for path in INPUTS} == set(HARNESSES)


@pytest.mark.parametrize("path", INPUTS, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_corpus_input_holds_its_property(path: Path) -> None:
    HARNESSES[path.parent.name](path.read_bytes())
