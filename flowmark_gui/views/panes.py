"""The three image panes Source | Driving | Result, bound to the session."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QSplitter, QWidget

from flowmark_core.animate.framing import describe_framing
from flowmark_gui.controllers.controller import Controller
from flowmark_gui.render.display_view import ShownFrame
from flowmark_gui.render.overlays import PaneLayers, driving_layers, result_layers, source_layers
from flowmark_gui.state.file_routing import Role
from flowmark_gui.state.session import Session
from flowmark_gui.views.frame_view import FrameView

DRIVING_HINT = "drop a video, GIF or frame folder here"
RESULT_HINT = "the animated source appears here"


class VideoPanes(QWidget):
    """Source, Driving and Result side by side; drops load files, clicks select keypoints."""

    def __init__(
        self, session: Session, controller: Controller, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.controller = controller
        self.source = FrameView("Source", "drop a source image here")
        self.driving = FrameView("Driving", DRIVING_HINT)
        self.result = FrameView("Result", RESULT_HINT)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        for view in self.views:
            splitter.addWidget(view)
            view.keypoint_clicked.connect(session.click_keypoint)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.source.files_dropped.connect(lambda paths: self._drop(paths, Role.SOURCE))
        self.driving.files_dropped.connect(lambda paths: self._drop(paths, Role.DRIVING))
        self.result.files_dropped.connect(lambda paths: self._drop(paths, None))
        session.source_changed.connect(self._show_source)
        session.driving_changed.connect(self._show_preview)
        session.result_changed.connect(self._show_result)
        session.options_changed.connect(self._show_result)  # caption: re-tracking…
        session.overlays_changed.connect(self._apply_overlays)
        session.selection_changed.connect(self._apply_selection)
        session.model_changed.connect(self._show_source)

    @property
    def views(self) -> tuple[FrameView, FrameView, FrameView]:
        return self.source, self.driving, self.result

    def _drop(self, paths: list[str], role: Role | None) -> None:
        self.controller.open_path(paths[0], role)

    def _show_source(self) -> None:
        info = self.session.source
        if info is None:
            return
        layers = source_layers(info.keypoints)
        if info.view is not None:  # sharp: the picture itself, the model's square marked
            layers = replace(layers, region=info.view_region)
        image = info.image if info.view is None else info.view
        self.source.set_frame(image, layers, self.session.image_size)
        self.source.caption.setText(info.path.name)

    def _show_preview(self) -> None:
        info = self.session.driving
        if info is None:  # a refused video and nothing before it
            self.driving.clear(DRIVING_HINT)
            self.driving.caption.setText("")
            self.result.clear(RESULT_HINT)
            self.result.caption.setText("")
            return
        self.driving.set_frame(info.preview, PaneLayers(), self.session.image_size)
        framing = describe_framing(info.size, self.session.options.face_crop)
        state = " — tracking…" if self.session.track is None else ""
        self.driving.caption.setText(f"{info.path.name} ({framing}){state}")
        self.driving.setToolTip(f"{info.path.name}: {framing}")
        self.result.clear("rendering…")

    def _show_result(self) -> None:
        result = self.session.displayed
        if result is None:
            return
        size = self.session.image_size
        layers, driving = driving_layers(result), result.driving
        if isinstance(result, ShownFrame) and result.driving_view is not None:
            layers = replace(layers, region=result.driving_region)
            driving = result.driving_view
        self.driving.set_frame(driving, layers, size)
        box = self.session.source.box if self.session.source is not None else None
        self.result.set_frame(result.output, result_layers(result, size, box), size)
        name = self.session.driving.path.name if self.session.driving else ""
        track, wanted = self.session.track, self.session.options
        pending = track is not None and track.options.needs_retrack(wanted)
        note = f" (re-tracking with {wanted.stabilizer}…)" if pending else ""
        driving = self.session.driving
        if driving is not None and driving.size[0] != driving.size[1] and not wanted.face_crop:
            note += " · centre crop"  # the tooltip says how much
        self.driving.caption.setText(f"{name}  frame {result.index}{note}")
        self.result.caption.setText(f"model {result.model_ms:.0f} ms")

    def _apply_overlays(self) -> None:
        for view in self.views:
            view.set_overlays(self.session.overlays)

    def _apply_selection(self) -> None:
        for view in self.views:
            view.set_selection(self.session.selection)
