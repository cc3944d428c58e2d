"""Infer the model config of a First Order Motion Model checkpoint from its weights alone.

The state dict shows the number of keypoints and channels, every block count and width,
whether Jacobians (one map or one per keypoint) and occlusion are estimated, and the
anti-alias scale factors (from the size of the stored Gaussian kernels). It does not show the
softmax temperature, the detector's padding or the frame size: for those the values every
published config uses are taken (0.1, 0, 256 px). A layout equal to a published config's is
named after it; one no config explains is refused with a request for `--config`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import torch

from flowmark_core.config import (
    DenseMotionConfig,
    GeneratorConfig,
    KeypointDetectorConfig,
    ModelConfig,
)
from flowmark_core.errors import CheckpointError
from flowmark_core.models import build_model

PUBLISHED_IMAGE_SIZE = 256
_VOX = ModelConfig(align_corners=False, image_size=PUBLISHED_IMAGE_SIZE)
PUBLISHED_ARCHITECTURES: dict[str, ModelConfig] = {
    **{
        name: _VOX
        for name in (
            "vox-256",
            "vox-adv-256",
            "taichi-256",
            "taichi-adv-256",
            "bair-256",
            "fashion-256",
            "nemo-256",
        )
    },
    "mgif-256": replace(_VOX, kp_detector=replace(_VOX.kp_detector, single_jacobian_map=True)),
}
"""The inference-relevant model parameters of the eight published configs (their YAMLs)."""


@functools.lru_cache(maxsize=16)
def weight_shapes(config: ModelConfig) -> dict[str, tuple[int, ...]]:
    """Every state-dict key of the model `config` builds, with its shape (built on no memory)."""
    with torch.device("meta"):
        model = build_model(config)
    return {key: tuple(t.shape) for key, t in model.state_dict().items()}


def _count(state: Mapping[str, torch.Tensor], pattern: str) -> int:
    found = {int(m.group(1)) for key in state if (m := re.fullmatch(pattern, key))}
    return len(found)


def _shape(state: Mapping[str, torch.Tensor], key: str, path: Path) -> tuple[int, ...]:
    if key not in state:
        raise CheckpointError(
            f"{path}: cannot infer the model config (no {key}); pass its YAML with --config"
        )
    return tuple(state[key].shape)


def _scale(state: Mapping[str, torch.Tensor], key: str, path: Path) -> float:
    """The anti-alias scale 1/n whose Gaussian kernel has the stored size (1 when absent)."""
    if key not in state:
        return 1.0
    size = _shape(state, key, path)[-1]
    steps = [n for n in range(2, 33) if 2 * round(2.0 * (n - 1)) + 1 == size]
    if len(steps) != 1:
        raise CheckpointError(
            f"{path}: cannot tell the scale factor from {key} ({size} px kernel); "
            "pass its YAML with --config"
        )
    return 1.0 / steps[0]


def _width(state: Mapping[str, torch.Tensor], prefix: str, count: int, path: Path) -> int:
    """The widest block of an encoder: max_features when the widths saturate, else harmless."""
    return max(_shape(state, f"{prefix}.{i}.conv.weight", path)[0] for i in range(count))


def infer_from_weights(state: Mapping[str, torch.Tensor], path: Path) -> ModelConfig:
    """A config whose model has exactly these weight shapes (keys `kp_detector.*`, `generator.*`)."""
    kp_enc = "kp_detector.predictor.encoder.down_blocks"
    kp_blocks = _count(state, re.escape(kp_enc) + r"\.(\d+)\.conv\.weight")
    first = _shape(state, f"{kp_enc}.0.conv.weight", path)
    channels = first[1]
    num_kp = _shape(state, "kp_detector.kp.weight", path)[0]
    jac = state.get("kp_detector.jacobian.weight")
    dm = "generator.dense_motion_network"
    dm_enc = f"{dm}.hourglass.encoder.down_blocks"
    dm_blocks = _count(state, re.escape(dm_enc) + r"\.(\d+)\.conv\.weight")
    gen_down = _count(state, r"generator\.down_blocks\.(\d+)\.conv\.weight")
    gen_first = _shape(state, "generator.first.conv.weight", path)[0]
    return ModelConfig(
        num_kp=num_kp,
        num_channels=channels,
        estimate_jacobian=jac is not None,
        image_size=PUBLISHED_IMAGE_SIZE,
        align_corners=False,
        kp_detector=KeypointDetectorConfig(
            block_expansion=first[0] // 2,
            max_features=_width(state, kp_enc, kp_blocks, path),
            num_blocks=kp_blocks,
            scale_factor=_scale(state, "kp_detector.down.weight", path),
            single_jacobian_map=jac is not None and jac.shape[0] == 4 and num_kp > 1,
        ),
        generator=GeneratorConfig(
            block_expansion=gen_first,
            max_features=max(gen_first, _width(state, "generator.down_blocks", gen_down, path)),
            num_down_blocks=gen_down,
            num_bottleneck_blocks=_count(state, r"generator\.bottleneck\.r(\d+)\.conv1\.weight"),
            estimate_occlusion_map=f"{dm}.occlusion.weight" in state,
            image_skip="generator.skip_mask.weight" in state,
            dense_motion=DenseMotionConfig(
                block_expansion=_shape(state, f"{dm_enc}.0.conv.weight", path)[0] // 2,
                max_features=_width(state, dm_enc, dm_blocks, path),
                num_blocks=dm_blocks,
                scale_factor=_scale(state, f"{dm}.down.weight", path),
            ),
        ),
    )


def infer_fomm_config(state: Mapping[str, torch.Tensor], path: Path) -> tuple[ModelConfig, str]:
    """The config of a FOMM checkpoint's weights and a one-line description of the inference.

    Raises:
        CheckpointError: the weights fit no config we can build (ask for --config).
    """
    shapes = {key: tuple(t.shape) for key, t in state.items()}
    matches = [
        name for name, cfg in PUBLISHED_ARCHITECTURES.items() if weight_shapes(cfg) == shapes
    ]
    if matches:
        also = f" (shared by {', '.join(matches[1:])})" if len(matches) > 1 else ""
        note = f"inferred the model config from the weights: the {matches[0]} architecture{also}"
        return PUBLISHED_ARCHITECTURES[matches[0]], note
    config = infer_from_weights(state, path)
    if weight_shapes(config) != shapes:
        raise CheckpointError(
            f"{path}: the weights match no published config and their layout is ambiguous; "
            "pass its YAML with --config (e.g. --config vox-256.yaml)"
        )
    note = (
        f"inferred the config from the weights: {config.num_kp} keypoints, "
        f"jacobian {config.estimate_jacobian}, occlusion "
        f"{config.generator.estimate_occlusion_map} (no published config has this layout; "
        f"temperature 0.1 and {PUBLISHED_IMAGE_SIZE} px assumed, pass --config to set them)"
    )
    return config, note
