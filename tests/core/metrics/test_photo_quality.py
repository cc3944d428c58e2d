"""Photo-quality metrics on images whose colour offset, contrast, blur and paste are known."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from flowmark_core.animate.face_crop import CropBox, crop, paste
from flowmark_core.metrics.photo_quality import (
    box_mask,
    colour_shift,
    contrast_ratio,
    hull_mask,
    seam_ratio,
    sharpness_ratio,
    still_mask,
)

BOX = CropBox(120.0, 100.0, 300.0)


def _texture(size: int = 480, seed: int = 0, amplitude: float = 60.0) -> np.ndarray:
    """A photo-like texture: smoothed noise around mid-grey, no clipping."""
    rng = np.random.default_rng(seed)
    noise = rng.normal(0.0, 1.0, (size, size, 3)).astype(np.float32)
    smooth = cv2.GaussianBlur(noise, (0, 0), 1.0)
    return np.clip(128 + amplitude * smooth / smooth.std(), 0, 255).round().astype(np.uint8)


def test_a_known_colour_offset_is_measured_as_that_shift() -> None:
    source = np.full((40, 50, 3), 100, np.uint8)
    source[:, 25:] = 160
    generated = (source.astype(np.int16) + np.array([5, -3, 2])).astype(np.uint8)
    mask = np.zeros((40, 50), bool)
    mask[5:30, 10:40] = True
    np.testing.assert_allclose(colour_shift(generated, source, mask), [5, -3, 2], atol=1e-9)


def test_a_region_that_moved_keeps_its_mean_colour() -> None:
    source = np.full((60, 60, 3), 90, np.uint8)
    source[10:30, 10:30] = (200, 120, 110)
    moved = np.full((60, 60, 3), 90, np.uint8)
    moved[25:45, 30:50] = (200, 120, 110)
    face_src = box_mask((10, 10, 20), source.shape)
    face_gen = box_mask((30, 25, 20), moved.shape)
    np.testing.assert_allclose(colour_shift(moved, source, face_gen, face_src), 0.0, atol=1e-9)


def test_contrast_stretched_by_half_again_reads_1_5_and_blur_loses_sharpness() -> None:
    source = _texture(amplitude=16.0)
    mean = source.astype(np.float64).mean()
    stretched = (mean + 1.5 * (source.astype(np.float64) - mean)).round()
    region = box_mask((40, 40, 160), source.shape)
    assert np.all((stretched >= 0) & (stretched <= 255))
    assert contrast_ratio(stretched.astype(np.uint8), source, region) == pytest.approx(1.5, 0.01)
    assert sharpness_ratio(source, source, region) == pytest.approx(1.0)
    blurred = cv2.GaussianBlur(source, (0, 0), 3.0)
    assert sharpness_ratio(blurred, source, region) < 0.2


def test_a_hard_pasted_blurred_patch_leaves_a_seam_a_feathered_one_does_not() -> None:
    photo = _texture()
    side = int(BOX.size)
    soft = cv2.GaussianBlur(crop(photo, BOX, side), (0, 0), 2.5)  # a model-size-like patch
    soft = np.clip(soft.astype(np.int16) + 12, 0, 255).astype(np.uint8)  # and a bit brighter
    box = BOX.as_int()
    assert seam_ratio(paste(photo, soft, BOX, feather=0), box) > 3.0
    feathered = seam_ratio(paste(photo, soft, BOX), box)
    assert feathered <= 1.2
    assert feathered == pytest.approx(seam_ratio(photo, box), abs=0.1)  # as if never pasted


def test_pasting_the_photo_into_itself_leaves_no_seam() -> None:
    photo = _texture(seed=3)
    same = paste(photo, crop(photo, BOX, int(BOX.size)), BOX, feather=0)
    np.testing.assert_array_equal(same, photo)
    assert seam_ratio(same, BOX.as_int()) == pytest.approx(1.0, abs=0.15)


def test_a_box_with_no_edge_inside_the_image_has_no_seam_to_measure() -> None:
    photo = _texture(size=100)
    assert np.isnan(seam_ratio(photo, (-10, -10, 130)))


def test_still_mask_is_the_region_away_from_the_face() -> None:
    shape = (200, 200, 3)
    face = hull_mask(np.array([[90, 90], [110, 90], [110, 110], [90, 110]]), shape)
    assert face.sum() == 21 * 21
    region = box_mask((0, 0, 200), shape)
    still = still_mask(face, region, grow=1.0)  # 21 px face grown by 21 px
    assert not still[100, 100] and not still[100, 131] and still[100, 133]
    assert still[0, 0] and still.sum() < region.sum() - face.sum()
