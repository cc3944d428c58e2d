"""The core without Qt: every module imports, and the headless run really blocks Qt."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import flowmark_core


def core_modules() -> list[str]:
    """Every module of the flowmark_core package."""
    found = pkgutil.walk_packages(flowmark_core.__path__, prefix="flowmark_core.")
    return sorted(info.name for info in found)


def test_every_core_module_imports() -> None:
    assert "flowmark_core.animate.pipeline" in core_modules()
    for name in core_modules():
        importlib.import_module(name)


def test_qt_cannot_be_imported_in_the_headless_run(pytestconfig: pytest.Config) -> None:
    from tests.headless import HEADLESS

    if not pytestconfig.stash.get(HEADLESS, False):
        pytest.skip("runs in the headless pass of `make test` (-p tests.headless)")
    for name in ("PySide6", "pyqtgraph", "flowmark_gui"):
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(name)
