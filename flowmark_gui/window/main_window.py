"""The main window: assembles panes, timeline, docks, menus and the status bar, routes
drops and shortcuts, and saves its geometry. No model logic lives here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QResizeEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

import flowmark_core
from flowmark_gui.controllers.camera_controller import CameraController
from flowmark_gui.controllers.controller import Controller
from flowmark_gui.controllers.generate_motion import MotionGenerator
from flowmark_gui.controllers.model_cards import RealFaceAdvisor
from flowmark_gui.dialogs import confirm
from flowmark_gui.dialogs.export_dialog import ExportDialog
from flowmark_gui.dialogs.file_dialogs import ask_driving, ask_model, ask_source
from flowmark_gui.features.learn_face import LearnMyFace
from flowmark_gui.state.model_handle import ModelSpec
from flowmark_gui.state.session import Session
from flowmark_gui.state.settings import app_settings
from flowmark_gui.views.camera_panel import CameraPanel
from flowmark_gui.views.controls import Controls
from flowmark_gui.views.frame_view import dropped_paths
from flowmark_gui.views.jitter_table import JitterTable
from flowmark_gui.views.message_log import MessageLog
from flowmark_gui.views.panes import VideoPanes
from flowmark_gui.views.status_bar import StatusBar
from flowmark_gui.views.timeline import Timeline
from flowmark_gui.views.trajectory_plot import TrajectoryPlot
from flowmark_gui.window.menus import MenuTargets, build_menus, fill_recent
from flowmark_gui.window.sharp_toggle import add_sharp_toggle, sync_sharp_toggle

SHORTCUTS = """Space  play / pause
Left / Right  previous / next frame
Home / End  first / last frame
Ctrl+O  open source image;  Ctrl+Shift+O  open driving video
Ctrl+E  export
R  recalibrate (video: use the current frame as reference; camera: next frame)
B  find the best reference frame;  S  stabilisation on / off
K J H M O  keypoints, Jacobians, heatmaps, motion arrows, occlusion
1–9  switch avatar (camera mode);  Ctrl+1 / Ctrl+2  video / camera mode"""


TRAJECTORY_MIN_HEIGHT = 220


class MainWindow(QMainWindow):
    """Video mode (Source | Driving | Result + timeline) and Camera mode, with docks."""

    def __init__(
        self,
        spec: ModelSpec | None = None,
        source: Path | None = None,
        driving: Path | None = None,
        camera: str | None = None,
    ) -> None:
        super().__init__()
        self.setWindowTitle("flowmark")
        self.session = Session(self)
        self.controller = Controller(self.session, spec or ModelSpec(), self)
        self.camera = CameraController(self.session, self)
        self.panes = VideoPanes(self.session, self.controller)
        self.timeline = Timeline(self.session, self.controller.player)
        video_page = QWidget()
        video_layout = QVBoxLayout(video_page)
        video_layout.setContentsMargins(4, 4, 4, 0)
        video_layout.addWidget(self.panes, 1)
        video_layout.addWidget(self.timeline)
        self.camera_panel = CameraPanel(self.session, self.camera)
        self.tabs = QTabWidget()
        self.tabs.addTab(video_page, "Video")
        self.tabs.addTab(self.camera_panel, "Camera")
        self.tabs.currentChanged.connect(self._on_tab)
        self.setCentralWidget(self.tabs)
        self.trajectories = self._trajectory_widget()
        self.trajectory_dock = self._dock("Trajectories", self.trajectories, "trajectories")
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.trajectory_dock)
        self.controls = Controls(self.session, self.controller)
        self.controls_dock = self._dock("Controls", self.controls, "controls")
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.controls_dock)
        self.status = StatusBar(self.session)
        self.setStatusBar(self.status)
        self.messages = MessageLog(self.session)
        self.messages_dock = self._dock("Messages", self.messages, "messages")
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.messages_dock)
        self.messages_dock.hide()
        self.messages.changed.connect(lambda: self.status.show_log_counts(*self.messages.counts()))
        self.messages.error_added.connect(self.show_messages)
        self.messages.emptied.connect(self.messages_dock.hide)
        self.status.log_button.clicked.connect(self.show_messages)
        self.motion_generator = MotionGenerator(self.session, self.controller, self)
        self.learn_face = LearnMyFace(  # a take, the library, the adapter
            self.session,
            self.controller,
            self.camera,
            self.set_mode,
            self.camera_panel.set_guidance,
            self,
        )
        self.model_adapter = self.learn_face.adapter
        menus = build_menus(self.menuBar(), self._menu_targets())
        self.actions = menus.actions
        self.recent_menu: QMenu = menus.recent
        self.model_menu = menus.models
        self.actions["sharp"] = add_sharp_toggle(self.menuBar(), self.session, self.controller)
        self.real_face_advisor = RealFaceAdvisor(  # advises once a session
            self.session, self.controller.app_switches_for_photos, self
        )
        self._refresh_recent()
        self.controller.recent_changed.connect(self._refresh_recent)
        self.session.overlays_changed.connect(self._sync_actions)
        self.session.options_changed.connect(self._sync_actions)
        self.camera.frame.connect(self._on_camera_frame)
        self.camera.running_changed.connect(self._on_camera_running)
        self.camera.avatars_changed.connect(self._sync_avatar_actions)
        self._last_stabilizer: tuple[str, dict[str, Any]] = ("flow", {})  # S turns it back on
        self._camera_arg = camera
        self.export_dialog: ExportDialog | None = None
        self._quit_confirmed = False
        self.setAcceptDrops(True)
        self._trajectories_wanted = True
        self._video_state: QByteArray | None = None  # video mode's layout while in camera mode
        self._sync_actions()
        self._sync_avatar_actions()
        self._restore()
        self.controller.start(source, driving)
        if camera is not None:
            self.camera.add_source(camera)
            self.set_mode("camera")
            self.session.model_changed.connect(self._start_camera_arg)

    # -- layout ----------------------------------------------------------------------------
    def _trajectory_widget(self) -> QWidget:
        self.plot = TrajectoryPlot(self.session)
        self.jitter = JitterTable(self.session)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.plot)
        splitter.addWidget(self.jitter)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([900, 420])
        splitter.setMinimumHeight(TRAJECTORY_MIN_HEIGHT)  # the plots and ~6 table rows
        return splitter

    def _menu_targets(self) -> MenuTargets:
        """What the menus act on: the window's objects, features and actions."""
        return MenuTargets(
            parent=self,
            session=self.session,
            controller=self.controller,
            camera=self.camera,
            library=self.learn_face.library,
            ask_source=self.ask_source,
            ask_driving=self.ask_driving,
            ask_model=self.ask_model,
            generate_motion=self.motion_generator.generate,
            learn_face=self.model_adapter.begin,
            show_export=self.show_export,
            request_quit=self.request_quit,
            recalibrate=self.recalibrate,
            toggle_stabilization=self.toggle_stabilization,
            set_mode=self.set_mode,
            choose_avatar=self.choose_avatar,
            show_shortcuts=self.show_shortcuts,
            show_about=self.show_about,
            dock_toggles=[
                dock.toggleViewAction()
                for dock in (self.trajectory_dock, self.controls_dock, self.messages_dock)
            ],
        )

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        """The trajectory dock keeps its share of the height when the window is resized
        (Qt would give every new pixel to the image panes)."""
        old_height = event.oldSize().height()
        dock = self.trajectory_dock
        share = dock.height() / old_height if old_height > 0 and dock.isVisible() else 0.0
        super().resizeEvent(event)
        if share > 0 and event.size().height() != old_height:
            wanted = max(round(share * event.size().height()), TRAJECTORY_MIN_HEIGHT)
            self.resizeDocks([dock], [wanted], Qt.Orientation.Vertical)

    def _dock(self, title: str, widget: QWidget, name: str) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{name}")
        dock.setWidget(widget)
        return dock

    def _restore(self) -> None:
        settings = app_settings()
        geometry = settings.value("window/geometry")
        state = settings.value("window/state")
        if isinstance(geometry, QByteArray | bytes):
            self.restoreGeometry(QByteArray(geometry))
        else:
            self.resize(1500, 950)
        if isinstance(state, QByteArray | bytes):
            self.restoreState(QByteArray(state))
        else:  # first run: the image panes get most of the height
            height = max(TRAJECTORY_MIN_HEIGHT, self.height() // 3)
            self.resizeDocks([self.trajectory_dock], [height], Qt.Orientation.Vertical)
            self.resizeDocks([self.controls_dock], [320], Qt.Orientation.Horizontal)

    # -- actions ---------------------------------------------------------------------------
    def ask_source(self) -> None:
        path = ask_source(self)
        if path is not None:
            self.controller.open_path(path)

    def ask_driving(self) -> None:
        """Open a driving video; the dialog starts where the source image came from."""
        source = self.session.source
        path = ask_driving(self, str(source.path.parent) if source is not None else "")
        if path is not None:
            self.controller.open_path(path)

    def ask_model(self) -> None:
        chosen = ask_model(self)
        if chosen is not None:
            self.controller.open_model_file(*chosen)

    def show_export(self) -> ExportDialog:
        if self.export_dialog is None:
            self.export_dialog = ExportDialog(self.session, self)
        self.export_dialog.prepare()
        self.export_dialog.show()
        self.export_dialog.raise_()
        return self.export_dialog

    def show_messages(self) -> None:
        """Show the message log (each error stays there until dismissed)."""
        self.messages_dock.show()
        self.messages_dock.raise_()

    def show_about(self) -> None:
        """Help ▸ About: the version, the loaded model and where adapted models are kept."""
        model = self.session.model
        loaded = model.info.path or model.info.name if model is not None else "none yet"
        text = (
            f"flowmark {flowmark_core.__version__}\n\n"
            "Animate a portrait with the motion of a driving video or your webcam.\n\n"
            f"model: {loaded}\nmodel library: {self.learn_face.library.folder}"
        )
        box = QMessageBox(QMessageBox.Icon.Information, "About flowmark", text)
        box.setParent(self, box.windowFlags())
        box.open()

    def show_shortcuts(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, "Keyboard shortcuts", SHORTCUTS)
        box.setParent(self, box.windowFlags())
        box.open()

    def set_mode(self, mode: str) -> None:
        self.tabs.setCurrentIndex(1 if mode == "camera" else 0)

    @property
    def camera_mode(self) -> bool:
        return self.tabs.currentIndex() == 1

    def recalibrate(self) -> None:
        if self.camera_mode:
            self.camera.recalibrate()
        else:
            self.controller.use_current_frame_as_reference()

    def toggle_stabilization(self) -> None:
        """S: the stabiliser off, or back on with the stabiliser and parameters it had."""
        options = self.session.options
        if options.stabilizer != "none":
            self._last_stabilizer = (options.stabilizer, dict(options.stabilizer_params))
            self.controller.update_options(stabilizer="none", stabilizer_params={})
            return
        name, params = self._last_stabilizer
        self.controller.update_options(stabilizer=name, stabilizer_params=dict(params))

    def choose_avatar(self, index: int) -> None:
        if self.camera_mode:
            self.camera.choose_avatar(index)

    # -- bindings --------------------------------------------------------------------------
    def _on_tab(self, index: int) -> None:
        """The trajectory dock belongs to Video mode; Camera mode gets the room."""
        camera = index == 1
        self.controls.motion.set_video_mode(not camera)  # no reference frame in camera mode
        self.actions["best"].setEnabled(not camera)
        if camera:
            self.session.set_playing(False)
            if self._video_state is None:
                self._video_state = self.saveState()
            self._trajectories_wanted = not self.trajectory_dock.isHidden()
            self.trajectory_dock.hide()
            self.camera.probe_once()
        else:
            self._video_state = None
            self.status.set_camera_stats("")
            if self._trajectories_wanted:
                self.trajectory_dock.show()

    def _start_camera_arg(self) -> None:
        self.session.model_changed.disconnect(self._start_camera_arg)
        if self._camera_arg is not None and not self.camera.running:
            _label, value = self.camera.add_source(self._camera_arg)
            combo = self.camera_panel.controls.source
            combo.setCurrentIndex(max(combo.findData(value), 0))
            self.camera.start(value)

    def _on_camera_frame(self, frame: object) -> None:
        if not self.camera_mode:  # the camera's figures belong to Camera mode only
            return
        fps = getattr(frame, "fps", 0.0)
        latency = getattr(frame, "latency_ms", 0.0)
        self.status.set_camera_stats(f"camera {fps:.1f} fps · latency {latency:.0f} ms")

    def _on_camera_running(self, running: bool) -> None:
        if not running:  # no frozen figures after Stop
            self.status.set_camera_stats("camera stopped")
            self.camera_panel.live.caption.setText("stopped")

    def _sync_actions(self) -> None:
        overlays = self.session.overlays
        for name, action in self.actions.items():
            if name.startswith("overlay_"):
                action.blockSignals(True)
                action.setChecked(bool(getattr(overlays, name.removeprefix("overlay_"))))
                action.blockSignals(False)
        stabilize = self.actions["stabilize"]
        stabilize.blockSignals(True)
        stabilize.setChecked(self.session.options.stabilizer != "none")
        stabilize.blockSignals(False)
        sync_sharp_toggle(self.actions["sharp"], self.session)

    def _sync_avatar_actions(self) -> None:
        """Avatar n (number key n) is offered only when the gallery has an n-th image."""
        count = len(self.camera.avatars)
        for n in range(1, 10):
            action = self.actions[f"avatar_{n}"]
            action.setEnabled(n <= count)
            action.setToolTip(
                str(self.camera.avatars[n - 1])
                if n <= count
                else "no such avatar: choose an avatar folder in Camera mode"
            )

    def _refresh_recent(self) -> None:
        fill_recent(self.recent_menu, self.controller.open_path)

    # -- drops and closing -----------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt override)
        if dropped_paths(event):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt override)
        paths = dropped_paths(event)
        if paths:
            event.acceptProposedAction()
            for path in paths[:2]:
                self.controller.open_path(path)

    def running_work(self) -> list[str]:
        """What would be lost by quitting now (an export, an adaptation, a recording)."""
        work = []
        if self.export_dialog is not None and self.export_dialog.running:
            work.append("an export")
        if self.model_adapter.busy:
            work.append("a model adaptation")
        if self.camera.recording_path is not None:
            work.append("a camera recording")
        if self.learn_face.takes.active:
            work.append("a take recording")
        return work

    def may_quit(self) -> bool:
        """True when nothing runs, or the user agrees to stop what does."""
        work = self.running_work()
        if not work:
            return True
        return confirm.ask(
            self,
            "Quit flowmark?",
            f"{' and '.join(work).capitalize()} still running. Quitting stops "
            f"{'them' if len(work) > 1 else 'it'}; no half-written file is kept.",
            "Stop and quit",
        )

    def request_quit(self) -> None:
        """File > Quit (Ctrl+Q): asks first when work would be lost."""
        if self.may_quit():
            self._quit_confirmed = True
            self.close()

    def shutdown(self) -> None:
        """Stop every worker this window started (waits for their threads)."""
        self.model_adapter.shutdown()
        self.motion_generator.shutdown()
        if self.export_dialog is not None:
            self.export_dialog.shutdown()
        self.camera_panel.gallery.shutdown()
        self.camera.shutdown()
        self.controller.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        # The window manager's close button asks as Ctrl+Q does (a programmatic close,
        # e.g. a test's teardown or an answered Ctrl+Q, does not ask again).
        if event.spontaneous() and not self._quit_confirmed and not self.may_quit():
            event.ignore()
            return
        settings = app_settings()
        settings.setValue("window/geometry", self.saveGeometry())
        # Each mode keeps its own layout: the saved state is always video mode's (the app
        # starts in video mode), never camera mode's docks-hidden layout.
        state = self._video_state if self._video_state is not None else self.saveState()
        settings.setValue("window/state", state)
        settings.sync()
        self.shutdown()
        super().closeEvent(event)
