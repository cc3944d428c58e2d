"""Camera mode driven by a video file standing in for the camera (`--camera PATH`)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from flowmark_core.io.video_reader import open_video
from flowmark_gui.render import recording
from flowmark_gui.state.values import CameraSettings
from flowmark_gui.window.main_window import MainWindow
from flowmark_gui.workers.camera import RATE_TOLERANCE
from flowmark_gui.workers.camera_input import crop_camera, parse_camera
from tests.gui.conftest import WAIT_MS, Media, WindowFactory


def camera_window(make_window: WindowFactory, media: Media, qtbot: QtBot) -> MainWindow:
    window = make_window(media["source"], None, camera=str(media["driving"]))
    live = window.camera_panel.live

    def animating() -> bool:  # frames before the avatar has loaded are passthrough
        shown = len(live.keypoints.dots.getData()[0])
        return window.camera.frames_seen >= 3 and shown == window.session.num_kp > 0

    qtbot.waitUntil(animating, timeout=WAIT_MS)
    return window


def test_camera_file_produces_live_frames_and_records(
    make_window: WindowFactory,
    media: Media,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = camera_window(make_window, media, qtbot)
    assert window.camera_mode
    camera = window.camera
    assert window.camera_panel.live.has_image and window.camera_panel.result.has_image
    shown = window.camera_panel.live.keypoints.dots.getData()[0]
    assert len(shown) == window.session.num_kp
    assert "fps" in window.status.camera.text() and "latency" in window.status.camera.text()

    # A fake clock: each reading is 0.1 s after the previous one, so the camera "runs" at a
    # known rate far below the file's 30 fps; the file must still last as long as it ran.
    ticks = itertools.count()
    monkeypatch.setattr(recording, "clock", lambda: next(ticks) * 0.1)
    window.camera_panel.controls.record_size.setValue(96)
    camera.start_recording(tmp_path / "live.mp4")
    qtbot.waitUntil(lambda: camera.recording_path is not None, timeout=WAIT_MS)
    seen = camera.frames_seen
    qtbot.waitUntil(lambda: camera.frames_seen >= seen + 6, timeout=WAIT_MS)
    with qtbot.waitSignal(camera.worker.recorded, timeout=WAIT_MS) as recorded:
        camera.stop_recording()
    path, frames = recorded.args
    readings = next(ticks)  # clock readings so far: the first frame's and the stop's
    reader = open_video(path)
    assert reader.frame_count == frames
    assert reader.fps == pytest.approx(30.0)
    assert frames == round((readings - 1) * 0.1 * 30.0)  # first frame to Stop, at 30 fps
    assert frames >= 6 * 3  # each camera frame (0.1 s) is held for 3 file frames
    assert reader.size == (96, 96)  # the chosen size, not the model's 64 px


def test_live_settings_avatars_and_recalibrate_keep_frames_coming(
    make_window: WindowFactory, media: Media, qtbot: QtBot
) -> None:
    window = camera_window(make_window, media, qtbot)
    camera = window.camera
    ghosts: list[np.ndarray] = []
    camera.avatar_image.connect(ghosts.append)
    camera.set_avatar_folder(media["avatars"])
    qtbot.waitUntil(lambda: len(ghosts) == 1, timeout=WAIT_MS)
    window.actions["avatar_2"].trigger()  # number key 2
    qtbot.waitUntil(lambda: len(ghosts) == 2, timeout=WAIT_MS)
    assert camera.avatar_index == 1
    assert not np.array_equal(ghosts[0], ghosts[1])
    window.camera_panel.controls.ghost.setValue(50)
    assert window.camera_panel.live.ghost.opacity() == 0.5
    window.actions["recalibrate"].trigger()  # R in camera mode
    window.camera_panel.controls.zoom.setValue(200)
    window.camera_panel.controls.passthrough.setChecked(True)
    seen = camera.frames_seen
    qtbot.waitUntil(lambda: camera.frames_seen >= seen + 3, timeout=WAIT_MS)
    assert camera.settings.zoom == 2.0 and camera.settings.passthrough
    assert camera.recalibrated_for_crop >= 1  # zooming recalibrates (a new crop, a new pose)
    assert window.controls.motion.best.isHidden()  # video-mode controls are not offered
    assert not window.actions["best"].isEnabled()
    window.camera_panel.controls.start.click()  # stop
    assert not camera.running
    assert window.status.camera.text() == "camera stopped"  # no frozen fps figures
    window.set_mode("video")
    assert not window.controls.motion.best.isHidden()


def test_virtual_camera_without_pyvirtualcam_says_how_to_install(
    make_window: WindowFactory, media: Media, qtbot: QtBot
) -> None:
    window = camera_window(make_window, media, qtbot)
    window.camera_panel.controls.virtual.setChecked(True)
    assert not window.camera_panel.controls.virtual.isChecked()
    assert any("pyvirtualcam" in text for _level, text in window.status.history)


def test_no_camera_found_is_reported(
    make_window: WindowFactory, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("flowmark_gui.controllers.camera_controller.enumerate_cameras", lambda: [])
    window = make_window()
    window.set_mode("camera")
    qtbot.waitUntil(
        lambda: any("no camera found" in t for _level, t in window.status.history),
        timeout=WAIT_MS,
    )
    assert window.camera_panel.controls.source.currentData() is None
    window.camera_panel.controls.start.click()
    assert not window.camera.running


def test_crop_camera_zoom_offset_and_mirror() -> None:
    frame = np.arange(60 * 80 * 3, dtype=np.uint8).reshape(60, 80, 3)
    square = crop_camera(frame, CameraSettings(mirror=False))
    assert square.shape == (60, 60, 3)
    np.testing.assert_array_equal(square, frame[:, 10:70])
    zoomed = crop_camera(frame, CameraSettings(mirror=False, zoom=2.0, offset=(1.0, -1.0)))
    np.testing.assert_array_equal(zoomed, frame[0:30, 50:80])
    mirrored = crop_camera(frame, CameraSettings(mirror=True))
    np.testing.assert_array_equal(mirrored, frame[:, 10:70][:, ::-1])
    assert parse_camera("0") == 0 and parse_camera("clip.mp4") == "clip.mp4"


def test_a_missing_camera_index_is_a_one_line_error(
    make_window: WindowFactory, media: Media, qtbot: QtBot
) -> None:
    window = make_window(media["source"], None, camera="7")
    qtbot.waitUntil(lambda: bool(window.status.errors()), timeout=WAIT_MS)
    assert window.status.errors()[-1] == "camera 7 cannot be opened (in use, or not present)"
    qtbot.waitUntil(lambda: not window.camera.running, timeout=WAIT_MS)
    assert not window.camera_panel.controls.start.isChecked()


def test_the_stabilizer_runs_at_the_measured_rate_and_follows_the_limit(
    make_window: WindowFactory, media: Media, qtbot: QtBot
) -> None:
    window = camera_window(make_window, media, qtbot)
    worker = window.camera.worker

    def follows(measured_at_most: float) -> bool:
        stabilizer, measured = worker.stabilizer_fps, worker.measured_fps
        if stabilizer is None or not 0 < measured <= measured_at_most:
            return False
        return abs(stabilizer - measured) <= RATE_TOLERANCE * stabilizer

    qtbot.waitUntil(lambda: follows(1000.0), timeout=WAIT_MS)
    window.camera_panel.controls.fps.setValue(2.0)  # the limit: measured afresh, then followed
    qtbot.waitUntil(lambda: follows(2.0 * (1 + RATE_TOLERANCE)), timeout=WAIT_MS)
