"""Wires Learn My Face into the window: the model library, the adapter with its dialogs,
the take recorder in camera mode, and the note when an adapted model meets a photo."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flowmark_gui.controllers.model_library import AdaptedModelAdvisor, ModelLibrary
from flowmark_gui.controllers.take_recorder import TakeRecorder
from flowmark_gui.features.adapt_model import ModelAdapter

if TYPE_CHECKING:
    from flowmark_gui.window.main_window import MainWindow


class LearnMyFace:
    """The parts of the flow, created once per window."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        session, camera = window.session, window.camera
        self.library = ModelLibrary(window)
        self.adapter = ModelAdapter(session, window.controller, self.library, window)
        self.takes = TakeRecorder(camera, window)
        self.advisor = AdaptedModelAdvisor(session, window)
        self.adapter.record_take_requested.connect(self.record_take)
        self.takes.guidance.connect(window.camera_panel.set_guidance)
        self.takes.finished.connect(self._on_take)
        self.takes.stopped.connect(session.warn)

    def record_take(self) -> None:
        """Camera mode, then the countdown (the camera must be running)."""
        window = self.window
        window.set_mode("camera")
        if window.camera.worker is None:
            window.session.warn(
                "to record a take, start the camera (or choose Video file… as the camera), "
                "then Model ▸ Learn My Face… ▸ Record a take again"
            )
            return
        self.takes.start(self.library.folder)

    def _on_take(self, path: object) -> None:
        self.window.session.info(f"take recorded: {path}")
        self.adapter.add_take(path)  # type: ignore[arg-type]
