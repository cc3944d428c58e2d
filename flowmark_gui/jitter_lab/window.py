"""The Jitter Lab window: the frame with its points, regions, filters and their metrics,
trajectories, a frame slider and a status line. Menus open files or run a detector; all
work goes through the `LabController` (workers), so the window only draws and asks."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QProgressBar,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from flowmark_core.errors import FlowmarkError
from flowmark_core.landmarks.tracking import DETECTORS
from flowmark_gui.jitter_lab.controller import LabController
from flowmark_gui.jitter_lab.data import default_export_path, parse_params
from flowmark_gui.jitter_lab.state import LabState
from flowmark_gui.jitter_lab.views.canvas import FrameCanvas
from flowmark_gui.jitter_lab.views.filter_panel import FilterPanel
from flowmark_gui.jitter_lab.views.filter_table import FilterTable
from flowmark_gui.jitter_lab.views.regions import RegionList
from flowmark_gui.jitter_lab.views.trajectories import TrajectoryView

VIDEO_FILTER = "Videos (*.mp4 *.mov *.avi *.mkv *.webm *.m4v);;All files (*)"
TRACK_FILTER = "Tracks (*.csv *.json *.npz *.pts *.txt);;All files (*)"
ERROR_STYLE = "color: #ff8a80"


class JitterLabWindow(QMainWindow):
    """A video and a landmark track: see the jitter, compare filters, export the winner."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if parent is not None:
            self.setWindowFlag(Qt.WindowType.Window, True)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # a new one opens next time
        self.setWindowTitle("flowmark — Jitter Lab")
        self.state = LabState(self)
        self.controller = LabController(self.state, self)
        self.canvas = FrameCanvas(self.state)
        self.regions = RegionList(self.state)
        self.panel = FilterPanel(self.state)
        self.table = FilterTable(self.state)
        self.trajectories = TrajectoryView(self.state)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.valueChanged.connect(self.state.set_index)
        self.frame_label = QLabel("")
        self.errors: list[str] = []  # every message shown, in order (one per failure)
        self.message = QLabel("")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.hide()
        self._build_layout()
        self.actions = self._build_menus()
        self._bind()
        self.resize(1500, 950)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # -- layout ----------------------------------------------------------------------------
    def _build_layout(self) -> None:
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.canvas, 1)
        scrub = QHBoxLayout()
        scrub.addWidget(self.slider, 1)
        scrub.addWidget(self.frame_label)
        column.addLayout(scrub)
        side = QSplitter(Qt.Orientation.Vertical)
        side.addWidget(self.regions)
        side.addWidget(self.panel)
        side.addWidget(self.table)
        side.setSizes([220, 300, 260])
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(left)
        top.addWidget(side)
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 1)
        top.setSizes([1050, 450])
        main = QSplitter(Qt.Orientation.Vertical)
        main.addWidget(top)
        main.addWidget(self.trajectories)
        main.setSizes([620, 330])
        self.setCentralWidget(main)
        bar = self.statusBar()
        bar.addWidget(self.message, 1)
        bar.addPermanentWidget(self.progress)

    def _build_menus(self) -> dict[str, QAction]:
        actions: dict[str, QAction] = {}
        menu = self.menuBar().addMenu("&File")
        for name, text, slot, key in (
            ("open", "Open Video and &Track…", self.ask_open, "Ctrl+O"),
            (
                "open_folder",
                "Open Video and Track &Folder (OpenPose, .pts)…",
                self.ask_open_folder,
                "",
            ),
            ("detect", "Track Video with a Built-in &Detector…", self.ask_detect, "Ctrl+D"),
            ("export", "&Export Smoothed Track (A)…", self.ask_export, "Ctrl+E"),
            ("close", "&Close", self.close, "Ctrl+W"),
        ):
            action = QAction(text, self)
            if key:
                action.setShortcut(QKeySequence(key))
            action.triggered.connect(lambda _c=False, s=slot: s())
            menu.addAction(action)
            actions[name] = action
        for name, key, step in (("prev", "Left", -1), ("next", "Right", 1)):
            action = QAction(name, self)
            action.setShortcut(QKeySequence(key))
            action.triggered.connect(
                lambda _c=False, d=step: self.state.set_index(self.state.index + d)
            )
            self.addAction(action)
            actions[name] = action
        return actions

    def _bind(self) -> None:
        ctl, state = self.controller, self.state
        ctl.frames.frame_ready.connect(self.canvas.show_frame)
        ctl.error.connect(self.show_error)
        ctl.info.connect(self.show_info)
        ctl.busy_changed.connect(self._on_busy)
        ctl.progress.connect(self._on_progress)
        self.panel.run_requested.connect(self.run_filters)
        self.panel.export_requested.connect(self.ask_export)
        self.panel.cancel_requested.connect(ctl.cancel)
        state.data_changed.connect(self._on_data)
        state.index_changed.connect(self._on_index)
        self._on_busy("")

    # -- requests --------------------------------------------------------------------------
    def open_files(self, video: Path, track: Path) -> None:
        self.controller.open_files(Path(video), Path(track))

    def run_filters(self, checked: list[tuple[str, str]]) -> None:
        """Run (name, parameter text) filters; bad parameters are one message, nothing runs."""
        try:
            wanted = [(name, parse_params(text, name)) for name, text in checked]
        except FlowmarkError as exc:
            self.show_error(str(exc))
            return
        self.controller.run_filters(wanted)

    def ask_open(self, folder: bool = False) -> None:
        video, _ = QFileDialog.getOpenFileName(self, "Open video", "", VIDEO_FILTER)
        if not video:
            return
        if folder:
            track = QFileDialog.getExistingDirectory(
                self, "Open track folder", str(Path(video).parent)
            )
        else:
            track, _ = QFileDialog.getOpenFileName(
                self, "Open track", str(Path(video).parent), TRACK_FILTER
            )
        if track:
            self.open_files(Path(video), Path(track))

    def ask_open_folder(self) -> None:
        self.ask_open(folder=True)

    def ask_detect(self) -> None:
        video, _ = QFileDialog.getOpenFileName(self, "Video to track", "", VIDEO_FILTER)
        if not video:
            return
        detector, ok = QInputDialog.getItem(
            self, "Detector", "landmark detector", list(DETECTORS), 0, False
        )
        if ok:
            self.controller.run_detector(Path(video), detector)

    def ask_export(self) -> None:
        data, key = self.state.data, self.state.a
        if data is None or key is None:
            self.show_error("run a filter and choose it as A before exporting")
            return
        suggested = default_export_path(data, key)
        if data.track.format in ("openpose", "pts"):
            path = QFileDialog.getSaveFileName(self, "Export into a new folder", str(suggested))[0]
        else:
            path = QFileDialog.getSaveFileName(self, "Export smoothed track", str(suggested))[0]
        if path:
            self.controller.export(key, Path(path))

    # -- feedback --------------------------------------------------------------------------
    def show_error(self, message: str) -> None:
        """One failure, one line (kept in `errors`), in the status line."""
        self.errors.append(message)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(message)

    def show_info(self, message: str) -> None:
        self.message.setStyleSheet("")
        self.message.setText(message)

    def _on_busy(self, what: str) -> None:
        self.panel.set_busy(what)
        self.progress.setVisible(bool(what))
        if what:
            self.progress.setRange(0, 0)
            self.progress.setFormat(what)

    def _on_progress(self, what: str, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        self.progress.setFormat(f"{what} %v/%m")

    def _on_data(self) -> None:
        data = self.state.data
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(self.state.length - 1, 0))
        self.slider.setValue(self.state.index)
        self.slider.blockSignals(False)
        if data is not None:
            name = data.track_path.name if data.track_path else data.track.detector
            self.setWindowTitle(f"flowmark — Jitter Lab — {data.video_path.name} · {name}")
        self._on_index(self.state.index)

    def _on_index(self, index: int) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(index)
        self.slider.blockSignals(False)
        self.frame_label.setText(f"{index} / {max(self.state.length - 1, 0)}")

    # -- closing ---------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop the workers (waits for them)."""
        self.controller.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self.shutdown()
        super().closeEvent(event)
