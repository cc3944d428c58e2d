"""Dialogs: export and file choosers."""
