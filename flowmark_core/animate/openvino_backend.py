"""Optional OpenVINO backend of the inference core (CPU, float32): `detect` and `render` compiled
by OpenVINO from the core's own model, same inputs and outputs as the PyTorch steps.

Install with `pip install 'flowmark[openvino]'`. Measured on the trained default model it
runs the per-frame steps 1.4x faster than eager PyTorch on one core with the output within
0.01 of an 8-bit step (docs/benchmarks.md); OpenVINO's own default precision on CPUs with
bf16 (its "bf16 hint") is not used: its error is far above the fast path's bound.
Converting takes seconds (once per core), and the shapes are fixed at the model's size.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch
from torch import nn

from flowmark_core.errors import ConfigError
from flowmark_core.models import GeneratorOutput, Keypoints, MotionField, MotionModel, SourceState


class _Detect(nn.Module):
    def __init__(self, model: MotionModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, image: torch.Tensor) -> tuple[torch.Tensor, ...]:
        kp = self.model.kp_detector(image)
        outs = [kp.value, kp.heatmap]
        return (*outs, kp.jacobian) if kp.jacobian is not None else tuple(outs)


class _Render(nn.Module):
    def __init__(self, model: MotionModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, *args: torch.Tensor) -> tuple[torch.Tensor, ...]:
        if len(args) == 7:
            source, src_value, src_jac, features, small, value, jac = args
        else:
            (source, src_value, features, small, value), src_jac, jac = args, None, None
        state = SourceState(source, Keypoints(src_value, src_jac), features, small)
        out = self.model.generator.render(state, Keypoints(value, jac))
        motion = out.motion
        extra = () if motion.occlusion is None else (motion.occlusion,)
        return (out.prediction, motion.deformation, motion.mask, *extra)


class OpenVinoSteps:
    """`detect` and `render` of a model compiled by OpenVINO for the CPU in float32."""

    def __init__(self, model: MotionModel, threads: int | None = None) -> None:
        try:
            import openvino as ov
        except ImportError:
            raise ConfigError(
                "backend 'openvino' needs the OpenVINO runtime: pip install 'flowmark[openvino]'"
            ) from None
        size, channels = model.config.image_size, model.config.num_channels
        config = {
            "INFERENCE_PRECISION_HINT": "f32",
            "INFERENCE_NUM_THREADS": threads or torch.get_num_threads(),
        }
        core = ov.Core()
        image = torch.rand(1, channels, size, size)
        model = model.float().to(memory_format=torch.contiguous_format).eval()  # type: ignore[call-overload]  # Module.to takes memory_format; its stubs do not list it
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore", torch.jit.TracerWarning)  # shapes are fixed here
            kp = model.kp_detector(image)
            state = model.generator.encode(image, kp)
            detect = ov.convert_model(_Detect(model).eval(), example_input=(image,))
            render_args = self._render_args(state, kp)
            render = ov.convert_model(_Render(model).eval(), example_input=render_args)
        self._detect = core.compile_model(detect, "CPU", config)
        self._render = core.compile_model(render, "CPU", config)
        self.has_jacobian = kp.jacobian is not None
        self.has_occlusion = model.generator.dense_motion_network.occlusion is not None

    @staticmethod
    def _render_args(state: SourceState, kp: Keypoints) -> tuple[torch.Tensor, ...]:
        src = state.keypoints
        if kp.jacobian is None or src.jacobian is None:
            return (state.image, src.value, state.features, state.small_image, kp.value)
        return (
            state.image,
            src.value,
            src.jacobian,
            state.features,
            state.small_image,
            kp.value,
            kp.jacobian,
        )

    def detect(self, image: torch.Tensor) -> Keypoints:
        out = self._detect([_np(image)])
        results = [torch.from_numpy(out[i].copy()) for i in range(len(out))]
        value, heatmap = results[0], results[1]
        return Keypoints(value, results[2] if self.has_jacobian else None, heatmap)

    def render(self, state: SourceState, kp: Keypoints) -> GeneratorOutput:
        out = self._render([_np(a) for a in self._render_args(state, kp)])
        results = [torch.from_numpy(out[i].copy()) for i in range(len(out))]
        occlusion = results[3] if self.has_occlusion else None
        return GeneratorOutput(results[0], MotionField(results[1], occlusion, results[2]))


def _np(t: torch.Tensor) -> np.ndarray:
    return np.ascontiguousarray(t.detach().float().cpu().numpy())
