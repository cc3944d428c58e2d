"""The inference core: one model on one device in eval mode, at one precision, tensor in/out.

It knows nothing about videos, crops, stabilisers or motion transfer (that is the pipeline,
`flowmark_core.animate.pipeline`). Every step takes and returns tensors on the core's device:
`image_tensor` (uint8 RGB -> (1, 3, S, S) in [0, 1]), `detect`, `encode_source`, `render`.

Precision "fast" runs the generator's encoder and decoder in bf16 autocast where the
hardware has fast bf16 (and channels-last everywhere). What decides where every pixel comes
from always runs in float32: the keypoint detector and the dense motion network. Measured on
the trained default model (docs/benchmarks.md), bf16 keypoints alone put the 99.9th
percentile error at ~7 of 255; with both in float32 it is below 1 of 255.
"""

from __future__ import annotations

import numpy as np
import torch

from flowmark_core.animate.precision import PRECISIONS, autocast_for, use_bf16
from flowmark_core.config import ModelConfig
from flowmark_core.devices import resolve_device
from flowmark_core.errors import ConfigError, FlowmarkError
from flowmark_core.geometry import normalized_to_pixels, pixels_to_normalized
from flowmark_core.models import GeneratorOutput, Keypoints, MotionModel, SourceState

BACKENDS = ("torch", "openvino")


class InferenceCore:
    """A `MotionModel` ready for inference: device, eval mode, precision, tensor-in/out steps.

    Args:
        model: the network (moved to `device` and put in eval mode).
        device: "cpu", "cuda", a torch.device, or None (cpu).
        precision: "float32" (exactly the model's output) or "fast" (channels-last, bf16
            autocast outside the dense motion network where bf16 is fast).
        backend: "torch", or "openvino" (CPU only, float32 whatever `precision`: detect and
            render compiled by OpenVINO; see `openvino_backend`).
    """

    def __init__(
        self,
        model: MotionModel,
        device: str | torch.device | None = None,
        precision: str = "fast",
        backend: str = "torch",
    ) -> None:
        if precision not in PRECISIONS:
            raise ConfigError(f"precision {precision!r}: expected one of {', '.join(PRECISIONS)}")
        if backend not in BACKENDS:
            raise ConfigError(f"backend {backend!r}: expected one of {', '.join(BACKENDS)}")
        self.device = (
            device if isinstance(device, torch.device) else resolve_device(device or "cpu")
        )
        if backend == "openvino" and self.device.type != "cpu":
            raise ConfigError(f"backend 'openvino' runs on the CPU, not on {self.device.type}")
        self.precision = precision
        self.backend = backend
        self.bf16 = use_bf16(self.device, precision) and backend == "torch"
        self.channels_last = precision == "fast" and backend == "torch"
        self.model = model.to(self.device).eval()
        if self.channels_last:
            self.model = self.model.to(memory_format=torch.channels_last)  # type: ignore[call-overload]  # Module.to takes memory_format; its stubs do not list it
        self._openvino = None
        if backend == "openvino":
            from flowmark_core.animate.openvino_backend import OpenVinoSteps

            self._openvino = OpenVinoSteps(self.model)
        self.config: ModelConfig = model.config
        self.size = self.config.image_size
        self.num_kp = self.config.num_kp

    # -- conversions ----------------------------------------------------------------------
    def image_tensor(self, image: np.ndarray) -> torch.Tensor:
        """An (S, S, 3) uint8 RGB image as a (1, 3, S, S) float tensor in [0, 1] on the device."""
        if image.ndim != 3 or image.shape[2] != 3:
            raise FlowmarkError(f"expected an RGB image (H, W, 3), got shape {image.shape}")
        t = torch.from_numpy(np.ascontiguousarray(image)).to(self.device)
        t = t.permute(2, 0, 1)[None].float() / 255.0
        return t.contiguous(memory_format=torch.channels_last) if self.channels_last else t

    def to_pixels(self, value: torch.Tensor) -> torch.Tensor:
        """Normalised keypoints (..., 2) -> pixels of the model-size image (same device)."""
        return normalized_to_pixels(value.float(), self.size, self.size)

    def from_pixels(
        self, value_px: np.ndarray | torch.Tensor, jacobian: np.ndarray | torch.Tensor | None
    ) -> Keypoints:
        """Keypoints (K, 2) px (+ Jacobians (K, 2, 2)) -> a batch-of-one `Keypoints` on the device."""
        v = torch.as_tensor(value_px, dtype=torch.float32, device=self.device)
        j = None if jacobian is None else torch.as_tensor(jacobian, dtype=torch.float32)
        return Keypoints(
            pixels_to_normalized(v, self.size, self.size)[None],
            None if j is None else j.to(self.device)[None],
        )

    @staticmethod
    def to_uint8(prediction: torch.Tensor) -> np.ndarray:
        """A (1, 3, H, W) image in [0, 1] -> (H, W, 3) uint8 on the host."""
        image = (prediction[0].float().clamp(0, 1).permute(1, 2, 0) * 255).round().byte()
        return image.cpu().numpy()

    # -- steps ----------------------------------------------------------------------------
    @torch.inference_mode()
    def detect(self, image: torch.Tensor) -> Keypoints:
        """Keypoints of a batch (B, 3, S, S) in [0, 1]; value and Jacobian in float32."""
        if self._openvino is not None:
            return self._openvino.detect(image)
        kp = self.model.detect(image)  # float32 always: keypoints steer everything downstream
        return Keypoints(
            kp.value.float(),
            None if kp.jacobian is None else kp.jacobian.float(),
            kp.heatmap,
        )

    @torch.inference_mode()
    def encode_source(self, image: torch.Tensor) -> SourceState:
        """Detect the source keypoints and encode the source once (float32 keypoints)."""
        generator = self.model.generator
        kp = self.detect(image)
        with autocast_for(self.device, self.bf16):
            state = generator.encode(image, kp)
        # The dense motion network reads the small source in float32 (see module doc).
        return SourceState(
            image=state.image,
            keypoints=kp,
            features=state.features,
            small_image=generator.dense_motion_network.downsample(image.float()),
        )

    @torch.inference_mode()
    def render(self, state: SourceState, kp: Keypoints) -> GeneratorOutput:
        """Render the encoded source posed by `kp` (normalised keypoints on the device)."""
        if self._openvino is not None:
            return self._openvino.render(state, kp)
        generator = self.model.generator
        motion = generator.motion(state, Keypoints(kp.value.float(), _float(kp.jacobian)))
        with autocast_for(self.device, self.bf16):
            return generator.decode(state, motion)


def _float(t: torch.Tensor | None) -> torch.Tensor | None:
    return None if t is None else t.float()
