"""Landmark accuracy against ground truth: a linear keypoint→landmark regressor and the NME.

Unsupervised keypoints have no fixed meaning, so they are compared with annotated landmarks
through a linear map fitted on training frames (the usual protocol for unsupervised landmark
discovery), then scored by the normalised mean error (NME). All coordinates are pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def visible_mask(gt: np.ndarray, visible: np.ndarray | None) -> np.ndarray:
    """Boolean (T, L) mask: `visible` if given, else all landmarks with finite coordinates."""
    finite = np.all(np.isfinite(gt), axis=-1)
    if visible is None:
        return finite
    mask = np.asarray(visible, dtype=bool)
    if mask.shape != gt.shape[:-1]:
        raise ValueError(f"visible must have shape {gt.shape[:-1]}, got {mask.shape}")
    return mask & finite


def box_size(gt: np.ndarray, visible: np.ndarray | None = None) -> np.ndarray:
    """Size of each frame's ground-truth landmark box: sqrt(width · height) of their bbox.

    Only visible landmarks count; a frame with fewer than two visible landmarks (or a
    degenerate box) gets NaN.

    Args:
        gt: ground-truth landmarks in pixels (x, y).
        visible: optional mask of annotated landmarks; default: all finite landmarks.

    Returns:
        One size per frame, in pixels.

    Shape:
        gt: (T, L, 2); visible: (T, L) bool; output: (T,).
    """
    gt = np.asarray(gt, dtype=np.float64)
    mask = visible_mask(gt, visible)
    sizes = np.full(gt.shape[0], np.nan)
    for t in range(gt.shape[0]):
        pts = gt[t][mask[t]]
        if len(pts) < 2:
            continue
        width, height = pts.max(axis=0) - pts.min(axis=0)
        if width > 0 and height > 0:
            sizes[t] = np.sqrt(width * height)
    return sizes


def nme(pred: np.ndarray, gt: np.ndarray, visible: np.ndarray | None = None) -> float:
    """Normalised mean error of predicted landmarks.

    Definition: NME = mean over every visible (frame t, landmark l) pair of
    |pred[t, l] - gt[t, l]| / s_t, where |·| is the Euclidean norm in pixels and s_t is the
    frame's ground-truth box size (`box_size`, sqrt of width · height of the bbox of its visible
    ground-truth landmarks). Frames without a valid box are skipped.

    Args:
        pred: predicted landmarks in pixels (x, y).
        gt: ground-truth landmarks in pixels.
        visible: optional mask of annotated landmarks; default: all finite ground truth.

    Returns:
        The NME as a fraction of the box size (multiply by 100 for percent); NaN when no
        landmark is visible.

    Shape:
        pred, gt: (T, L, 2) (or (L, 2) for one frame); visible: (T, L) or (L,).
    """
    pred = np.asarray(pred, dtype=np.float64)
    gt = np.asarray(gt, dtype=np.float64)
    if pred.ndim == 2:
        pred, gt = pred[None], gt[None]
        visible = None if visible is None else np.asarray(visible)[None]
    if pred.shape != gt.shape or pred.ndim != 3 or pred.shape[-1] != 2:
        raise ValueError(f"pred and gt must both be (T, L, 2), got {pred.shape} and {gt.shape}")
    mask = visible_mask(gt, visible)
    sizes = box_size(gt, mask)
    mask &= np.isfinite(sizes)[:, None]
    if not mask.any():
        return float("nan")
    errors = np.linalg.norm(pred - gt, axis=-1) / np.where(np.isfinite(sizes), sizes, 1.0)[:, None]
    return float(errors[mask].mean())


@dataclass(frozen=True)
class LandmarkRegressor:
    """Affine map from K keypoints to L landmarks: landmarks = keypoints · weight + bias.

    The keypoints of a frame are flattened to (x0, y0, x1, y1, ...) and so are the landmarks.

    Attributes:
        weight: (2K, 2L) matrix.
        bias: (2L,) offset.
    """

    weight: np.ndarray
    bias: np.ndarray

    @property
    def num_keypoints(self) -> int:
        """Number K of input keypoints."""
        return self.weight.shape[0] // 2

    @property
    def num_landmarks(self) -> int:
        """Number L of output landmarks."""
        return self.weight.shape[1] // 2

    def predict(self, kp: np.ndarray) -> np.ndarray:
        """Landmarks predicted from keypoints.

        Shape:
            kp: (N, K, 2) or (K, 2) pixels; output: (N, L, 2) or (L, 2) pixels.
        """
        arr = np.asarray(kp, dtype=np.float64)
        single = arr.ndim == 2
        if single:
            arr = arr[None]
        if arr.shape[1:] != (self.num_keypoints, 2):
            raise ValueError(f"expected keypoints (N, {self.num_keypoints}, 2), got {arr.shape}")
        out = arr.reshape(len(arr), -1) @ self.weight + self.bias
        out = out.reshape(len(arr), self.num_landmarks, 2)
        return out[0] if single else out


def fit_landmark_regressor(
    kp_train: np.ndarray, gt_train: np.ndarray, ridge: float = 1e-4
) -> LandmarkRegressor:
    """Least-squares affine map from keypoints to landmarks, with an optional small ridge.

    Minimises sum_n |A · kp_n + b - gt_n|² + ridge · N · |A'|², where A' is A acting on
    standardised keypoint coordinates (zero mean, unit variance per coordinate over the
    training frames), so `ridge` does not depend on the image size. The bias is not penalised.
    With ridge = 0 this is ordinary (minimum-norm) least squares.

    Args:
        kp_train: keypoints of N training frames, pixels.
        gt_train: ground-truth landmarks of the same frames, pixels (all visible).
        ridge: non-negative ridge weight; 0 for plain least squares.

    Returns:
        The fitted `LandmarkRegressor`.

    Shape:
        kp_train: (N, K, 2); gt_train: (N, L, 2).
    """
    kp = np.asarray(kp_train, dtype=np.float64)
    gt = np.asarray(gt_train, dtype=np.float64)
    if kp.ndim != 3 or gt.ndim != 3 or kp.shape[-1] != 2 or gt.shape[-1] != 2:
        raise ValueError(f"expected (N, K, 2) and (N, L, 2), got {kp.shape} and {gt.shape}")
    if len(kp) != len(gt) or len(kp) == 0:
        raise ValueError(f"need the same, non-zero number of frames, got {len(kp)}, {len(gt)}")
    if ridge < 0 or not np.all(np.isfinite(gt)):
        raise ValueError("ridge must be >= 0 and ground truth finite (all landmarks visible)")
    n = len(kp)
    x = kp.reshape(n, -1)
    y = gt.reshape(n, -1)
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    std = np.where(std > 1e-12, std, 1.0)
    xs = (x - mean) / std
    y_mean = y.mean(axis=0)
    if ridge == 0:
        coef, *_ = np.linalg.lstsq(xs, y - y_mean, rcond=None)
    else:
        gram = xs.T @ xs + ridge * n * np.eye(xs.shape[1])
        coef = np.linalg.solve(gram, xs.T @ (y - y_mean))
    weight = coef / std[:, None]
    bias = y_mean - mean @ weight
    return LandmarkRegressor(weight=weight, bias=bias)
