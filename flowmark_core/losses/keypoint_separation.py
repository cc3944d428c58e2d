"""Keypoint separation prior: keeps unsupervised keypoints from collapsing onto each other.

Detectors trained only for reconstruction and equivariance often put several keypoints on
nearly the same spot (on the puppet faces: all on the face's centre line), which leaves
motion elsewhere unexpressed. The prior penalises every pair of keypoints of an image by a
Gaussian of their distance, as in Zhang et al., "Unsupervised discovery of object landmarks
as structural representations" (CVPR 2018):

    L = mean over images and ordered pairs i != j of exp(-|kp_i - kp_j|^2 / (2 sigma^2))

in the keypoints' [-1, 1] coordinates. Coincident keypoints give 1, keypoints much farther
apart than sigma give ~0.
"""

from __future__ import annotations

import torch


def keypoint_separation_loss(values: torch.Tensor, sigma: float) -> torch.Tensor:
    """The separation prior of keypoints `values` (B, K, 2); 0 when K < 2.

    Args:
        values: keypoint positions in [-1, 1] image coordinates.
        sigma: distance (same units) below which two keypoints repel noticeably.
    """
    if sigma <= 0:
        raise ValueError(f"keypoint separation sigma must be > 0, got {sigma}")
    count = values.shape[1]
    if count < 2:
        return values.new_zeros(())
    diff = values.float()[:, :, None, :] - values.float()[:, None, :, :]
    squared = (diff**2).sum(-1)
    kernel = torch.exp(-squared / (2.0 * sigma**2))
    off_diagonal = ~torch.eye(count, dtype=torch.bool, device=values.device)
    return kernel[:, off_diagonal].mean()
