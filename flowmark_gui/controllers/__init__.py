"""The app's logic without widgets: the scrubbing engine's controller, camera mode, playback,
Generate Motion, takes, the model library and cards. They drive workers and update the state."""
