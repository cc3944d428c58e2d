"""Camera mode controls: source, start/stop, fps limit, crop, mirror, alignment aid,
passthrough, recording and virtual camera."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QSlider,
    QSpinBox,
    QWidget,
)

from flowmark_core.io.video_reader import VIDEO_EXTENSIONS
from flowmark_gui.controllers.camera_controller import CameraController
from flowmark_gui.dialogs.file_dialogs import choose_file


def _slider(low: int, high: int, value: int) -> QSlider:
    slider = QSlider(Qt.Orientation.Horizontal)
    slider.setRange(low, high)
    slider.setValue(value)
    return slider


class CameraControls(QWidget):
    """Form of live camera settings, bound to the camera controller."""

    ghost_opacity_changed = Signal(float)

    def __init__(self, camera: CameraController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.camera = camera
        self.source = QComboBox()
        self.source.setMinimumWidth(120)
        refresh = QPushButton("Refresh")
        refresh.setToolTip("look for cameras again")
        refresh.clicked.connect(camera.probe_cameras)
        self.use_file = QPushButton("Video file…")
        self.use_file.setToolTip("play a video file as the camera (no webcam needed)")
        self.use_file.clicked.connect(self._ask_file)
        self.start = QPushButton("Start camera")
        self.start.setCheckable(True)
        self.start.toggled.connect(self._on_start)
        self.fps = QDoubleSpinBox()
        self.fps.setRange(1.0, 120.0)
        self.fps.setValue(camera.settings.fps_limit)
        self.fps.setSuffix(" fps max")
        self.fps.valueChanged.connect(lambda v: camera.update_settings(fps_limit=v))
        self.mirror = QCheckBox("mirror")
        self.mirror.setChecked(camera.settings.mirror)
        self.mirror.toggled.connect(lambda on: camera.update_settings(mirror=on))
        self.zoom = _slider(100, 400, 100)
        self.zoom.setToolTip("zoom into the camera picture (crop)")
        self.move_x = _slider(-100, 100, 0)
        self.move_y = _slider(-100, 100, 0)
        for slider in (self.zoom, self.move_x, self.move_y):
            slider.valueChanged.connect(self._on_crop)
        self.ghost = _slider(0, 100, 0)
        self.ghost.setToolTip("show the source faintly over the camera to line up your pose")
        self.ghost.valueChanged.connect(lambda v: self.ghost_opacity_changed.emit(v / 100.0))
        self.passthrough = QCheckBox("passthrough (send the camera as it is)")
        self.passthrough.toggled.connect(lambda on: camera.update_settings(passthrough=on))
        self.record_size = QSpinBox()
        self.record_size.setRange(64, 2048)
        self.record_size.setSingleStep(64)
        self.record_size.setValue(camera.settings.record_size)
        self.record_size.setSuffix(" px")
        self.record_size.setToolTip(
            "longer side of recorded videos; they play in real time at the frame rate above"
        )
        self.record_size.valueChanged.connect(lambda v: camera.update_settings(record_size=v))
        self.record = QPushButton("Record…")
        self.record.setCheckable(True)
        self.record.toggled.connect(self._on_record)
        self.virtual = QCheckBox("virtual camera output")
        self.virtual.toggled.connect(self._on_virtual)
        recalibrate = QPushButton("Recalibrate (R)")
        recalibrate.setToolTip("the next camera frame becomes the reference pose")
        recalibrate.clicked.connect(camera.recalibrate)
        row = QHBoxLayout()  # under the list: the side panel is narrow on small screens
        row.addWidget(refresh)
        row.addWidget(self.use_file)
        form = QFormLayout(self)
        form.addRow("camera", self.source)
        form.addRow("", row)
        form.addRow(self.start)
        form.addRow(recalibrate)
        form.addRow("frame rate", self.fps)
        form.addRow(self.mirror)
        form.addRow("zoom", self.zoom)
        form.addRow("move ←→", self.move_x)
        form.addRow("move ↑↓", self.move_y)
        form.addRow("align (ghost)", self.ghost)
        form.addRow(self.passthrough)
        form.addRow("record size", self.record_size)
        form.addRow(self.record)
        form.addRow(self.virtual)
        camera.sources_changed.connect(self._fill_sources)
        camera.running_changed.connect(self._on_running)
        camera.recording_changed.connect(self._on_recording)
        self._fill_sources()

    def _fill_sources(self) -> None:
        current = self.source.currentData()
        self.source.clear()
        for label, value in self.camera.sources:
            self.source.addItem(label, value)
        if not self.camera.sources:
            self.source.addItem("no camera found", None)
        index = self.source.findData(current)
        self.source.setCurrentIndex(max(index, 0))

    def _ask_file(self) -> None:
        path = choose_file(
            self.window(),
            "Video file to use as the camera",
            str(Path.home()),
            f"Videos ({' '.join(f'*{ext}' for ext in VIDEO_EXTENSIONS)})",
        )
        if path:
            self.choose_file_source(Path(path))

    def choose_file_source(self, path: Path) -> None:
        """Put a video file in the camera list and select it (Start plays it in a loop)."""
        _label, value = self.camera.add_source(str(path))
        self.source.setCurrentIndex(max(self.source.findData(value), 0))

    def _on_start(self, on: bool) -> None:
        if not on:
            self.camera.stop()
            return
        value = self.source.currentData()
        if value is None:
            self.camera.session.warn(
                "no camera to start: connect one and press Refresh, or choose Video file…"
            )
            self._set_checked(self.start, False)
            return
        if not self.camera.start(value):
            self._set_checked(self.start, False)

    def _on_running(self, running: bool) -> None:
        self._set_checked(self.start, running)
        self.start.setText("Stop camera" if running else "Start camera")
        if not running:
            self._set_checked(self.record, False)
            self.record.setText("Record…")

    def _on_crop(self) -> None:
        self.camera.update_settings(
            zoom=self.zoom.value() / 100.0,
            offset=(self.move_x.value() / 100.0, self.move_y.value() / 100.0),
        )

    def _on_record(self, on: bool) -> None:
        if not on:
            self.camera.stop_recording()
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Record to", str(Path.home() / "flowmark-live.mp4"), "Video (*.mp4 *.gif)"
        )
        if not path:
            self._set_checked(self.record, False)
            return
        self.camera.start_recording(Path(path))

    def _on_recording(self, active: bool, path: str) -> None:
        self._set_checked(self.record, active)
        self.record.setText(f"Stop recording ({Path(path).name})" if active else "Record…")

    def _on_virtual(self, on: bool) -> None:
        if not self.camera.set_virtual_camera(on):
            self._set_checked(self.virtual, False)

    @staticmethod
    def _set_checked(button: QPushButton | QCheckBox, on: bool) -> None:
        button.blockSignals(True)
        button.setChecked(on)
        button.blockSignals(False)
