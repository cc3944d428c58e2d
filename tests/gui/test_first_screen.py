"""The first screen: bundled model (or the random-weights fallback), sample media, Space plays."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from flowmark_core.resources import sample_driving, sample_source
from flowmark_gui.state.model_handle import RANDOM_WEIGHTS_WARNING, ModelSpec
from tests.gui.conftest import WAIT_MS, Media, WindowFactory, wait_tracked


def _resources(
    tmp_path: Path, media: Media, monkeypatch: pytest.MonkeyPatch, with_media: bool = True
) -> None:
    root = tmp_path / "resources"
    (root / "models").mkdir(parents=True)
    (root / "media").mkdir()
    if with_media:
        shutil.copy(media["source"], root / "media" / "source.png")
        shutil.copy(media["driving"], root / "media" / "driving.mp4")
    monkeypatch.setenv("FLOWMARK_RESOURCES", str(root))


def test_first_screen_loads_samples_with_random_weight_fallback(
    make_window: WindowFactory,
    media: Media,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _resources(tmp_path, media, monkeypatch)
    window = make_window(sample_source(), sample_driving(), spec=ModelSpec(precision="float32"))
    wait_tracked(qtbot, window)
    session = window.session
    assert session.model.info.random_weights
    assert RANDOM_WEIGHTS_WARNING in [text for _level, text in window.status.history]
    assert "untrained" in window.status.model.text()
    assert session.source.path == sample_source()
    assert session.driving.path == sample_driving()
    assert window.panes.source.has_image and window.panes.result.has_image
    assert window.timeline.counter.text() == f"0 / {session.length - 1}"

    window.actions["play"].trigger()  # Space
    assert session.playing
    qtbot.waitUntil(lambda: session.index >= 3, timeout=WAIT_MS)
    window.actions["play"].trigger()
    assert not session.playing


def test_first_screen_without_sample_media_starts_empty_with_a_message(
    make_window: WindowFactory,
    media: Media,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _resources(tmp_path, media, monkeypatch, with_media=False)
    window = make_window(sample_source(), sample_driving())
    qtbot.waitUntil(lambda: window.session.model is not None, timeout=WAIT_MS)
    assert any("sample media not found" in text for _level, text in window.status.history)
    assert window.session.source is None and window.session.driving is None
    assert not window.panes.source.has_image
    window.actions["play"].trigger()
    assert not window.session.playing


def test_window_geometry_is_saved_to_the_temporary_settings(
    make_window: WindowFactory, media: Media, qtbot: QtBot, temporary_settings: Path
) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: window.session.model is not None, timeout=WAIT_MS)
    window.close()
    assert temporary_settings.exists()
    assert "geometry" in temporary_settings.read_text()


def test_a_missing_model_is_reported_and_the_bundled_one_is_used(
    make_window: WindowFactory,
    media: Media,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _resources(tmp_path, media, monkeypatch)
    spec = ModelSpec(path="missing.pth.tar", config="vox-256.yaml", precision="float32")
    window = make_window(media["source"], media["driving"], spec=spec)
    wait_tracked(qtbot, window)  # the fallback model animates the media
    errors = window.status.errors()
    assert errors and "missing.pth.tar: no such model file" in errors[0]
    assert "using the bundled model instead" in errors[0]
    assert not any("no model is loaded" in text for _level, text in window.status.history)
    assert window.session.model is not None and window.panes.result.has_image


def test_video_mode_keeps_its_docks_after_quitting_in_camera_mode(
    make_window: WindowFactory, media: Media, qtbot: QtBot
) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: window.session.model is not None, timeout=WAIT_MS)
    assert window.trajectory_dock.isVisible()
    window.set_mode("camera")
    assert not window.trajectory_dock.isVisible()
    window.close()  # quit in camera mode
    again = make_window()
    assert not again.camera_mode
    assert again.trajectory_dock.isVisible()
    again.set_mode("camera")
    again.set_mode("video")
    assert again.trajectory_dock.isVisible()


def test_the_trajectory_dock_grows_with_the_window(
    make_window: WindowFactory, qtbot: QtBot
) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: window.session.model is not None, timeout=WAIT_MS)
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.height() == 700, timeout=WAIT_MS)
    small = window.trajectory_dock.height()
    assert small >= 220  # room for the plots and several table rows
    window.resize(1600, 1000)
    qtbot.waitUntil(lambda: window.height() == 1000, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.trajectory_dock.height() > small + 60, timeout=WAIT_MS)
