"""Image features for distribution distances of generated frames: our detector's encoder
(always available; NOT comparable to published FID) and FID's Inception-v3 (weights file)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

from flowmark_core.models import MotionModel

FeatureFn = Callable[[np.ndarray], np.ndarray]


def detector_features(model: MotionModel) -> FeatureFn:
    """uint8 frames (N, H, W, 3) -> (N, D): the detector's hourglass encoder, its two deepest
    levels average-pooled and concatenated."""
    detector = model.kp_detector
    device = next(model.parameters()).device

    @torch.inference_mode()
    def features(frames: np.ndarray) -> np.ndarray:
        out = []
        for start in range(0, len(frames), 32):
            x = torch.from_numpy(np.ascontiguousarray(frames[start : start + 32])).to(device)
            x = x.permute(0, 3, 1, 2).float() / 255.0
            if detector.down is not None:
                x = detector.down(x)
            levels = detector.predictor.encoder(x)
            pooled = [F.adaptive_avg_pool2d(level.float(), 1).flatten(1) for level in levels[-2:]]
            out.append(torch.cat(pooled, 1).cpu().numpy())
        return np.concatenate(out).astype(np.float64)

    return features


def inception_features(weights: str, device: torch.device) -> FeatureFn:
    """uint8 frames (N, H, W, 3) -> (N, 2048) pool3 features of FID's Inception-v3."""
    from flowmark_core.evaluation.inception import load_fid_inception

    net = load_fid_inception(weights).to(device)

    @torch.inference_mode()
    def features(frames: np.ndarray) -> np.ndarray:
        out = []
        for start in range(0, len(frames), 16):
            x = torch.from_numpy(np.ascontiguousarray(frames[start : start + 16])).to(device)
            out.append(net(x.permute(0, 3, 1, 2).float() / 255.0).cpu().numpy())
        return np.concatenate(out).astype(np.float64)

    return features
