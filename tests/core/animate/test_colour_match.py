"""The generator's colour cast is taken off each frame and moves with the face."""

from __future__ import annotations

import numpy as np
import torch

from flowmark_core.animate import Animator
from flowmark_core.animate.colour_match import ColourCorrection
from flowmark_core.geometry import make_coordinate_grid, warp
from flowmark_core.models import build_model
from tests.model_configs import compact_config

SIZE = 64


def _source(seed: int = 0) -> torch.Tensor:
    """A smooth colour image in [0.2, 0.8], (1, 3, S, S)."""
    g = torch.Generator().manual_seed(seed)
    small = torch.rand(1, 3, 8, 8, generator=g) * 0.6 + 0.2
    return torch.nn.functional.interpolate(small, size=(SIZE, SIZE), mode="bilinear")


def _identity() -> torch.Tensor:
    return make_coordinate_grid(SIZE, SIZE, torch.float32)[None]


def test_a_constant_cast_is_taken_off_exactly() -> None:
    source = _source()
    cast = torch.tensor([0.03, -0.02, 0.01]).view(1, 3, 1, 1)
    correction = ColourCorrection(source, source + cast)
    corrected = correction.apply(source + cast, _identity(), align_corners=True)
    torch.testing.assert_close(corrected, source, atol=1e-5, rtol=0)


def test_the_correction_moves_with_the_frame_motion() -> None:
    source = _source(1)
    x = torch.linspace(-1, 1, SIZE).view(1, 1, 1, SIZE)
    cast = 0.04 * x * torch.tensor([1.0, 0.5, -1.0]).view(1, 3, 1, 1)  # varies across the face
    correction = ColourCorrection(source, source + cast)
    shift = _identity().clone()
    shift[..., 0] += 8 * 2 / (SIZE - 1)  # every output pixel comes from 8 px to its right
    moved_truth = warp(source, shift, align_corners=True)
    rendered = warp(source + cast, shift, align_corners=True)
    corrected = correction.apply(rendered, shift, align_corners=True)
    inner = (..., slice(8, -16), slice(8, -16))  # away from the borders the warp cannot fill
    assert (rendered - moved_truth)[inner].abs().max() > 0.02
    torch.testing.assert_close(corrected[inner], moved_truth[inner], atol=2e-3, rtol=0)


def test_the_animator_renders_its_own_source_in_the_source_colours() -> None:
    torch.manual_seed(0)
    model = build_model(compact_config(num_kp=4))
    rng = np.random.default_rng(0)
    image = (rng.random((SIZE, SIZE, 3)) * 120 + 60).astype(np.uint8)
    means = {}
    for match in (False, True):
        animator = Animator(model, precision="float32", colour_match=match)
        animator.set_transfer(mode="absolute")
        kp = animator.set_source(image)
        out = animator.render(image, kp, kp.value, kp.jacobian).output
        means[match] = np.abs(out.reshape(-1, 3).mean(0) - image.reshape(-1, 3).mean(0)).max()
    assert means[False] > 5.0  # an untrained generator does not reproduce the colours
    assert means[True] < 0.5
