"""Face-crop borders: mirrored outside the image, a soft paste edge only where it shows."""

from __future__ import annotations

import numpy as np

from flowmark_core.animate.face_crop import FEATHER_FRACTION, CropBox, crop, paste


def _ramp_image() -> np.ndarray:
    """Columns 0..99 with value = column, three equal channels."""
    row = np.arange(100, dtype=np.uint8)
    return np.repeat(np.tile(row, (60, 1))[..., None], 3, axis=2)


def test_a_box_beyond_the_image_sees_the_image_mirrored_not_its_edge_repeated() -> None:
    image = _ramp_image()
    out = crop(image, CropBox(-10.0, 0.0, 40.0), 40)  # 10 columns left of the image
    np.testing.assert_array_equal(out[0, :10, 0], np.arange(10, 0, -1))  # 10, 9, .., 1
    np.testing.assert_array_equal(out[0, 10:, 0], np.arange(0, 30))


def test_the_soft_edge_is_proportional_to_the_box_and_only_where_the_box_meets_the_image() -> None:
    background = np.zeros((200, 200, 3), np.uint8)
    patch = np.full((100, 100, 3), 200, np.uint8)
    box = CropBox(-20.0, 60.0, 100.0)  # left edge outside the image, the others inside
    out = paste(background, patch, box)[..., 0].astype(int)
    width = FEATHER_FRACTION * 100
    centre_row = 60 + 50
    assert out[centre_row, 0] == 200  # at the image border: no ramp, the patch itself
    assert out[centre_row, 79] < 10  # last box column: the ramp starts at 0
    assert out[centre_row, 80 - round(width) - 1] == 200  # a ramp width in: fully the patch
    assert 60 < out[centre_row, 80 - round(width / 2)] < 140  # half way: half blended
    assert out[60, 30] < 10 and out[159, 30] < 10  # top and bottom edges ramp too
    assert np.all(out[:60] == 0) and np.all(out[:, 80:] == 0)  # nothing outside the box
