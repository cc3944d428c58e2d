"""Full-resolution rendering: the model's motion applied to the full-resolution source."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from flowmark_core.animate.face_crop import CropBox
from flowmark_core.animate.full_resolution import (
    MODES,
    FullResolutionSource,
    identity_grid,
    render_full_resolution,
    upsample_deformation,
    upsample_image,
)


def _source(height: int = 72, width: int = 96) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    return torch.rand(1, 3, height, width, generator=g)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("align_corners", [True, False])
def test_identity_motion_returns_the_source(align_corners: bool, mode: str) -> None:
    source = _source()
    deformation = identity_grid(16, 16, align_corners).unsqueeze(0)
    occlusion = torch.ones(1, 1, 16, 16)
    # What a perfect model renders for identity motion: the source at its size.
    prediction = F.interpolate(source, size=(16, 16), mode="area")
    out = render_full_resolution(source, deformation, occlusion, prediction, align_corners, mode)
    torch.testing.assert_close(out, source, atol=1e-5, rtol=0)


def test_detail_mode_adds_source_detail_to_the_prediction() -> None:
    source = _source()
    deformation = identity_grid(16, 16, True).unsqueeze(0)
    flat = torch.full((1, 3, 16, 16), 0.5)  # a model that lost everything but the mean
    out = render_full_resolution(source, deformation, None, flat, True, "detail")
    low = upsample_image(F.interpolate(source, size=(16, 16), mode="area"), 72, 96, True)
    torch.testing.assert_close(out, (0.5 + source - low).clamp(0, 1), atol=1e-5, rtol=0)


@pytest.mark.parametrize("align_corners", [True, False])
def test_a_shift_moves_the_full_resolution_source_by_whole_pixels(align_corners: bool) -> None:
    source = _source()
    w = source.shape[3]
    # Sample 3 source pixels to the right: the output is the source moved 3 pixels left.
    step = 2.0 / (w - 1) if align_corners else 2.0 / w
    deformation = identity_grid(16, 16, align_corners).unsqueeze(0) + torch.tensor([3 * step, 0.0])
    prediction = torch.zeros(1, 3, 16, 16)
    out = render_full_resolution(source, deformation, None, prediction, align_corners, "replace")
    torch.testing.assert_close(out[..., : w - 3], source[..., 3:], atol=1e-4, rtol=0)


def test_occluded_pixels_come_from_the_upsampled_prediction() -> None:
    source = _source()
    deformation = identity_grid(16, 16, True).unsqueeze(0)
    occlusion = torch.ones(1, 1, 16, 16)
    occlusion[..., :, :8] = 0.0  # the left half cannot be supplied by the source
    prediction = torch.full((1, 3, 16, 16), 0.25)
    out = render_full_resolution(source, deformation, occlusion, prediction, True, "replace")
    torch.testing.assert_close(out[..., :, :30], torch.full_like(out[..., :, :30], 0.25))
    torch.testing.assert_close(out[..., :, 60:], source[..., :, 60:], atol=1e-5, rtol=0)


def test_pixels_sampled_outside_the_source_come_from_the_prediction() -> None:
    source = _source()
    deformation = identity_grid(16, 16, True).unsqueeze(0) + torch.tensor([3.0, 0.0])
    prediction = torch.full((1, 3, 16, 16), 0.5)
    out = render_full_resolution(source, deformation, None, prediction, True, "replace")
    torch.testing.assert_close(out, torch.full_like(out, 0.5))


def test_upsampling_keeps_an_identity_field_and_sizes() -> None:
    field = upsample_deformation(identity_grid(8, 8, False).unsqueeze(0), 40, 24, False)
    torch.testing.assert_close(field[0], identity_grid(40, 24, False), atol=1e-6, rtol=0)
    assert upsample_image(torch.rand(2, 3, 8, 8), 40, 24, False).shape == (2, 3, 40, 24)


def _photo(height: int, width: int) -> np.ndarray:
    rng = np.random.default_rng(3)
    small = rng.integers(0, 256, (height // 8 + 1, width // 8 + 1, 3), dtype=np.uint8)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)


def _identity_render(full: FullResolutionSource, size: int = 32) -> np.ndarray:
    area = F.interpolate(full.tensor, size=(size, size), mode="area")
    field = identity_grid(size, size, True).unsqueeze(0)
    return full.render(field, torch.ones(1, 1, size, size), area, True)


def test_identity_motion_with_face_crop_pastes_back_the_source() -> None:
    image = _photo(300, 400)
    full = FullResolutionSource(image, CropBox(120.0, 60.0, 150.0))
    out = _identity_render(full)
    assert out.shape == image.shape and full.output_size == (400, 300)
    assert np.abs(out.astype(int) - image.astype(int)).max() <= 1


def test_a_large_source_is_capped_at_the_maximum_side() -> None:
    full = FullResolutionSource(_photo(900, 1500), None, max_side=1024)
    assert full.output_size == (1024, 614)
    out = _identity_render(full)
    assert out.shape == (614, 1024, 3)


@pytest.mark.parametrize("face_crop", [False, True])
def test_the_pipeline_renders_at_the_source_size(face_crop: bool) -> None:
    from flowmark_core.animate import Animator
    from flowmark_core.models import build_model
    from tests.model_configs import compact_config

    torch.manual_seed(0)
    model = build_model(compact_config(num_kp=3, size=32, width=4, blocks=2))
    animator = Animator(model, precision="float32", face_crop=face_crop, full_resolution=True)
    source = _photo(90, 120)
    animator.set_source(source)
    out = animator.push(_photo(90, 120)[:, ::-1].copy()).output
    # face crop: pasted back into the whole source; else the centred square, never stretched
    assert out.shape == (source.shape if face_crop else (90, 90, 3))
    plain = Animator(model, precision="float32", face_crop=face_crop)
    plain.set_source(source)
    assert plain.push(source).output.shape == ((90, 120, 3) if face_crop else (32, 32, 3))
