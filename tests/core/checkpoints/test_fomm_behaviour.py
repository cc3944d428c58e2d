"""FOMM checkpoints compute what the published arithmetic computes: keypoints, Jacobians and a
rendered frame from fixed random weights, against `fomm_reference` (written from the format
facts, not from their code), to 1e-5 in float32. The checkpoints load without a YAML: their
config is inferred from the weights."""

from dataclasses import replace
from pathlib import Path

import pytest
import torch

from flowmark_core.checkpoints.fomm import load_fomm_checkpoint
from flowmark_core.checkpoints.fomm_inference import PUBLISHED_ARCHITECTURES
from flowmark_core.config import DenseMotionConfig, GeneratorConfig, KeypointDetectorConfig
from flowmark_core.models import build_model
from tests.core.checkpoints import fomm_reference as ref

TOL = 1e-5


def _random_state(config, seed: int) -> dict[str, torch.Tensor]:
    """Fixed random weights for the model `config` builds, in FOMM's key layout."""
    gen = torch.Generator().manual_seed(seed)
    state = {}
    for key, t in build_model(config).state_dict().items():
        if key.endswith("num_batches_tracked"):
            state[key] = torch.tensor(3)
        elif key.endswith("running_var"):
            state[key] = torch.rand(t.shape, generator=gen) + 0.5
        elif key.endswith("down.weight"):
            state[key] = t.clone()  # the fixed Gaussian
        elif key == "kp_detector.jacobian.bias":
            state[key] = torch.tensor([1.0, 0.0, 0.0, 1.0]).repeat(t.numel() // 4)
        else:
            state[key] = torch.randn(t.shape, generator=gen) * 0.05
    return state


def _save_fomm(state: dict[str, torch.Tensor], path: Path) -> Path:
    parts = {
        p: {k[len(p) + 1 :]: v for k, v in state.items() if k.startswith(p + ".")}
        for p in ("kp_detector", "generator")
    }
    torch.save({**parts, "epoch": 1}, path)
    return path


SMALL = replace(
    PUBLISHED_ARCHITECTURES["vox-256"],
    num_kp=4,
    image_size=64,
    kp_detector=KeypointDetectorConfig(block_expansion=8, max_features=32, num_blocks=2),
    generator=GeneratorConfig(
        block_expansion=8,
        max_features=32,
        num_down_blocks=1,  # features 32 px, motion 16 px: the resizes are exercised
        num_bottleneck_blocks=2,
        dense_motion=DenseMotionConfig(block_expansion=8, max_features=32, num_blocks=2),
    ),
)


@pytest.mark.parametrize(
    ("config", "arch"),
    [
        pytest.param(
            SMALL,
            {"kp_blocks": 2, "num_down_blocks": 1, "num_bottleneck_blocks": 2, "dense_blocks": 2},
            id="small-published-layout",
        ),
        pytest.param(
            PUBLISHED_ARCHITECTURES["vox-256"],
            {"kp_blocks": 5, "num_down_blocks": 2, "num_bottleneck_blocks": 6, "dense_blocks": 5},
            id="vox-256",
        ),
    ],
)
def test_fomm_checkpoint_matches_the_published_arithmetic(
    config, arch: dict, tmp_path: Path
) -> None:
    state = _random_state(config, seed=11)
    model, meta = load_fomm_checkpoint(_save_fomm(state, tmp_path / "m.pth.tar"))
    assert "inferred" in meta["inferred_config"]
    assert model.config.align_corners is False
    size = config.image_size
    g = torch.Generator().manual_seed(5)
    source, driving = torch.rand(2, 1, 3, size, size, generator=g)
    with torch.no_grad():
        kp_s, kp_d = model.detect(source), model.detect(driving)
        ours = model.generator(source, kp_s, kp_d).prediction
        v_s, j_s = ref.detect(state, source, arch["kp_blocks"], 0.25)
        v_d, j_d = ref.detect(state, driving, arch["kp_blocks"], 0.25)
        expected = ref.generate(state, source, v_s, j_s, v_d, j_d, {**arch, "dense_scale": 0.25})
    assert torch.allclose(kp_d.value, v_d, atol=TOL, rtol=0)
    assert torch.allclose(kp_d.jacobian, j_d, atol=TOL, rtol=0)
    assert ours.shape == expected.shape == (1, 3, size, size)
    assert (ours - expected).abs().max().item() <= TOL
    assert expected.std() > 1e-3  # a frame with content, not a constant
