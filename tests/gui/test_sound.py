"""The driving file's sound in the app's outputs: the export and a
camera recording of a stand-in file carry it, for the duration of their frames."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from flowmark_core.io.video_reader import open_video
from flowmark_gui.render import recording
from tests.core.io.sound import RATE, decoded_audio, tone_clip
from tests.gui.conftest import WAIT_MS, Media, WindowFactory, wait_tracked

FPS = 25.0


@pytest.fixture(scope="module")
def tone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tone_clip(tmp_path_factory.mktemp("gui-sound") / "tone.mp4", 0.8, FPS)


def test_export_keeps_the_driving_sound(
    make_window: WindowFactory, media: Media, qtbot: QtBot, tmp_path: Path, tone: Path
) -> None:
    window = make_window(media["source"], tone)
    wait_tracked(qtbot, window)
    dialog = window.show_export()
    dialog.path.setText(str(tmp_path / "out.mp4"))
    dialog.size.setValue(48)
    assert dialog.start()
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT_MS)
    frames = open_video(tmp_path / "out.mp4").frame_count
    samples = decoded_audio(tmp_path / "out.mp4")
    assert frames == 20 and samples is not None
    assert abs(len(samples) / RATE - frames / FPS) <= 1 / FPS


def test_a_camera_recording_of_a_file_keeps_its_sound(
    make_window: WindowFactory,
    media: Media,
    qtbot: QtBot,
    tmp_path: Path,
    tone: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = make_window(media["source"], None, camera=str(tone))
    camera = window.camera
    qtbot.waitUntil(lambda: camera.frames_seen >= 2, timeout=WAIT_MS)
    # A fake clock at the file's rate: each camera frame is stamped 1/25 s after the last,
    # so the recording lasts as long as the part of the file it showed.
    ticks = itertools.count()
    monkeypatch.setattr(recording, "clock", lambda: next(ticks) / FPS)
    camera.start_recording(tmp_path / "live.mp4")
    qtbot.waitUntil(lambda: camera.recording_path is not None, timeout=WAIT_MS)
    seen = camera.frames_seen
    qtbot.waitUntil(lambda: camera.frames_seen >= seen + 30, timeout=WAIT_MS)  # loops once
    with qtbot.waitSignal(camera.worker.recorded, timeout=WAIT_MS) as recorded:
        camera.stop_recording()
    path, frames = recorded.args
    reader = open_video(path)
    samples = decoded_audio(Path(path))
    assert samples is not None and samples.std() > 0.1
    assert abs(len(samples) / RATE - frames / reader.fps) <= 1 / reader.fps
