"""Jitter Lab: a video and any detector's landmark track (or a built-in detector's), the
points over the frames, trajectories, filters side by side with their metrics, A/B, and the
steadied track exported in its own format. `open_jitter_lab(parent)` is the entry point.

Files: `data.py` (the work, no Qt), `state.py`, `controller.py`, `worker.py`, `points.py`
(lasso, colours), `window.py` and `views/`.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from flowmark_gui.jitter_lab.window import JitterLabWindow


def open_jitter_lab(parent: QWidget | None = None) -> JitterLabWindow:
    """Show the parent's Jitter Lab window (made on first use) and return it."""
    lab = parent.findChild(JitterLabWindow) if parent is not None else None
    if lab is None:
        lab = JitterLabWindow(parent)
    lab.show()
    lab.raise_()
    lab.activateWindow()
    return lab


__all__ = ["JitterLabWindow", "open_jitter_lab"]
