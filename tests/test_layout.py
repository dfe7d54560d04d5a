"""Our top-level packages share names with PyPI projects (`channels`, `nlp`, `agent`): make sure
the ones imported are this repository's, and that the tests folders never shadow them."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", ["channels", "nlp", "agent", "store", "web", "parley"])
def test_package_resolves_inside_the_repository(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__file__ is not None
    assert Path(module.__file__).resolve().parent == REPO / name


def test_data_folders_are_not_packages() -> None:
    for folder in ("config", "prompts", "knowledge_base", "demo"):
        assert not (REPO / folder / "__init__.py").exists()
