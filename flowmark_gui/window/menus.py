"""Menus, actions and keyboard shortcuts of the main window (no logic of their own:
each action calls the controller, the camera controller, the session, or a callable the
window hands over in `MenuTargets`; the window creates its features, never this module)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QWidget

from flowmark_gui.controllers.camera_controller import CameraController
from flowmark_gui.controllers.controller import Controller
from flowmark_gui.controllers.model_library import ModelLibrary
from flowmark_gui.state.session import Session
from flowmark_gui.state.settings import recent_files
from flowmark_gui.views.overlay_controls import TOGGLES
from flowmark_gui.window.model_menu import ModelMenu


@dataclass(frozen=True)
class MenuTargets:
    """What the menus act on: the app's objects and the window's own actions as callables."""

    parent: QWidget  # owns the menus' windows (the Jitter Lab)
    session: Session
    controller: Controller
    camera: CameraController
    library: ModelLibrary  # listed under "My models"
    ask_source: Callable[[], object]
    ask_driving: Callable[[], object]
    ask_model: Callable[[], object]
    generate_motion: Callable[[], object]
    learn_face: Callable[[], object]
    show_export: Callable[[], object]
    request_quit: Callable[[], object]
    recalibrate: Callable[[], object]
    toggle_stabilization: Callable[[], object]
    set_mode: Callable[[str], object]
    choose_avatar: Callable[[int], object]
    show_shortcuts: Callable[[], object]
    show_about: Callable[[], object]
    dock_toggles: Sequence[QAction] = ()  # the docks' show/hide actions, in View


@dataclass
class Menus:
    """The built menu bar: actions by name (tests and sync use them), Open Recent, Model."""

    actions: dict[str, QAction]
    recent: QMenu
    models: ModelMenu


def _action(
    menu: QMenu, text: str, slot: Callable[[], object], shortcut: str | QKeySequence = ""
) -> QAction:
    action = QAction(text, menu)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(lambda _checked=False: slot())
    menu.addAction(action)
    return action


def build_menus(bar: QMenuBar, to: MenuTargets) -> Menus:
    """Create the menu bar's menus."""
    ctl, session, camera = to.controller, to.session, to.camera
    actions: dict[str, QAction] = {}

    file_menu = bar.addMenu("&File")
    actions["open_source"] = _action(file_menu, "Open &Source Image…", to.ask_source, "Ctrl+O")
    actions["open_driving"] = _action(
        file_menu, "Open &Driving Video…", to.ask_driving, "Ctrl+Shift+O"
    )
    actions["generate_motion"] = _action(  # image-to-video
        file_menu, "&Generate Motion from Source (again: re-sample)", to.generate_motion, "G"
    )
    actions["open_model"] = _action(file_menu, "Open &Model…", to.ask_model)
    actions["adapt_model"] = _action(
        file_menu, "&Learn My Face (adapt the model to you)…", to.learn_face
    )
    recent = file_menu.addMenu("Open &Recent")
    file_menu.addSeparator()
    actions["export"] = _action(file_menu, "&Export…", to.show_export, "Ctrl+E")
    file_menu.addSeparator()
    actions["quit"] = _action(file_menu, "&Quit", to.request_quit, QKeySequence.StandardKey.Quit)

    model_menu = bar.addMenu("&Model")  # bundled models, the library, the active one checked
    models = ModelMenu(
        model_menu,
        session,
        to.library,
        ctl.open_model_file,
        [actions["open_model"], actions["adapt_model"]],
    )
    for name, act in models.bundled.items():
        actions[f"model_{name}"] = act

    play = bar.addMenu("&Playback")
    actions["play"] = _action(play, "Play / Pause", ctl.player.toggle, "Space")
    actions["prev"] = _action(play, "Previous Frame", lambda: ctl.player.step(-1), "Left")
    actions["next"] = _action(play, "Next Frame", lambda: ctl.player.step(1), "Right")
    actions["home"] = _action(play, "First Frame", ctl.player.home, "Home")
    actions["end"] = _action(play, "Last Frame", ctl.player.end, "End")
    play.addSeparator()
    actions["recalibrate"] = _action(
        play, "Recalibrate (use this pose, re-centre the crop)", to.recalibrate, "R"
    )
    actions["best"] = _action(play, "Find Best Reference Frame", ctl.find_best_frame, "B")
    actions["stabilize"] = _action(play, "Stabilise Keypoints", to.toggle_stabilization, "S")
    actions["stabilize"].setCheckable(True)

    view = bar.addMenu("&View")
    for field, label, key in TOGGLES:
        act = _action(view, label[0].upper() + label[1:], lambda: None, key)
        act.setCheckable(True)
        act.toggled.connect(lambda on, f=field: session.set_overlays(**{f: on}))
        actions[f"overlay_{field}"] = act
    view.addSeparator()
    actions["video_mode"] = _action(view, "Video Mode", lambda: to.set_mode("video"), "Ctrl+1")
    actions["camera_mode"] = _action(view, "Camera Mode", lambda: to.set_mode("camera"), "Ctrl+2")
    view.addSeparator()
    for toggle in to.dock_toggles:
        view.addAction(toggle)

    cam = bar.addMenu("&Camera")
    actions["camera_refresh"] = _action(cam, "Look for Cameras", camera.probe_cameras)
    for n in range(1, 10):
        actions[f"avatar_{n}"] = _action(
            cam, f"Avatar {n}", lambda i=n - 1: to.choose_avatar(i), str(n)
        )

    tools = bar.addMenu("&Tools")
    actions["jitter_lab"] = _action(
        tools,
        "&Jitter Lab (any detector's landmarks, filters compared)…",
        lambda: _lab(to.parent),
        "Ctrl+J",
    )

    help_menu = bar.addMenu("&Help")
    _action(help_menu, "Keyboard Shortcuts", to.show_shortcuts)
    actions["about"] = _action(help_menu, "About flowmark", to.show_about)
    return Menus(actions, recent, models)


def _lab(parent: QWidget) -> None:
    """Tools > Jitter Lab: its own window (imported on first use)."""
    from flowmark_gui.jitter_lab import open_jitter_lab

    open_jitter_lab(parent)


def fill_recent(menu: QMenu, open_path: Callable[[Path], object]) -> None:
    """(Re)build the Open Recent menu from the settings."""
    menu.clear()
    files = recent_files()
    for path in files:
        action = menu.addAction(Path(path).name)
        action.setToolTip(path)
        action.triggered.connect(lambda _checked=False, p=path: open_path(Path(p)))
    menu.setEnabled(bool(files))
