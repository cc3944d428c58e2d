"""Held-out reconstruction: how well a model redraws frames it did not train on."""

from __future__ import annotations

import numpy as np
import torch

from flowmark_core.models import MotionModel


def _to_tensor(frames: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(frames)).permute(0, 3, 1, 2).float() / 255.0


@torch.inference_mode()
def reconstruction_scores(
    model: MotionModel, frames: np.ndarray, source: np.ndarray, batch: int = 8
) -> tuple[float, float]:
    """Mean L1 of the model's reconstruction of each frame from `source` (each frame's own
    keypoints, absolute motion), and of the identity baseline (the source itself).

    Shape:
        frames: (T, S, S, 3) uint8 at the model's size; source: (S, S, 3) uint8.
    """
    model.eval()
    src = _to_tensor(source[None])
    state = model.encode_source(src)
    model_l1, identity_l1 = [], []
    for start in range(0, len(frames), batch):
        driving = _to_tensor(frames[start : start + batch])
        for d in driving:
            d = d[None]
            out = model.render(state, model.detect(d)).prediction
            model_l1.append(float((out - d).abs().mean()))
            identity_l1.append(float((src - d).abs().mean()))
    return float(np.mean(model_l1)), float(np.mean(identity_l1))
