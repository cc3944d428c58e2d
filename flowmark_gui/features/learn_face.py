"""Wires Learn My Face together: the model library, the adapter with its dialogs, the take
recorder in camera mode, and the note when an adapted model meets a photo. The window
creates it and hands its actions to the menus; it never imports the window."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from flowmark_gui.controllers.camera_controller import CameraController
from flowmark_gui.controllers.controller import Controller
from flowmark_gui.controllers.model_library import AdaptedModelAdvisor, ModelLibrary
from flowmark_gui.controllers.take_recorder import TakeRecorder
from flowmark_gui.features.adapt_model import ModelAdapter
from flowmark_gui.state.session import Session


class LearnMyFace:
    """The parts of the flow, created once per window.

    `set_mode` switches the window to "video" or "camera"; `show_guidance` shows one line
    of guidance over the camera view while a take records."""

    def __init__(
        self,
        session: Session,
        controller: Controller,
        camera: CameraController,
        set_mode: Callable[[str], object],
        show_guidance: Callable[[str], object],
        parent: QWidget,
    ) -> None:
        self.session, self.camera, self.set_mode = session, camera, set_mode
        self.library = ModelLibrary(parent)
        self.adapter = ModelAdapter(session, controller, self.library, parent)
        self.takes = TakeRecorder(camera, parent)
        self.advisor = AdaptedModelAdvisor(session, parent)
        self.adapter.record_take_requested.connect(self.record_take)
        self.takes.guidance.connect(show_guidance)
        self.takes.finished.connect(self._on_take)
        self.takes.stopped.connect(session.warn)

    def record_take(self) -> None:
        """Camera mode, then the countdown (the camera must be running)."""
        self.set_mode("camera")
        if self.camera.worker is None:
            self.session.warn(
                "to record a take, start the camera (or choose Video file… as the camera), "
                "then Model ▸ Learn My Face… ▸ Record a take again"
            )
            return
        self.takes.start(self.library.folder)

    def _on_take(self, path: object) -> None:
        self.session.info(f"take recorded: {path}")
        self.adapter.add_take(path)  # type: ignore[arg-type]
