"""A pytest plugin that makes Qt unimportable, so the core's tests run as on a headless server.

`make test` runs part of `tests/core` once more with `-p tests.headless -p no:pytest-qt`:
importing PySide6, shiboken6, pyqtgraph or the app (`flowmark_gui`) then raises
ModuleNotFoundError, as it would where they are not installed. The import contracts
(`make lint`) check the imports written in the code; this checks the ones made at run time.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType

import pytest

BLOCKED = ("PySide6", "shiboken6", "pyqtgraph", "flowmark_gui")


def blocked(name: str) -> bool:
    """Whether `name` is one of the blocked packages or inside one."""
    return name.split(".")[0] in BLOCKED


class QtBlocker(MetaPathFinder):
    """Finds the blocked packages first, and refuses them."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        if blocked(fullname):
            raise ModuleNotFoundError(f"No module named {fullname!r} (headless run)", name=fullname)
        return None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("qt_api", "pytest-qt's option, unused here (pytest-qt is off)")


def pytest_configure(config: pytest.Config) -> None:
    loaded = sorted(name for name in sys.modules if blocked(name))
    if loaded:
        raise pytest.UsageError(f"headless run: {loaded[0]} was imported before the blocker")
    sys.meta_path.insert(0, QtBlocker())
    config.stash[HEADLESS] = True


HEADLESS = pytest.StashKey[bool]()
"""Set in the config's stash when this plugin is active."""
