"""The first screen: bundled model (or the random-weights fallback), sample media, Space plays."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from flowmark_core.resources import sample_driving, sample_source
from flowmark_gui.model_handle import RANDOM_WEIGHTS_WARNING, ModelSpec
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
