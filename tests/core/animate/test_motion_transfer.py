"""Motion transfer arithmetic, best frame, and the Animator's streaming/batch agreement."""

import numpy as np
import pytest
import torch

from flowmark_core.animate import Animator, TransferOptions, find_best_frame, transfer_motion
from flowmark_core.animate.face_crop import CropBox, crop, paste
from flowmark_core.errors import ConfigError
from flowmark_core.models import build_model
from flowmark_core.models.keypoints import Keypoints
from tests.model_configs import compact_config


def _kp(values: list[list[float]], jac: torch.Tensor | None = None) -> Keypoints:
    v = torch.tensor([values], dtype=torch.float32)
    return Keypoints(
        v, jac if jac is not None else torch.eye(2).expand(1, len(values), 2, 2).clone()
    )


def test_relative_with_driving_equal_reference_reproduces_source_exactly() -> None:
    src = _kp(
        [[0.1, 0.2], [-0.3, 0.5], [0.4, -0.4]], torch.tensor([[[[1.1, 0.1], [0.0, 0.9]]] * 3])
    )
    drv = _kp(
        [[0.5, 0.5], [0.2, -0.1], [-0.6, 0.0]], torch.tensor([[[[0.8, 0.2], [0.1, 1.2]]] * 3])
    )
    out = transfer_motion(src, drv, drv, TransferOptions(mode="relative", adapt_scale=True))
    assert torch.equal(out.value, src.value)
    assert torch.allclose(out.jacobian, src.jacobian, atol=1e-6)


def test_relative_adds_displacement_and_absolute_copies() -> None:
    src = _kp([[0.0, 0.0], [0.2, 0.0], [0.0, 0.2]])
    ref = _kp([[0.5, 0.5], [0.9, 0.5], [0.5, 0.9]])  # hull area 4x the source's
    drv = _kp([[0.6, 0.4], [1.0, 0.4], [0.6, 0.8]])  # moved by (+0.1, -0.1)
    rel = transfer_motion(src, drv, ref, TransferOptions(mode="relative"))
    assert torch.allclose(rel.value, src.value + torch.tensor([0.1, -0.1]))
    scaled = transfer_motion(src, drv, ref, TransferOptions(mode="relative", adapt_scale=True))
    # scale = sqrt(area(src)) / sqrt(area(ref)) = 0.2 / 0.4 = 0.5
    assert torch.allclose(scaled.value, src.value + 0.5 * torch.tensor([0.1, -0.1]), atol=1e-6)
    ab = transfer_motion(src, drv, ref, TransferOptions(mode="absolute"))
    assert torch.equal(ab.value, drv.value)


def test_relative_jacobian_formula() -> None:
    js = torch.tensor([[[[1.0, 0.2], [0.0, 1.0]]]])
    jr = torch.tensor([[[[2.0, 0.0], [0.0, 1.0]]]])
    jd = torch.tensor([[[[2.0, 0.0], [0.0, 3.0]]]])
    out = transfer_motion(
        _kp([[0, 0]], js), _kp([[0, 0]], jd), _kp([[0, 0]], jr), TransferOptions()
    )
    expected = jd[0, 0] @ torch.inverse(jr[0, 0]) @ js[0, 0]
    assert torch.allclose(out.jacobian[0, 0], expected)


def test_find_best_frame_picks_the_matching_pose_up_to_translation_and_scale() -> None:
    src = np.array([[10.0, 10.0], [30.0, 10.0], [20.0, 30.0]])
    rng = np.random.default_rng(0)
    frames = rng.uniform(0, 60, (12, 3, 2))
    frames[7] = src * 1.7 + np.array([5.0, -3.0])  # same shape, moved and scaled
    assert find_best_frame(src, frames) == 7


def test_animator_push_equals_batch_and_find_best_runs() -> None:
    torch.manual_seed(0)
    model = build_model(compact_config(num_kp=4))
    rng = np.random.default_rng(1)
    base = (rng.random((64, 64, 3)) * 255).astype(np.uint8)
    frames = [np.roll(base, t, axis=1) for t in range(5)]
    a = Animator(model, precision="float32", stabilizer="one-euro")
    a.set_source(frames[0])
    batch = [r.output for r in a.animate(frames)]
    a.reset_stream()
    stream = [a.push(f).output for f in frames]
    assert all(np.array_equal(x, y) for x, y in zip(batch, stream))
    best = list(a.animate(frames, find_best=True))
    assert len(best) == 5 and best[0].output.shape == (64, 64, 3)
    # Relative mode, first driving frame = source: the rendered keypoints are the source's.
    a.set_stabilizer("none")
    first = next(iter(a.animate(frames)))
    assert np.allclose(first.kp_rendered, a.source_keypoints.value, atol=1e-4)


def test_float32_path_matches_the_one_shot_model_exactly() -> None:
    torch.manual_seed(0)
    model = build_model(compact_config(num_kp=4)).eval()
    rng = np.random.default_rng(2)
    src, drv = ((rng.random((64, 64, 3)) * 255).astype(np.uint8) for _ in range(2))
    # The model's own output: the colour correction (on by default) is off for this check.
    a = Animator(model, precision="float32", colour_match=False)
    a.set_transfer(mode="absolute")
    a.set_source(src)
    kp = a.detect(drv)
    out = a.render(drv, kp, kp.value, kp.jacobian).output
    to_t = lambda x: torch.from_numpy(x).permute(2, 0, 1)[None].float() / 255  # noqa: E731
    with torch.no_grad():
        ref = model(to_t(src), to_t(drv)).prediction[0].permute(1, 2, 0).numpy()
    assert np.array_equal(out, (ref * 255).round().astype(np.uint8))


def test_bad_mode_and_precision() -> None:
    model = build_model(compact_config(num_kp=4))
    with pytest.raises(ConfigError, match="expected one of float32, fast"):
        Animator(model, precision="int4")
    a = Animator(model)
    with pytest.raises(ConfigError, match="relative, absolute"):
        a.set_transfer(mode="sideways")


def test_crop_and_paste_round_trip() -> None:
    img = np.zeros((100, 120, 3), np.uint8)
    img[20:60, 30:70] = 200
    box = CropBox(30, 20, 40)
    patch = crop(img, box, 32)
    assert patch.shape == (32, 32, 3) and patch.mean() > 190
    back = paste(np.zeros_like(img), patch, box, feather=0)
    assert back[25:55, 35:65].mean() > 190 and back[:15].max() == 0
