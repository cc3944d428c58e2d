"""The app's state: plain values, the `Session` with its signals, settings, the loaded model,
the result cache and file roles. Imports no widget, controller or worker."""
