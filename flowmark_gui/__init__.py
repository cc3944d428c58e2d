"""flowmark desktop app: live overlays, trajectory scrubbing, webcam puppeteering, export.

PySide6 + pyqtgraph on top of `flowmark_core`; the UI thread only draws and dispatches,
everything heavy runs in the workers of `flowmark_gui.workers`.
"""
