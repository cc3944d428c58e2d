"""Framing: non-square media are centre-cropped, never stretched; face crop uses
one box per clip, stored with the track (a frame renders the same whatever was viewed before);
overlays work in face-crop mode, placed through the source's crop box."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from flowmark_core.animate.clip_box import median_box
from flowmark_core.animate.face_crop import CropBox, FaceCropper
from flowmark_core.data.synthetic import render_clip
from flowmark_core.io.images import write_image
from flowmark_core.io.video_reader import open_video
from flowmark_core.io.video_writer import VideoWriter
from flowmark_gui.render.compose import draw_pane
from flowmark_gui.render.overlays import PaneLayers
from flowmark_gui.state.values import OverlayOptions
from flowmark_gui.window.main_window import MainWindow
from tests.gui.conftest import WAIT_MS, Media, WindowFactory, wait_tracked

BAND = 12  # red columns added on each side of a 64x64 picture


def banded(frame: np.ndarray) -> np.ndarray:
    """`frame` with a pure red band left and right (a wider, non-square picture)."""
    band = np.zeros((frame.shape[0], BAND, 3), np.uint8)
    band[..., 0] = 255
    return np.concatenate([band, frame, band], axis=1)


def red_share(image: np.ndarray) -> float:
    """Fraction of pixels that are clearly red."""
    rgb = np.asarray(image, np.int32)
    red = (rgb[..., 0] > 180) & (rgb[..., 1] < 90) & (rgb[..., 2] < 90)
    return float(red.mean())


@pytest.fixture(scope="module")
def wide_media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("wide")
    clip = render_clip("faces", 7, 8, 12, 64, expressive=True).frames
    face = render_clip("faces", 3, 4, 1, 64).frames[0]
    write_image(root / "wide-source.png", banded(face))
    with VideoWriter(root / "wide.mp4", fps=25.0) as writer:
        for frame in clip:
            writer.write(banded(frame))
    return {"source": root / "wide-source.png", "driving": root / "wide.mp4"}


def track_with_face_crop(qtbot: QtBot, window: MainWindow) -> None:
    """Wait for the first track, switch face crop on and wait for the re-track."""
    wait_tracked(qtbot, window)
    first = window.session.track
    window.controls.motion.face_crop.setChecked(True)
    qtbot.waitUntil(lambda: window.session.track is not first, timeout=WAIT_MS)
    wait_tracked(qtbot, window)


def test_non_square_media_are_centre_cropped_not_stretched(
    make_window: WindowFactory, wide_media: dict[str, Path], qtbot: QtBot
) -> None:
    window = make_window(wide_media["source"], wide_media["driving"])
    wait_tracked(qtbot, window)
    session = window.session
    assert session.driving.size == (64 + 2 * BAND, 64)
    assert red_share(session.source.image) == 0.0  # stretched, the bands would show
    assert red_share(session.displayed.driving) == 0.0
    # Sharp panes show the whole frame, the model's centred square marked for the overlays.
    assert window.panes.driving.image.image.shape[:2] == (64, 64 + 2 * BAND)
    assert window.panes.views[1]._layers.region == (BAND, 0.0, 64.0)
    assert "centre crop" in window.panes.driving.caption.text()
    assert "centre 64×64 used, not stretched" in window.panes.driving.toolTip()


def test_overlays_work_in_face_crop_mode(
    make_window: WindowFactory, wide_media: dict[str, Path], media: Media, qtbot: QtBot
) -> None:
    window = make_window(wide_media["source"], media["driving"])
    track_with_face_crop(qtbot, window)
    session, result = window.session, window.panes.result
    assert session.displayed.output.shape[:2] == (64, 64 + 2 * BAND)  # the whole source
    window.actions["overlay_motion"].trigger()  # M
    window.actions["overlay_occlusion"].trigger()  # O
    # motion is there (arrows are drawn only where it exceeds 1/150 of the pane; the tiny
    # model at its reference frame has none, test_newcomer_defects covers the drawing)
    assert session.displayed.motion is not None
    assert result.occlusion.image is not None
    rect = result.occlusion.mapRectToParent(result.occlusion.boundingRect())
    box = session.source.box
    assert abs(rect.x() - box.x) < 1e-6 and abs(rect.width() - box.size) < 1e-6
    x, _y = result.keypoints.dots.getData()
    assert len(x) == session.num_kp  # the Result keeps its keypoints
    assert (x >= box.x - 1e-6).all() and (x <= box.x + box.size).all()
    assert "mean flow residual" in window.jitter.summary.text()  # jitter numbers stay on


def test_face_crop_uses_one_box_per_clip_whatever_the_viewing_order(
    make_window: WindowFactory, media: Media, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def moving_face(self: FaceCropper, image: np.ndarray) -> CropBox:
        """A stand-in detector whose box follows the picture's content."""
        shift = float(np.asarray(image, np.float64).mean()) * 13.0 % 24.0
        return CropBox(shift, 0.0, 40.0)

    monkeypatch.setattr(FaceCropper, "detect", moving_face)
    window = make_window(media["source"], media["driving"])
    track_with_face_crop(qtbot, window)
    session = window.session

    def show(index: int) -> np.ndarray:
        session.set_index(index)
        qtbot.waitUntil(lambda: session.has_current_result(), timeout=WAIT_MS)
        return session.displayed.driving.copy()

    direct = show(6)
    session.results.clear()  # forget every rendered frame, then arrive at 6 another way
    for index in (11, 2, 9):
        show(index)
    session.results.clear()
    assert np.array_equal(show(6), direct)
    # One box for the whole clip, though the stand-in detector's box moves from frame to
    # frame: the median of its boxes on the first five frames (`clip_box`).
    reader = open_video(media["driving"])
    first = [moving_face(FaceCropper(), reader.read_frame(i)) for i in range(5)]
    assert session.track.track.crop_box == median_box(first)
    assert len({b.x for b in first}) > 1


def test_face_crop_export_draws_the_result_overlays_in_the_crop_box(
    make_window: WindowFactory,
    wide_media: dict[str, Path],
    media: Media,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    window = make_window(wide_media["source"], media["driving"])
    track_with_face_crop(qtbot, window)
    window.session.set_overlays(motion=True, occlusion=True)
    dialog = window.show_export()
    dialog.path.setText(str(tmp_path / "crop.mp4"))
    dialog.size.setValue(64)
    dialog.layout_box.setCurrentIndex(dialog.layout_box.findData("side-by-side"))
    assert dialog.start()
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT_MS)
    assert "wrote 12 frames" in dialog.status.text()


def test_overlays_in_a_region_are_drawn_inside_it() -> None:
    image = np.zeros((64, 64, 3), np.uint8)
    layers = PaneLayers(keypoints=np.array([[0.0, 0.0]]), region=(32.0, 16.0, 32.0))
    out = draw_pane(image, layers, OverlayOptions(raw_keypoints=False), 64, 64)
    assert out[16, 32].any()  # the dot sits at the region's corner, not the picture's
    assert not out[:, :28].any() and not out[0:4, 0:4].any()
