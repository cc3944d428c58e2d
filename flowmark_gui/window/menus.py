"""Menus, actions and keyboard shortcuts of the main window (no logic of their own:
each action calls the controller, the camera controller or the session)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from flowmark_gui.controllers.generate_motion import MotionGenerator
from flowmark_gui.features.learn_face import LearnMyFace
from flowmark_gui.state.settings import recent_files
from flowmark_gui.views.overlay_controls import TOGGLES
from flowmark_gui.window.model_menu import ModelMenu

if TYPE_CHECKING:
    from flowmark_gui.window.main_window import MainWindow


def _action(
    menu: QMenu, text: str, slot: Callable[[], object], shortcut: str | QKeySequence = ""
) -> QAction:
    action = QAction(text, menu)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(lambda _checked=False: slot())
    menu.addAction(action)
    return action


def build_menus(window: MainWindow) -> dict[str, QAction]:
    """Create the menu bar; returns the actions by name (tests and sync use them)."""
    bar = window.menuBar()
    ctl, session, camera = window.controller, window.session, window.camera
    actions: dict[str, QAction] = {}

    file_menu = bar.addMenu("&File")
    actions["open_source"] = _action(file_menu, "Open &Source Image…", window.ask_source, "Ctrl+O")
    actions["open_driving"] = _action(
        file_menu, "Open &Driving Video…", window.ask_driving, "Ctrl+Shift+O"
    )
    window.motion_generator = MotionGenerator(session, ctl, window)  # image-to-video
    actions["generate_motion"] = _action(
        file_menu,
        "&Generate Motion from Source (again: re-sample)",
        window.motion_generator.generate,
        "G",
    )
    actions["open_model"] = _action(file_menu, "Open &Model…", window.ask_model)
    window.learn_face = LearnMyFace(window)  # a take, the library, the adapter
    window.model_adapter = window.learn_face.adapter
    actions["adapt_model"] = _action(
        file_menu, "&Learn My Face (adapt the model to you)…", window.model_adapter.begin
    )
    window.recent_menu = file_menu.addMenu("Open &Recent")
    file_menu.addSeparator()
    actions["export"] = _action(file_menu, "&Export…", window.show_export, "Ctrl+E")
    file_menu.addSeparator()
    actions["quit"] = _action(
        file_menu, "&Quit", window.request_quit, QKeySequence.StandardKey.Quit
    )

    model_menu = bar.addMenu("&Model")  # bundled models, the library, the active one checked
    window.model_menu = ModelMenu(
        model_menu,
        session,
        window.learn_face.library,
        ctl.open_model_file,
        [actions["open_model"], actions["adapt_model"]],
    )
    for name, act in window.model_menu.bundled.items():
        actions[f"model_{name}"] = act

    play = bar.addMenu("&Playback")
    actions["play"] = _action(play, "Play / Pause", ctl.player.toggle, "Space")
    actions["prev"] = _action(play, "Previous Frame", lambda: ctl.player.step(-1), "Left")
    actions["next"] = _action(play, "Next Frame", lambda: ctl.player.step(1), "Right")
    actions["home"] = _action(play, "First Frame", ctl.player.home, "Home")
    actions["end"] = _action(play, "Last Frame", ctl.player.end, "End")
    play.addSeparator()
    actions["recalibrate"] = _action(
        play, "Recalibrate (use this pose, re-centre the crop)", window.recalibrate, "R"
    )
    actions["best"] = _action(play, "Find Best Reference Frame", ctl.find_best_frame, "B")
    actions["stabilize"] = _action(play, "Stabilise Keypoints", window.toggle_stabilization, "S")
    actions["stabilize"].setCheckable(True)

    view = bar.addMenu("&View")
    for field, label, key in TOGGLES:
        act = _action(view, label[0].upper() + label[1:], lambda: None, key)
        act.setCheckable(True)
        act.toggled.connect(lambda on, f=field: session.set_overlays(**{f: on}))
        actions[f"overlay_{field}"] = act
    view.addSeparator()
    actions["video_mode"] = _action(view, "Video Mode", lambda: window.set_mode("video"), "Ctrl+1")
    actions["camera_mode"] = _action(
        view, "Camera Mode", lambda: window.set_mode("camera"), "Ctrl+2"
    )
    view.addSeparator()
    view.addAction(window.trajectory_dock.toggleViewAction())
    view.addAction(window.controls_dock.toggleViewAction())
    view.addAction(window.messages_dock.toggleViewAction())

    cam = bar.addMenu("&Camera")
    actions["camera_refresh"] = _action(cam, "Look for Cameras", camera.probe_cameras)
    for n in range(1, 10):
        actions[f"avatar_{n}"] = _action(
            cam, f"Avatar {n}", lambda i=n - 1: window.choose_avatar(i), str(n)
        )

    tools = bar.addMenu("&Tools")
    actions["jitter_lab"] = _action(
        tools,
        "&Jitter Lab (any detector's landmarks, filters compared)…",
        lambda: _lab(window),
        "Ctrl+J",
    )

    help_menu = bar.addMenu("&Help")
    _action(help_menu, "Keyboard Shortcuts", window.show_shortcuts)
    actions["about"] = _action(help_menu, "About flowmark", window.show_about)
    return actions


def _lab(window: MainWindow) -> None:
    """Tools > Jitter Lab: its own window (imported on first use)."""
    from flowmark_gui.jitter_lab import open_jitter_lab

    open_jitter_lab(window)


def fill_recent(menu: QMenu, open_path: Callable[[Path], object]) -> None:
    """(Re)build the Open Recent menu from the settings."""
    menu.clear()
    files = recent_files()
    for path in files:
        action = menu.addAction(Path(path).name)
        action.setToolTip(path)
        action.triggered.connect(lambda _checked=False, p=path: open_path(Path(p)))
    menu.setEnabled(bool(files))
