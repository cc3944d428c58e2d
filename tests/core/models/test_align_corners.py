"""The sampling convention: new models use align_corners=True, under which equal keypoints
and identity Jacobians leave the source features exactly unchanged; FOMM-compatible models
(align_corners=False) shrink by half a pixel, which is why they keep their own flag."""

from dataclasses import replace

import pytest
import torch

from flowmark_core.config import ModelConfig
from flowmark_core.geometry import make_coordinate_grid, warp
from flowmark_core.models import Keypoints, build_model
from tests.core.devices import DEVICES
from tests.model_configs import compact_config


def test_new_models_default_to_align_corners_true() -> None:
    assert ModelConfig().align_corners is True
    assert compact_config().align_corners is True


@pytest.mark.parametrize("device", DEVICES)
def test_equal_keypoints_and_identity_jacobians_leave_source_features_unchanged(
    device: str,
) -> None:
    model = build_model(compact_config(num_kp=4)).to(device).eval()
    source = torch.rand(1, 3, 64, 64, device=device)
    kp = Keypoints(
        torch.rand(1, 4, 2, device=device) * 1.6 - 0.8,
        torch.eye(2, device=device).expand(1, 4, 2, 2).clone(),
    )
    with torch.no_grad():
        state = model.generator.encode(source, kp)
        motion = model.generator.motion(state, kp)
        identity = make_coordinate_grid(*motion.deformation.shape[1:3], device=device)
        assert torch.allclose(motion.deformation[0], identity, atol=1e-6)
        warped = warp(state.features, motion.deformation, model.generator.align_corners)
    assert torch.allclose(warped, state.features, atol=1e-5)


def test_the_same_identity_under_align_corners_false_is_not_the_identity() -> None:
    """What the old default did: a 0..31 ramp sampled at the identity grid ends at 7.75."""
    ramp = torch.arange(32.0).view(1, 1, 1, 32).expand(1, 1, 4, 32)
    grid = make_coordinate_grid(4, 32)[None]
    assert torch.allclose(warp(ramp, grid, align_corners=True), ramp, atol=1e-5)
    shrunk = warp(ramp, grid, align_corners=False)
    assert shrunk[0, 0, 0, -1].item() == pytest.approx(31 * 0.5 * 0.5, abs=1e-4)  # 7.75
    model = build_model(replace(compact_config(num_kp=2), align_corners=False))
    assert model.generator.align_corners is False
    assert model.generator.dense_motion_network.align_corners is False


def test_the_bundled_model_keeps_the_convention_it_was_trained_with() -> None:
    """puppets-faces-128 was trained with align_corners=False; its file says so, and the
    new default must not change what it computes."""
    from flowmark_core.checkpoints import load_model
    from flowmark_core.resources import DEFAULT_MODEL_NAME, bundled_models

    if DEFAULT_MODEL_NAME not in bundled_models():
        pytest.skip("the default model is not installed")
    model, _ = load_model(None)
    assert model.config.align_corners is False
    assert model.generator.align_corners is False
    assert model.generator.dense_motion_network.align_corners is False
