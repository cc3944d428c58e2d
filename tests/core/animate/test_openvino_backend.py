"""The optional OpenVINO backend computes what the PyTorch core computes (float32)."""

import dataclasses

import numpy as np
import pytest

from flowmark_core.animate import Animator, InferenceCore
from flowmark_core.errors import ConfigError
from flowmark_core.models import build_model
from tests.model_configs import compact_config


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ConfigError, match="expected one of torch, openvino"):
        InferenceCore(build_model(compact_config(num_kp=2)), backend="tensorrt")


@pytest.mark.parametrize("jacobian", [True, False])
def test_openvino_steps_match_the_torch_core(jacobian: bool) -> None:
    pytest.importorskip("openvino")
    cfg = compact_config(num_kp=3, jacobian=jacobian)
    if not jacobian:
        cfg = dataclasses.replace(
            cfg, generator=dataclasses.replace(cfg.generator, estimate_occlusion_map=False)
        )
    model = build_model(cfg).eval()
    rng = np.random.default_rng(4)
    src, drv = ((rng.random((64, 64, 3)) * 255).astype(np.uint8) for _ in range(2))
    exact = Animator(model, precision="float32", outputs=("motion", "occlusion"))
    twin = build_model(cfg).eval()
    twin.load_state_dict(model.state_dict())
    ov = Animator(
        InferenceCore(twin, precision="float32", backend="openvino"),
        outputs=("motion", "occlusion"),
    )
    for animator in (exact, ov):
        animator.set_transfer(mode="absolute")
        animator.set_source(src)
    a, b = exact.push(drv), ov.push(drv)
    assert np.allclose(a.kp_raw, b.kp_raw, atol=1e-3)
    assert np.abs(a.output.astype(int) - b.output.astype(int)).max() <= 1
    assert np.allclose(a.motion, b.motion, atol=1e-4)
    assert (a.occlusion is None) == (b.occlusion is None) == (not jacobian)
