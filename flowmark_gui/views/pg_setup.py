"""pyqtgraph settings shared by every view (row-major images, antialiased lines)."""

from __future__ import annotations

import pyqtgraph as pg

_DONE = False


def configure_pyqtgraph() -> None:
    """Set pyqtgraph's global options once (numpy images are row-major, like OpenCV)."""
    global _DONE
    if not _DONE:
        pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
        _DONE = True
