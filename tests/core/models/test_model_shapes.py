"""Shapes and value ranges of every module at the vox-256 config and a compact one."""

import torch

from flowmark_core.config import ModelConfig
from flowmark_core.geometry import soft_argmax
from flowmark_core.models import build_model


def _input(cfg: ModelConfig, batch: int = 1) -> torch.Tensor:
    s = 128 if cfg.image_size == 256 else cfg.image_size  # vox layout at a smaller input for speed
    return torch.rand(batch, 3, s, s)


def test_keypoint_detector_shapes_and_ranges(model_config: ModelConfig) -> None:
    model = build_model(model_config).eval()
    x = _input(model_config, 2)
    with torch.no_grad():
        kp = model.detect(x)
    k = model_config.num_kp
    assert kp.value.shape == (2, k, 2)
    assert kp.jacobian is not None and kp.jacobian.shape == (2, k, 2, 2)
    assert kp.heatmap is not None and kp.heatmap.shape[:2] == (2, k)
    assert torch.all(kp.value.abs() <= 1.0)
    sums = kp.heatmap.sum(dim=(2, 3))
    assert torch.allclose(sums, torch.ones_like(sums), atol=1e-5)
    # Freshly initialised Jacobian head gives identity Jacobians (weight 0, bias (1,0,0,1)).
    assert torch.allclose(kp.jacobian, torch.eye(2).expand_as(kp.jacobian), atol=1e-6)


def test_keypoints_are_exact_soft_argmax_of_heatmaps(model_config: ModelConfig) -> None:
    model = build_model(model_config).eval()
    with torch.no_grad():
        kp = model.detect(_input(model_config))
        h, w = kp.heatmap.shape[2:]
        xs = torch.linspace(-1, 1, w)
        ys = torch.linspace(-1, 1, h)
        expected_x = (kp.heatmap.sum(2) * xs).sum(-1)
        expected_y = (kp.heatmap.sum(3) * ys).sum(-1)
    assert torch.allclose(kp.value[..., 0], expected_x, atol=1e-5)
    assert torch.allclose(kp.value[..., 1], expected_y, atol=1e-5)
    assert torch.allclose(soft_argmax(kp.heatmap), kp.value, atol=1e-6)


def test_generator_output_shapes_and_ranges(model_config: ModelConfig) -> None:
    model = build_model(model_config).eval()
    x = _input(model_config)
    with torch.no_grad():
        out = model(x, torch.rand_like(x))
    assert out.prediction.shape == x.shape
    assert float(out.prediction.min()) >= 0.0 and float(out.prediction.max()) <= 1.0
    motion = out.motion
    b, h, w, two = motion.deformation.shape
    assert (b, two) == (1, 2)
    assert motion.mask.shape == (1, model_config.num_kp + 1, h, w)
    assert torch.allclose(motion.mask.sum(1), torch.ones(1, h, w), atol=1e-5)
    assert motion.occlusion is not None and motion.occlusion.shape == (1, 1, h, w)
    assert float(motion.occlusion.min()) >= 0.0 and float(motion.occlusion.max()) <= 1.0


def test_encode_render_equals_one_shot_forward(compact: ModelConfig) -> None:
    model = build_model(compact).eval()
    src, drv = torch.rand(1, 3, 64, 64), torch.rand(1, 3, 64, 64)
    with torch.no_grad():
        one_shot = model(src, drv).prediction
        state = model.encode_source(src)
        cached = model.render(state, model.detect(drv)).prediction
        cached_again = model.render(state, model.detect(drv)).prediction
    assert torch.equal(one_shot, cached)
    assert torch.equal(cached, cached_again)


def test_zeroth_order_model_has_no_jacobians() -> None:
    from tests.model_configs import compact_config

    model = build_model(compact_config(jacobian=False)).eval()
    with torch.no_grad():
        kp = model.detect(torch.rand(1, 3, 64, 64))
        out = model(torch.rand(1, 3, 64, 64), torch.rand(1, 3, 64, 64))
    assert kp.jacobian is None
    assert out.prediction.shape == (1, 3, 64, 64)
