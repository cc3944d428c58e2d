"""The inference core: tensors in and out on its device; the fast path keeps the dense
motion network in float32 even when the rest runs in bf16."""

import numpy as np
import pytest
import torch

from flowmark_core.animate import InferenceCore
from flowmark_core.models import build_model
from tests.core.devices import DEVICES
from tests.model_configs import compact_config


def _images(n: int = 2) -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    return [(rng.random((64, 64, 3)) * 255).astype(np.uint8) for _ in range(n)]


@pytest.mark.parametrize("device", DEVICES)
def test_steps_stay_on_the_device_and_match_the_model(device: str) -> None:
    model = build_model(compact_config(num_kp=4)).eval()
    core = InferenceCore(model, device=device, precision="float32")
    src, drv = (core.image_tensor(im) for im in _images())
    assert src.device.type == device and src.shape == (1, 3, 64, 64)
    state = core.encode_source(src)
    kp = core.detect(drv)
    out = core.render(state, kp)
    assert out.prediction.device.type == device and kp.value.device.type == device
    with torch.no_grad():
        expected = model(src, drv).prediction
    assert torch.equal(out.prediction, expected)
    frame = core.to_uint8(out.prediction)
    assert frame.shape == (64, 64, 3) and frame.dtype == np.uint8


def test_pixels_round_trip_on_the_device() -> None:
    core = InferenceCore(build_model(compact_config(num_kp=2)), precision="float32")
    px = np.array([[0.0, 0.0], [63.0, 31.5]], np.float32)
    kp = core.from_pixels(px, np.eye(2, dtype=np.float32)[None].repeat(2, 0))
    assert torch.allclose(kp.value[0], torch.tensor([[-1.0, -1.0], [1.0, 0.0]]))
    assert np.allclose(core.to_pixels(kp.value[0]).numpy(), px)


def test_bf16_fast_path_keeps_keypoints_and_dense_motion_in_float32() -> None:
    """bf16 forced (as on hardware with fast bf16): keypoints and the deformation equal the
    float32 ones; only the generator's encoder and decoder run in bf16."""
    model = build_model(compact_config(num_kp=4)).eval()
    exact = InferenceCore(model, precision="float32")
    src, drv = (exact.image_tensor(im) for im in _images())
    state = exact.encode_source(src)
    kp = exact.detect(drv)
    reference = exact.render(state, kp)
    fast = InferenceCore(build_model(compact_config(num_kp=4)).eval(), precision="fast")
    fast.model.load_state_dict(model.state_dict())
    fast.bf16 = True
    fast_state = fast.encode_source(fast.image_tensor(_images()[0]))
    assert fast_state.small_image.dtype == torch.float32
    out = fast.render(fast_state, kp)
    assert out.motion.deformation.dtype == torch.float32
    # Keypoints are detected in float32, so the motion is the float32 one:
    assert torch.allclose(fast_state.keypoints.value, state.keypoints.value, atol=1e-6)
    assert torch.allclose(fast.detect(drv).value, kp.value, atol=1e-6)
    assert torch.allclose(out.motion.deformation, reference.motion.deformation, atol=1e-6)
    assert (out.prediction - reference.prediction).abs().mean() < 0.05
