"""Widgets: image panes with overlays, trajectory plot, timeline, controls, camera panel.

Each view reads the session and calls the controller; none runs anything slow.
"""
