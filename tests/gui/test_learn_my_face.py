"""Learn My Face: a take recorded in camera mode, the setup, progress
with Cancel and Stop and keep, the held-out score before use, and the model library in the
Model menu."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from flowmark_core.adapt.library import library_models
from flowmark_core.checkpoints import save_checkpoint
from flowmark_core.io.video_reader import open_video
from flowmark_core.models import build_model
from flowmark_gui.features.adapt_model import AdaptLimits
from flowmark_gui.state.model_handle import ModelSpec
from flowmark_gui.window.main_window import MainWindow
from tests.gui.conftest import TINY, WAIT_MS, Media, WindowFactory

QUICK = AdaptLimits(min_steps=2, held_out=4, steps=3, face_crop=False)  # a cartoon take


@pytest.fixture(scope="module")
def tiny_model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("learn-face") / "tiny.safetensors"
    return save_checkpoint(path, build_model(TINY), {"step": 0})


def _window(make_window: WindowFactory, media: Media, qtbot: QtBot, model: Path) -> MainWindow:
    window = make_window(
        media["source"], media["long"], spec=ModelSpec(path=str(model), precision="float32")
    )
    qtbot.waitUntil(lambda: window.session.driving is not None, timeout=WAIT_MS)
    return window


def _start(window: MainWindow, name: str, limits: AdaptLimits) -> None:
    """Model ▸ Learn My Face…, the driving video as the take, Start learning."""
    adapter = window.model_adapter
    adapter.limits = limits
    window.actions["adapt_model"].trigger()
    setup = adapter.setup
    assert setup.isVisible() and setup.take.currentData() == str(window.session.driving.path)
    assert setup.target.text().startswith(str(window.learn_face.library.folder))
    setup.name.setText(name)
    setup.start_button.click()
    assert adapter.busy


def test_a_tiny_take_adapts_is_scored_then_used_from_the_library(
    make_window: WindowFactory,
    media: Media,
    qtbot: QtBot,
    tiny_model_file: Path,
    temporary_model_library: Path,
) -> None:
    window = _window(make_window, media, qtbot, tiny_model_file)
    adapter = window.model_adapter
    with qtbot.waitSignal(adapter.ended, timeout=WAIT_MS) as ended:
        _start(window, "Anna", QUICK)
    assert ended.args == ["kept"]
    progress = adapter.progress
    assert "held-out error" in progress.detail.text() and progress.use_button.isVisible()
    assert window.controller.spec.path == str(tiny_model_file)  # not used before asked
    (entry,) = library_models(temporary_model_library)
    assert entry.name == "Anna" and entry.person == "Anna" and entry.steps == 3
    action = window.model_menu.actions[str(entry.path)]  # listed in the Model menu
    assert "held-out error" in action.toolTip() and "for this person: Anna" in action.toolTip()
    with qtbot.waitSignal(adapter.adapted, timeout=WAIT_MS):
        progress.use_button.click()
    qtbot.waitUntil(lambda: window.session.model.info.path == str(entry.path), timeout=WAIT_MS)
    assert action.isChecked()  # the active model is checked
    # A photo with an adapted model: the app says it is for one person only.
    assert any("was adapted to Anna's face" in t for t in window.messages.messages("warning"))
    window.actions["model_puppets-faces-128"].trigger()  # the library loads from the menu too
    qtbot.waitUntil(lambda: not action.isChecked(), timeout=WAIT_MS)
    action.trigger()
    qtbot.waitUntil(lambda: window.session.model.info.path == str(entry.path), timeout=WAIT_MS)


def test_cancel_keeps_nothing(
    make_window: WindowFactory,
    media: Media,
    qtbot: QtBot,
    tiny_model_file: Path,
    temporary_model_library: Path,
) -> None:
    window = _window(make_window, media, qtbot, tiny_model_file)
    adapter = window.model_adapter
    adapter.step_done.connect(lambda *_: adapter.progress.cancel_button.click())
    with qtbot.waitSignal(adapter.ended, timeout=WAIT_MS) as ended:
        _start(window, "Bo", AdaptLimits(min_steps=1, held_out=4, steps=500, face_crop=False))
    assert ended.args == ["cancelled"]
    assert "nothing kept" in adapter.progress.detail.text()
    assert not adapter.progress.use_button.isVisible()
    assert list(temporary_model_library.glob("*.safetensors")) == []
    assert window.controller.spec.path == str(tiny_model_file)


def test_stop_and_keep_below_the_minimum_keeps_nothing(
    make_window: WindowFactory,
    media: Media,
    qtbot: QtBot,
    tiny_model_file: Path,
    temporary_model_library: Path,
) -> None:
    window = _window(make_window, media, qtbot, tiny_model_file)
    adapter = window.model_adapter
    adapter.step_done.connect(lambda *_: adapter.progress.stop_button.click())
    limits = AdaptLimits(min_steps=100, held_out=4, steps=500, face_crop=False)
    with qtbot.waitSignal(adapter.ended, timeout=WAIT_MS) as ended:
        _start(window, "Cy", limits)
    assert ended.args == ["not kept"]
    assert "fewer than the 100" in adapter.progress.detail.text()
    assert list(temporary_model_library.glob("*.safetensors")) == []


def test_a_take_is_recorded_in_camera_mode_with_guidance(
    make_window: WindowFactory, media: Media, qtbot: QtBot, temporary_model_library: Path
) -> None:
    window = make_window(media["source"], None, camera=str(media["long"]))
    qtbot.waitUntil(lambda: window.camera.frames_seen >= 2, timeout=WAIT_MS)
    takes = window.learn_face.takes
    takes.countdown, takes.seconds = 1, 2
    lines: list[str] = []
    takes.guidance.connect(lines.append)
    adapter = window.model_adapter
    with qtbot.waitSignal(takes.finished, timeout=WAIT_MS) as done:
        adapter.setup.record_take.emit()  # "Record a take…" in the setup
        assert takes.active and window.camera_mode
    take = Path(done.args[0])
    assert take.parent == temporary_model_library / "takes"
    assert open_video(take).frame_count >= 30  # 2 s at the camera's 30 fps (paced)
    assert lines[0] == "recording a take in 1… get ready, look at the camera"
    assert "● recording take: 2 s left — look straight at the camera" in lines[1]
    assert lines[-1] == "" and not window.camera_panel.guidance.isVisible()
    assert adapter.setup.isVisible() and adapter.setup.take.currentData() == str(take)
