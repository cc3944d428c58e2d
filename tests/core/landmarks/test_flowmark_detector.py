"""Model-input pixels map back to video pixels as cv2.resize maps pixel centres."""

from __future__ import annotations

import numpy as np

from flowmark_core.animate.face_crop import CropBox
from flowmark_core.landmarks.flowmark_detector import to_video_pixels


def test_without_box_the_centred_square() -> None:
    pts = np.array([[-0.5, -0.5], [127.5, 127.5], [63.5, 63.5]])
    out = to_video_pixels(pts, 128, (256, 128), None)  # the square x in 64..191
    np.testing.assert_allclose(out, [[63.5, -0.5], [191.5, 127.5], [127.5, 63.5]])


def test_crop_box_mapping() -> None:
    box = CropBox(10.0, 20.0, 64.0)  # 64 px square at (10, 20), model input 128
    out = to_video_pixels(np.array([[-0.5, -0.5], [127.5, 127.5]]), 128, (200, 200), box)
    np.testing.assert_allclose(out, [[9.5, 19.5], [73.5, 83.5]])
