"""Sharp panes: Source and Driving at display resolution and the Result from the
full-resolution path (rendered by the engine worker); View > Sharp Panes off shows the
model's own size, and toggling renders the current frame again."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from flowmark_core.data.synthetic import render_clip
from flowmark_core.io.images import write_image
from flowmark_core.io.video_writer import VideoWriter
from flowmark_gui.render.display_view import display_view
from flowmark_gui.window.main_window import MainWindow
from tests.gui.conftest import TINY, WAIT_MS, WindowFactory, wait_tracked

SOURCE_SIDE = 150  # neither the model's size (64) nor a multiple of it
DRIVING_SIDE = 96


def upscaled(frame: np.ndarray, side: int) -> np.ndarray:
    return cv2.resize(frame, (side, side), interpolation=cv2.INTER_CUBIC)


@pytest.fixture(scope="module")
def big_media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("sharp")
    face = render_clip("faces", 3, 4, 1, 64).frames[0]
    write_image(root / "big-source.png", upscaled(face, SOURCE_SIDE))
    with VideoWriter(root / "big.mp4", fps=25.0) as writer:
        for frame in render_clip("faces", 7, 8, 6, 64, expressive=True).frames:
            writer.write(upscaled(frame, DRIVING_SIDE))
    return {"source": root / "big-source.png", "driving": root / "big.mp4"}


def shown_sides(window: MainWindow) -> tuple[int, int, int]:
    """Heights of the Source, Driving and Result panes' pictures (all square here)."""
    panes = window.panes
    return tuple(int(view.image.image.shape[0]) for view in panes.views)  # type: ignore[return-value]


def test_sharp_panes_show_the_source_size_and_the_toggle_renders_again(
    make_window: WindowFactory, big_media: dict[str, Path], qtbot: QtBot
) -> None:
    window = make_window(big_media["source"], big_media["driving"])
    wait_tracked(qtbot, window)
    session = window.session
    assert session.options.sharp and window.actions["sharp"].isChecked()
    assert session.displayed.output.shape[:2] == (SOURCE_SIDE, SOURCE_SIDE)
    assert shown_sides(window) == (SOURCE_SIDE, DRIVING_SIDE, SOURCE_SIDE)
    assert session.displayed.driving.shape[0] == TINY.image_size  # what the model saw

    window.actions["sharp"].setChecked(False)  # View > Sharp Panes off: the model's view
    size = TINY.image_size
    qtbot.waitUntil(lambda: shown_sides(window) == (size, size, size), timeout=WAIT_MS)
    assert session.displayed.output.shape[:2] == (size, size)
    assert session.displayed.index == session.index

    window.actions["sharp"].setChecked(True)
    sharp = (SOURCE_SIDE, DRIVING_SIDE, SOURCE_SIDE)
    qtbot.waitUntil(lambda: shown_sides(window) == sharp, timeout=WAIT_MS)
    assert session.displayed.output.shape[:2] == (SOURCE_SIDE, SOURCE_SIDE)


def test_sharp_result_is_sharper_than_the_model_view(
    make_window: WindowFactory, big_media: dict[str, Path], qtbot: QtBot
) -> None:
    """The full-resolution Result keeps the source's detail: more high-frequency energy
    than the model's output upscaled to the same size."""
    window = make_window(big_media["source"], big_media["driving"])
    wait_tracked(qtbot, window)
    sharp = window.session.displayed.output
    window.actions["sharp"].setChecked(False)
    size = TINY.image_size
    qtbot.waitUntil(lambda: window.session.displayed.output.shape[0] == size, timeout=WAIT_MS)
    wait_tracked(qtbot, window)
    soft = upscaled(window.session.displayed.output, SOURCE_SIDE)

    def detail(image: np.ndarray) -> float:
        gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
        return float(np.abs(cv2.Laplacian(gray, cv2.CV_32F)).mean())

    assert detail(sharp) > 1.2 * detail(soft)


def test_display_view_caps_the_picture_and_scales_the_box() -> None:
    picture = np.zeros((1500, 3000, 3), np.uint8)
    shown, region = display_view(picture, None, max_side=1000)
    assert shown.shape == (500, 1000, 3)
    assert region == pytest.approx((250.0, 0.0, 500.0))  # the centred square, scaled
