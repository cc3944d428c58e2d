"""Pure helpers: overlay geometry, routing, caches, session bookkeeping, settings, and the
thread-leak check itself."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication, QTreeView

from flowmark_core.animate import FrameResult
from flowmark_core.drawing import keypoint_colour
from flowmark_core.geometry import make_coordinate_grid
from flowmark_core.io.truncated_videos import ACCEPT_TRUNCATED_ENV, truncated_videos_accepted
from flowmark_gui import qt_check
from flowmark_gui.app import main as app_main
from flowmark_gui.dialogs.file_dialogs import DIALOG_SIZE, NAME_COLUMN_PX, make_file_dialog
from flowmark_gui.qt_check import install_line, missing_from_ldd, wants_xcb
from flowmark_gui.render.compose import draw_pane
from flowmark_gui.render.overlays import (
    PaneLayers,
    heatmap_rgba,
    jacobian_segments,
    motion_segments,
)
from flowmark_gui.render.recording import frames_due, scaled_to
from flowmark_gui.state.file_routing import Role, classify, route
from flowmark_gui.state.result_cache import ResultCache, result_bytes
from flowmark_gui.state.session import Session
from flowmark_gui.state.settings import add_recent_file, recent_files
from flowmark_gui.state.values import OverlayOptions, RenderedFrame, RenderOptions
from flowmark_gui.workers.base import WorkerThread
from tests.gui.conftest import leftover_threads


def _result(index: int, size: int = 16) -> FrameResult:
    z = np.zeros((size, size, 3), np.uint8)
    kp = np.zeros((2, 2), np.float32)
    grid = make_coordinate_grid(4, 4).numpy()
    return FrameResult(index, z, z, kp, kp, None, None, kp, None, grid, None)


def test_heatmap_uses_keypoint_colours_and_opacity() -> None:
    heat = np.zeros((2, 8, 8), np.float32)
    heat[0, 1, 1] = 1.0
    heat[1, 6, 6] = 1.0
    rgba = heatmap_rgba(heat, 8, 0.5)
    assert tuple(rgba[1, 1, :3]) == keypoint_colour(0)
    assert tuple(rgba[6, 6, :3]) == keypoint_colour(1)
    assert rgba[1, 1, 3] == 127 and rgba[4, 0, 3] == 0
    only = heatmap_rgba(heat, 8, 1.0, only=[1])
    assert only[1, 1, 3] == 0 and only[6, 6, 3] == 255


def test_identity_motion_has_zero_length_arrows() -> None:
    segments = motion_segments(make_coordinate_grid(8, 8).numpy(), 64, arrows=4)
    assert segments.shape == (16, 2, 2)
    np.testing.assert_allclose(segments[:, 0], segments[:, 1], atol=1e-5)
    shifted = make_coordinate_grid(8, 8).numpy() - np.array([0.5, 0.0], np.float32)
    moved = motion_segments(shifted, 65, arrows=4)
    np.testing.assert_allclose(moved[:, 1, 0] - moved[:, 0, 0], 16.0, atol=1e-4)


def test_jacobian_axes_are_the_matrix_columns() -> None:
    jac = np.array([[[2.0, 0.0], [1.0, 3.0]]])
    segs = jacobian_segments(np.array([[10.0, 20.0]]), jac, length=1.0)
    np.testing.assert_allclose(segs[0, 0], [[10, 20], [12, 21]])
    np.testing.assert_allclose(segs[0, 1], [[10, 20], [10, 23]])


def test_draw_pane_draws_keypoints_in_their_colours() -> None:
    image = np.zeros((32, 32, 3), np.uint8)
    layers = PaneLayers(keypoints=np.array([[15.5, 15.5]]))
    out = draw_pane(image, layers, OverlayOptions(), 64, 32)
    assert out.shape == (64, 64, 3)
    assert tuple(out[32, 32]) == keypoint_colour(0)
    hidden = draw_pane(image, layers, OverlayOptions(keypoints=False), 64, 32)
    assert not hidden.any()


@pytest.mark.parametrize(
    ("name", "target", "role"),
    [
        ("a.png", None, Role.SOURCE),
        ("a.JPG", Role.SOURCE, Role.SOURCE),
        ("clip.mp4", None, Role.DRIVING),
        ("anim.gif", Role.DRIVING, Role.DRIVING),
        ("clip.mp4", Role.SOURCE, Role.DRIVING),  # routed where it belongs, with a note
        ("a.png", Role.DRIVING, Role.SOURCE),
        ("notes.txt", None, None),
        ("m.safetensors", None, Role.MODEL),
    ],
)
def test_route_by_type(name: str, target: Role | None, role: Role | None) -> None:
    chosen, reason = route(name, target)
    assert chosen is role
    assert (reason == "") == (role is not None and target in (None, role))


def test_a_frame_folder_is_a_driving_video(tmp_path: Path) -> None:
    (tmp_path / "0001.png").write_bytes(b"x")
    assert classify(tmp_path) is Role.DRIVING


def test_result_cache_evicts_least_recently_used() -> None:
    one = result_bytes(_result(0))
    cache = ResultCache(budget_bytes=3 * one)
    for i in range(3):
        cache.put(i, _result(i))
    cache.get(0)
    cache.put(3, _result(3))
    assert 0 in cache and 1 not in cache and len(cache) == 3


def test_session_refuses_stale_results(qapp: QApplication) -> None:
    session = Session()
    assert session.set_options(RenderOptions(mode="absolute")) == 1
    assert not session.accept(RenderedFrame(1, 0, _result(0)))  # no track yet
    assert not session.accept(RenderedFrame(0, 0, _result(0)))
    assert RenderOptions().needs_retrack(RenderOptions(stabilizer="flow"))
    assert not RenderOptions().needs_retrack(RenderOptions(mode="absolute"))


def test_selection_clicks(qapp: QApplication) -> None:
    session = Session()
    session.click_keypoint(0, additive=False)
    assert session.selection == (0,)
    session.click_keypoint(0, additive=True)
    assert session.selection == ()


def test_recent_files_use_the_temporary_settings(tmp_path: Path, temporary_settings: Path) -> None:
    a, b = tmp_path / "a.png", tmp_path / "b.mp4"
    a.write_bytes(b"x")
    b.write_bytes(b"x")
    add_recent_file(a)
    add_recent_file(b)
    add_recent_file(a)
    assert recent_files() == [str(a.resolve()), str(b.resolve())]
    assert temporary_settings.exists()


def test_thread_check_catches_a_running_worker(qapp: QApplication) -> None:
    before = set(threading.enumerate())
    worker = WorkerThread("left-running")
    worker.start()
    assert leftover_threads(before, grace_s=0.1) == ["left-running"]
    worker.stop()
    assert leftover_threads(before, grace_s=1.0) == []


def test_recordings_follow_the_frames_timestamps() -> None:
    # 18 fps for 10 s into a 30 fps file: 10 s of video, frames repeated to their times
    stamps = [i / 18.0 for i in range(180)]
    written = [frames_due(t, 30.0) for t in stamps]
    assert written[0] == 1 and written[-1] == frames_due(179 / 18.0, 30.0) == 299
    assert frames_due(10.0, 30.0) - 1 == 300  # stopped at 10 s: exactly 10 s of frames
    # frames faster than the file: some are dropped (never two for one instant)
    assert [frames_due(i / 60.0, 30.0) for i in range(4)] == [1, 2, 2, 3]
    wide = np.zeros((60, 80, 3), np.uint8)
    assert scaled_to(wide, 160).shape == (120, 160, 3)


def test_file_dialogs_are_roomy(qtbot: object) -> None:
    dialog = make_file_dialog(None, "Open source image", "", "Images (*.png)")
    assert (dialog.width(), dialog.height()) == DIALOG_SIZE
    trees = dialog.findChildren(QTreeView)
    assert trees and trees[0].header().sectionSize(0) == NAME_COLUMN_PX
    dialog.deleteLater()


LDD_OUTPUT = """\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /x/Qt/lib/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)
"""


def test_missing_xcb_libraries_become_one_apt_line() -> None:
    missing = missing_from_ldd(LDD_OUTPUT)
    assert missing == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    line = install_line([*missing, "libxcb-cursor.so.0"])
    assert line == "sudo apt-get install -y libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0"
    assert wants_xcb({"QT_QPA_PLATFORM": "xcb"}) == sys.platform.startswith("linux")
    assert not wants_xcb({"QT_QPA_PLATFORM": "offscreen"})


def test_the_app_stops_with_the_apt_line_before_qt_aborts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(qt_check, "xcb_problem", lambda: "flowmark-gui: ... apt-get install")
    assert app_main([]) == 2
    assert capsys.readouterr().err.strip() == "flowmark-gui: ... apt-get install"


def test_accept_truncated_reaches_every_video_reader_of_the_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ACCEPT_TRUNCATED_ENV, raising=False)  # restored after the test
    monkeypatch.setattr(qt_check, "xcb_problem", lambda: "flowmark-gui: ... apt-get install")
    assert not truncated_videos_accepted()
    app_main([])
    assert not truncated_videos_accepted()
    app_main(["--accept-truncated"])
    assert truncated_videos_accepted()
