"""The conditional VAE: shapes, invertible Jacobians, seeded sampling, KL, checkpoints."""

from pathlib import Path

import numpy as np
import pytest
import torch

from flowmark_core.config import ModelConfig
from flowmark_core.errors import CheckpointError, ConfigError
from flowmark_core.motion_prior.checkpoint import check_prior_fits, load_prior, save_prior
from flowmark_core.motion_prior.config import PriorModelConfig, PriorTrainConfig
from flowmark_core.motion_prior.model import (
    Gaussian,
    MotionPrior,
    kl_divergence,
    relative_jacobians,
)


def _first_frame(b: int, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    v0 = torch.rand(b, k, 2) * 2 - 1
    j0 = torch.eye(2).repeat(b, k, 1, 1) + 0.1 * torch.randn(b, k, 2, 2)
    return v0, j0


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_forward_shapes_and_first_frame_kept(cell: str) -> None:
    prior = MotionPrior(PriorModelConfig(num_kp=5, hidden=16, latent=3, cell=cell))
    values = torch.rand(2, 7, 5, 2)
    jacs = torch.eye(2).repeat(2, 7, 5, 1, 1)
    out, q, p = prior(values, jacs, torch.zeros(2, 3))
    assert out.values.shape == (2, 7, 5, 2) and out.jacobians.shape == (2, 7, 5, 2, 2)
    assert out.relative.shape == (2, 6, 5, 2, 2)
    assert q.mean.shape == p.mean.shape == (2, 3)
    torch.testing.assert_close(out.values[:, 0], values[:, 0])
    torch.testing.assert_close(out.jacobians[:, 0], jacs[:, 0])


def test_jacobians_stay_invertible_with_the_sign_of_the_first() -> None:
    prior = MotionPrior(PriorModelConfig(num_kp=4, hidden=8, latent=2, jacobian_bound=2.0))
    with torch.no_grad():  # wild raw outputs: det J_t = det J_0 * exp(tr A), |tr A| <= 2 * bound
        prior.jacobian_head.weight.normal_(0, 3.0)
        prior.jacobian_head.bias.normal_(0, 3.0)
    v0, j0 = _first_frame(3, 4)
    j0[:, 0] = torch.tensor([[0.0, 1.0], [1.0, 0.0]])  # a mirror (det -1) stays a mirror
    out = prior.sample(v0, j0, frames=10, seed=1)
    det = torch.linalg.det(out.jacobians.double())
    sign0 = torch.sign(torch.linalg.det(j0.double()))[:, None]
    ratio = det * sign0 / torch.abs(torch.linalg.det(j0.double()))[:, None]
    assert torch.all(ratio > 0)
    assert ratio.min() >= np.exp(-4.0) - 1e-6 and ratio.max() <= np.exp(4.0) + 1e-6
    assert ratio.max() > 2.0  # the wild head really moved the Jacobians


def test_sampling_is_deterministic_per_seed_and_differs_across_seeds() -> None:
    prior = MotionPrior(PriorModelConfig(num_kp=4, hidden=16, latent=4)).eval()
    with torch.no_grad():
        prior.step_head.weight.normal_(0, 1.0)  # make the latent visible in the output
    v0, j0 = _first_frame(3, 4)
    a = prior.sample(v0, j0, 8, seed=5)
    b = prior.sample(v0, j0, 8, seed=5)
    c = prior.sample(v0, j0, 8, seed=6)
    torch.testing.assert_close(a.values, b.values, rtol=0, atol=0)
    torch.testing.assert_close(a.jacobians, b.jacobians, rtol=0, atol=0)
    assert (a.values - c.values).abs().max() > 1e-3
    # the three batch rows draw different noise: different futures of the same image
    same = prior.sample(v0[:1].repeat(3, 1, 1), j0[:1].repeat(3, 1, 1, 1), 8, seed=5)
    assert (same.values[0] - same.values[1]).abs().max() > 1e-3
    m1 = prior.sample(v0, j0, 8, seed=1, mean=True)
    m2 = prior.sample(v0, j0, 8, seed=2, mean=True)
    torch.testing.assert_close(m1.values, m2.values, rtol=0, atol=0)


def test_kl_known_answers() -> None:
    zero = torch.zeros(1, 2)
    same = Gaussian(zero, zero)
    assert float(kl_divergence(same, same)) == 0.0
    # KL(N(1, 1) || N(0, 1)) per dim = 0.5; KL(N(0, e^2) || N(0, 1)) = 0.5 (e^2 - 1 - 2)
    q = Gaussian(torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 2.0]]))
    expected = 0.5 + 0.5 * (np.exp(2.0) - 1.0 - 2.0)
    assert float(kl_divergence(q, same)) == pytest.approx(expected, rel=1e-6)


def test_relative_jacobian_of_a_product_is_the_factor() -> None:
    j0 = torch.tensor([[[[2.0, 0.5], [0.0, 1.0]]]])
    a = torch.tensor([[[[1.1, 0.2], [-0.3, 0.9]]]])
    rel = relative_jacobians(j0, (j0 @ a)[:, None])
    torch.testing.assert_close(rel[:, 0], a - torch.eye(2))


def test_checkpoint_roundtrip_and_keypoint_count_check(tmp_path: Path) -> None:
    prior = MotionPrior(PriorModelConfig(num_kp=3, hidden=8, latent=2))
    with torch.no_grad():
        prior.displacement_std.fill_(0.0123)
    path = save_prior(tmp_path / "p.safetensors", prior, {"animation_model": "m", "num_kp": 3})
    loaded, meta = load_prior(path)
    assert meta["animation_model"] == "m" and loaded.config == prior.config
    assert float(loaded.displacement_std) == pytest.approx(0.0123)
    check_prior_fits(loaded, ModelConfig(num_kp=3), path)
    with pytest.raises(CheckpointError, match="3 keypoints.*has 10"):
        check_prior_fits(loaded, ModelConfig(num_kp=10), path)
    with pytest.raises(CheckpointError, match="not found"):
        load_prior(tmp_path / "missing.safetensors")


def test_configs_reject_bad_values() -> None:
    with pytest.raises(ConfigError, match="cell"):
        PriorModelConfig(cell="rnn")
    with pytest.raises(ConfigError, match="frames 0"):
        PriorTrainConfig(frames=0)
    with pytest.raises(ConfigError, match="tracks"):
        PriorTrainConfig(tracks="smooth")
