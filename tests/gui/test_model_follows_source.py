"""Until the user picks a model, the app picks it for the source: the photo model for a real
photo, the default for a drawing, said in the status bar. A model the user picked stays."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest
from pytestqt.qtbot import QtBot

from flowmark_core.resources import DEFAULT_MODEL_NAME, PHOTO_MODEL_NAME, bundled_models
from flowmark_gui.controllers.controller import CHANGE_MODEL_HINT
from flowmark_gui.state.model_handle import ModelSpec
from flowmark_gui.window.main_window import MainWindow
from tests.gui.conftest import WAIT_MS, Media, WindowFactory, settle
from tests.gui.test_drops import drop

PHOTO = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"  # a real portrait
AUTOMATIC = ModelSpec(precision="float32")  # no model named: the app chooses
LOAD_MS = 3 * WAIT_MS  # two 128 px models loaded in turn, on a busy machine too


@pytest.fixture(autouse=True)
def both_models_bundled() -> None:
    if not {DEFAULT_MODEL_NAME, PHOTO_MODEL_NAME} <= set(bundled_models()):
        pytest.skip(f"{DEFAULT_MODEL_NAME} and {PHOTO_MODEL_NAME} are not both bundled")


def _model(window: MainWindow) -> str | None:
    model = window.session.model
    return None if model is None or model.info.path is None else Path(model.info.path).stem


def _wait(qtbot: QtBot, window: MainWindow, source: Path, model: str) -> None:
    """Wait until `source` is shown with `model` and the engine has nothing left to do."""

    def ready() -> bool:
        s = window.session
        return s.source is not None and s.source.path == source and _model(window) == model

    qtbot.waitUntil(ready, timeout=LOAD_MS)
    settle(qtbot, window.controller.engine)  # no further switch was queued
    assert ready()


def _infos(window: MainWindow) -> list[str]:
    return [text for level, text in window.status.history if level == "info"]


def _real_face_notes(window: MainWindow) -> list[str]:
    return [t for level, t in window.status.history if level == "warning" and "real photo" in t]


def test_a_dropped_photo_gets_the_photo_model_and_a_drawing_the_default(
    make_window: WindowFactory, media: Media, qtbot: QtBot
) -> None:
    window = make_window(media["source"], spec=AUTOMATIC)
    _wait(qtbot, window, media["source"], DEFAULT_MODEL_NAME)
    assert drop(window.panes.source, PHOTO)
    _wait(qtbot, window, PHOTO, PHOTO_MODEL_NAME)
    said = f"{PHOTO.name} looks like a photo: using {PHOTO_MODEL_NAME} ({CHANGE_MODEL_HINT})"
    assert said in _infos(window)
    assert window.status.model.text().startswith(f"model: {PHOTO_MODEL_NAME}")  # status bar
    assert window.model_menu.bundled[PHOTO_MODEL_NAME].isChecked()
    assert _real_face_notes(window) == []  # nothing to advise: the app switched

    assert drop(window.panes.source, media["other"])  # a cartoon face: back to the default
    _wait(qtbot, window, media["other"], DEFAULT_MODEL_NAME)
    assert any(
        t.startswith(f"{media['other'].name} does not look like a photo")
        and f"using {DEFAULT_MODEL_NAME}" in t
        for t in _infos(window)
    )
    assert window.model_menu.bundled[DEFAULT_MODEL_NAME].isChecked()


def test_a_photo_given_at_start_gets_the_photo_model(
    make_window: WindowFactory, qtbot: QtBot
) -> None:
    window = make_window(PHOTO, spec=AUTOMATIC)
    _wait(qtbot, window, PHOTO, PHOTO_MODEL_NAME)
    assert window.session.source is not None and window.session.source.real_photo


def test_a_model_the_user_picked_is_never_switched(
    make_window: WindowFactory, media: Media, qtbot: QtBot
) -> None:
    window = make_window(media["source"], spec=AUTOMATIC)
    _wait(qtbot, window, media["source"], DEFAULT_MODEL_NAME)
    window.actions[f"model_{DEFAULT_MODEL_NAME}"].trigger()  # picked in the Model menu
    settle(qtbot, window.controller.engine)
    assert drop(window.panes.source, PHOTO)
    _wait(qtbot, window, PHOTO, DEFAULT_MODEL_NAME)  # a photo, but the user's model stays
    assert not any("looks like a photo: using" in t for t in _infos(window))
    qtbot.waitUntil(lambda: len(_real_face_notes(window)) == 1, timeout=WAIT_MS)  # the advice

    window.actions["model_faces-mix-128"].trigger()  # another pick, then a drawing
    assert drop(window.panes.source, media["other"])
    _wait(qtbot, window, media["other"], "faces-mix-128")


def test_a_model_given_on_the_command_line_is_the_users_choice(
    make_window: WindowFactory, qtbot: QtBot
) -> None:
    window = make_window(PHOTO, spec=ModelSpec(DEFAULT_MODEL_NAME, precision="float32"))
    _wait(qtbot, window, PHOTO, DEFAULT_MODEL_NAME)
    assert not window.controller.model_follows_source


def test_generate_motion_on_a_photo_uses_the_model_with_a_prior(
    make_window: WindowFactory, qtbot: QtBot
) -> None:
    """The photo model the app chose has no bundled prior: the default's prior moves it."""
    prior = bundled_models()[PHOTO_MODEL_NAME].parent / "priors" / f"{PHOTO_MODEL_NAME}.safetensors"
    if prior.is_file():
        pytest.skip(f"{PHOTO_MODEL_NAME} has a bundled prior")
    window = make_window(PHOTO, spec=AUTOMATIC)
    _wait(qtbot, window, PHOTO, PHOTO_MODEL_NAME)
    with qtbot.waitSignal(window.motion_generator.generated, timeout=WAIT_MS):
        window.actions["generate_motion"].trigger()
    assert any(f"generated with {DEFAULT_MODEL_NAME}" in t for t in _infos(window))
    assert _model(window) == PHOTO_MODEL_NAME  # the panes keep the photo model
