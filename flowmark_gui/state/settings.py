"""Persistent settings (window geometry, recent files) through QSettings.

`FLOWMARK_GUI_SETTINGS=/path/file.ini` redirects them to an INI file, which the tests and
the screenshot script use so that nothing touches the user's own settings.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings

ORGANIZATION = "flowmark"
APPLICATION = "flowmark-gui"
SETTINGS_ENV = "FLOWMARK_GUI_SETTINGS"
RECENT_KEY = "recent/files"
MAX_RECENT = 10


def app_settings() -> QSettings:
    """The app's settings store (an INI file when `FLOWMARK_GUI_SETTINGS` is set)."""
    override = os.environ.get(SETTINGS_ENV)
    if override:
        return QSettings(override, QSettings.Format.IniFormat)
    return QSettings(ORGANIZATION, APPLICATION)


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value]  # type: ignore[union-attr]


def recent_files() -> list[str]:
    """Recently opened files, newest first (only those that still exist)."""
    return [p for p in _as_list(app_settings().value(RECENT_KEY)) if Path(p).exists()]


def add_recent_file(path: str | os.PathLike[str]) -> list[str]:
    """Put `path` first in the recent files; returns the new list."""
    entry = str(Path(path).resolve())
    files = [entry] + [p for p in recent_files() if p != entry]
    files = files[:MAX_RECENT]
    settings = app_settings()
    settings.setValue(RECENT_KEY, files)
    settings.sync()
    return files
