"""A newcomer's first-use defects: each test failed on the code before the fix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from flowmark_core.geometry import make_coordinate_grid
from flowmark_gui.dialogs import confirm
from flowmark_gui.render.overlays import PaneLayers
from flowmark_gui.window.main_window import MainWindow
from tests.gui.conftest import WAIT_MS, Media, WindowFactory, wait_tracked
from tests.gui.test_camera import camera_window
from tests.gui.test_export import hold_after_first_frame


@pytest.fixture
def questions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every Yes/No question asked; each is answered No."""
    asked: list[str] = []

    def answer_no(_parent: object, _title: str, text: str, _yes: str = "Yes") -> bool:
        asked.append(text)
        return False

    monkeypatch.setattr(confirm, "ask", answer_no)
    return asked


# -- 1. the reference frame of a new driving video --------------------------------------------
def test_a_new_driving_video_starts_with_its_first_frame_as_reference(
    make_window: WindowFactory, media: Media, qtbot: QtBot
) -> None:
    window = make_window(media["source"], media["long"])
    wait_tracked(qtbot, window)
    session = window.session
    session.set_index(30)
    qtbot.waitUntil(lambda: session.displayed.index == 30, timeout=WAIT_MS)
    window.actions["recalibrate"].trigger()  # frame 30 of 40 is the reference
    assert session.options.reference_index == 30
    window.controller.open_path(media["driving"])  # 12 frames: there is no frame 30

    def new_clip_shown() -> bool:
        track = session.track
        return track is not None and track.length == 12 and session.has_current_result()

    qtbot.waitUntil(new_clip_shown, timeout=WAIT_MS)
    assert session.options.reference_index == 0
    assert window.controls.motion.reference.text() == "reference: driving frame 0"
    # Frame 0 is the reference: relative motion is zero there, the source pose is rendered.
    assert session.displayed.index == 0
    np.testing.assert_allclose(
        session.displayed.kp_rendered, session.source.keypoints.value, atol=1e-3
    )


# -- 2. Jacobian axes without the keypoint dots, and in camera mode ---------------------------
def test_jacobian_axes_are_drawn_without_the_keypoint_dots(
    loaded: MainWindow, qtbot: QtBot
) -> None:
    loaded.session.set_overlays(keypoints=False, jacobians=True)
    layer = loaded.panes.driving.keypoints
    assert layer.jacobians.segment_count == 2 * loaded.session.num_kp
    assert len(layer.dots.getData()[0]) == 0


def test_camera_mode_draws_jacobian_axes(
    make_window: WindowFactory, media: Media, qtbot: QtBot
) -> None:
    window = camera_window(make_window, media, qtbot)
    window.session.set_overlays(jacobians=True)
    axes = window.camera_panel.live.keypoints.jacobians
    qtbot.waitUntil(lambda: axes.segment_count == 2 * window.session.num_kp, timeout=WAIT_MS)


# -- 3. export file names ---------------------------------------------------------------------
def test_export_asks_before_replacing_a_file(
    loaded: MainWindow, tmp_path: Path, questions: list[str]
) -> None:
    taken = tmp_path / "taken.mp4"
    taken.write_bytes(b"keep me")
    dialog = loaded.show_export()
    dialog.path.setText(str(taken))
    assert not dialog.start()  # answered No
    assert taken.read_bytes() == b"keep me"
    assert len(questions) == 1 and "taken.mp4" in questions[0]
    assert "taken.mp4 exists" in dialog.status.text()


def test_export_again_proposes_a_new_file_name(
    loaded: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = loaded.show_export()
    dialog.path.setText(str(tmp_path / "first.mp4"))
    dialog.size.setValue(48)
    assert dialog.start()
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT_MS)
    assert (tmp_path / "first.mp4").exists()
    loaded.show_export()  # opened again
    proposed = Path(dialog.path.text())
    assert proposed.parent == tmp_path and proposed.suffix == ".mp4"
    assert not proposed.exists()


def test_a_typed_extension_is_the_format_written(
    loaded: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    out = tmp_path / "exports"
    out.mkdir()
    dialog = loaded.show_export()
    dialog.size.setValue(48)
    dialog.format.setCurrentText("gif")
    dialog.path.setText(str(out / "typed.mp4"))
    assert dialog.start()
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT_MS)
    assert [p.name for p in out.iterdir()] == ["typed.mp4"]
    assert dialog.format.currentText() == "mp4"
    assert dialog.path.text() == str(out / "typed.mp4")


# -- 4. quitting while work runs --------------------------------------------------------------
def test_quit_during_an_export_asks_first(
    loaded: MainWindow,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    questions: list[str],
) -> None:
    release = hold_after_first_frame(monkeypatch)
    dialog = loaded.show_export()
    dialog.path.setText(str(tmp_path / "running.mp4"))
    dialog.size.setValue(48)
    assert dialog.start()
    qtbot.waitUntil(lambda: dialog.progress.value() >= 1, timeout=WAIT_MS)
    loaded.actions["quit"].trigger()  # Ctrl+Q, answered No
    assert loaded.isVisible() and dialog.running
    assert len(questions) == 1 and "export" in questions[0]
    release.set()
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT_MS)
    assert (tmp_path / "running.mp4").exists()


# -- 5. camera mode without a webcam ----------------------------------------------------------
def test_a_video_file_can_be_chosen_as_the_camera_in_the_app(
    make_window: WindowFactory, media: Media, qtbot: QtBot
) -> None:
    window = make_window(media["source"])
    window.set_mode("camera")
    controls = window.camera_panel.controls
    assert controls.use_file.isEnabled()
    controls.choose_file_source(media["driving"])  # what "Video file…" does once chosen
    assert controls.source.currentData() == str(media["driving"])
    qtbot.waitUntil(lambda: window.session.model is not None, timeout=WAIT_MS)
    controls.start.click()
    qtbot.waitUntil(lambda: window.camera.frames_seen >= 2, timeout=WAIT_MS)


def test_avatar_keys_are_offered_only_for_avatars_in_the_gallery(
    make_window: WindowFactory, media: Media, qtbot: QtBot
) -> None:
    window = make_window(media["source"])
    gallery = window.camera_panel.gallery
    assert not any(window.actions[f"avatar_{n}"].isEnabled() for n in range(1, 10))
    window.set_mode("camera")
    assert gallery.hint.isVisible() and "folder" in gallery.hint.text()
    window.camera.set_avatar_folder(media["avatars"])  # two images
    enabled = [n for n in range(1, 10) if window.actions[f"avatar_{n}"].isEnabled()]
    assert enabled == [1, 2]
    assert not gallery.hint.isVisible()


# -- 11. overlays that explain themselves -----------------------------------------------------
def test_a_still_face_has_no_motion_arrows_and_the_overlays_say_what_they_show(
    loaded: MainWindow,
) -> None:
    session = loaded.session
    assert session.index == session.options.reference_index == 0  # no motion at the reference
    session.set_overlays(motion=True, occlusion=True)
    result = loaded.panes.result
    assert result.arrows.segment_count == 0  # was a grid of white dots
    explain = loaded.controls.overlays.explain.text()
    assert "none on a face that does not move" in explain and "magenta" in explain
    # The same pane with a picture that moves by a tenth of its width: arrows.
    size = session.image_size
    moved = make_coordinate_grid(size // 4, size // 4).numpy() + np.float32([0.2, 0.0])
    result.set_frame(session.displayed.output, PaneLayers(motion=moved), size)
    assert result.arrows.segment_count > 0
