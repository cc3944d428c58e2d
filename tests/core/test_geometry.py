"""The one coordinate convention: known answers for pixel <-> normalised conversions, grids,
soft-argmax and warping, on every device present (CPU always, CUDA where available) and in
float32 and bfloat16."""

import numpy as np
import pytest
import torch

from flowmark_core.geometry import (
    inverse_2x2,
    make_coordinate_grid,
    normalized_to_pixels,
    pixel_offsets_to_normalized,
    pixels_to_normalized,
    soft_argmax,
    warp,
)
from tests.core.devices import DEVICES, DTYPES


def test_corner_pixel_centres_are_plus_minus_one_numpy() -> None:
    corners = np.array([[-1.0, -1.0], [1.0, 1.0], [0.0, 0.0]])
    px = normalized_to_pixels(corners, width=33, height=17)
    assert np.allclose(px, [[0, 0], [32, 16], [16, 8]])
    assert np.allclose(pixels_to_normalized(px, 33, 17), corners)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_conversions_keep_tensors_on_their_device(device: str, dtype: torch.dtype) -> None:
    points = torch.tensor([[-1.0, -1.0], [1.0, 1.0], [0.0, 0.5]], device=device, dtype=dtype)
    px = normalized_to_pixels(points, 33, 17)
    assert px.device.type == device and px.dtype == dtype
    expected = torch.tensor([[0.0, 0.0], [32.0, 16.0], [16.0, 12.0]], dtype=dtype)
    assert torch.allclose(px.cpu(), expected)
    back = pixels_to_normalized(px, 33, 17)
    assert torch.allclose(back.cpu().float(), points.cpu().float(), atol=1e-2)
    step = pixel_offsets_to_normalized(torch.tensor([16.0, 8.0], device=device), 33, 17)
    assert torch.allclose(step.cpu(), torch.tensor([1.0, 1.0]))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_grid_and_soft_argmax_agree_with_pixel_coordinates(device: str, dtype: torch.dtype) -> None:
    grid = make_coordinate_grid(5, 9, dtype, device)
    assert grid.device.type == device and grid.dtype == dtype
    assert grid[0, 0].tolist() == [-1.0, -1.0] and grid[4, 8].tolist() == [1.0, 1.0]
    heat = torch.zeros(1, 1, 5, 9, device=device, dtype=dtype)
    heat[0, 0, 3, 6] = 1  # row 3, column 6
    kp = soft_argmax(heat)
    assert torch.allclose(
        normalized_to_pixels(kp.float(), 9, 5).cpu(), torch.tensor([[[6.0, 3.0]]])
    )


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_warping_by_the_identity_is_the_identity(device: str, dtype: torch.dtype) -> None:
    image = torch.rand(2, 3, 12, 20, device=device).to(dtype)
    grid = make_coordinate_grid(6, 10, torch.float32, device).expand(2, 6, 10, 2)  # resized up
    out = warp(image, grid, align_corners=True)
    tol = 1e-5 if dtype == torch.float32 else 1e-2
    assert out.dtype == dtype and torch.allclose(out.float(), image.float(), atol=tol)


@pytest.mark.parametrize("device", DEVICES)
def test_inverse_2x2_known_answer(device: str) -> None:
    m = torch.tensor([[[2.0, 1.0], [4.0, 3.0]], [[0.5, 0.0], [0.0, 4.0]]], device=device)
    expected = torch.tensor([[[1.5, -0.5], [-2.0, 1.0]], [[2.0, 0.0], [0.0, 0.25]]])
    assert torch.allclose(inverse_2x2(m).cpu(), expected)
    well = torch.eye(2) + 0.3 * torch.randn(50, 7, 2, 2)
    assert torch.allclose(inverse_2x2(well), torch.inverse(well), atol=1e-4)
