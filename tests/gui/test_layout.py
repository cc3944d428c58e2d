"""The app's layout: every top-level module or package of `flowmark_gui` has a place in the
layers contract of pyproject.toml, so `lint-imports` checks all of it (a new loose module
would otherwise escape the layers)."""

from __future__ import annotations

import pkgutil
from pathlib import Path

import pytest

import flowmark_gui

ROOT = Path(__file__).resolve().parents[2]


def _app_layers() -> set[str]:
    """The names in the layers contract whose container is `flowmark_gui`."""
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    (layers,) = [
        c["layers"]
        for c in contracts
        if c["type"] == "layers" and c.get("containers") == ["flowmark_gui"]
    ]
    return {
        name.strip().strip("()") for line in layers for name in line.replace(":", "|").split("|")
    }


def test_every_top_level_module_of_the_app_is_in_a_layer() -> None:
    top = {info.name for info in pkgutil.iter_modules(flowmark_gui.__path__)}
    assert top - _app_layers() == set()
    assert _app_layers() - top == set()  # no layer names a module that is gone


def test_only_the_start_up_lives_at_the_top() -> None:
    modules = {info.name for info in pkgutil.iter_modules(flowmark_gui.__path__) if not info.ispkg}
    assert modules == {"__main__", "app", "qt_check"}
