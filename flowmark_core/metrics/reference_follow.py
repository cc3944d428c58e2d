"""How well keypoints follow a landmark reference on videos without ground truth.

Unsupervised keypoints have no fixed meaning, so a linear map (keypoints -> reference
landmarks, with an offset, ridge-regularised) is fitted on half of a clip's frames and the
keypoints are scored on the other half: alternating blocks of `block` frames, even blocks
fit, odd blocks scored (so both halves see the whole clip's poses, and scored blocks hold
consecutive frames for the jitter term). Errors are normalised per frame by the reference's
inter-ocular distance (outer eye corners).

Also: the reference's own noise floor, measured on a still image warped along a known smooth
path (`warped_still_path` + `reference_noise_floor`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from flowmark_core.metrics.reference_mesh import inter_ocular


@dataclass(frozen=True)
class FollowScore:
    """Landmark-follow scores of one keypoint track against a reference.

    Attributes:
        nme: mean |mapped - reference| / inter-ocular distance over scored (frame, landmark).
        nmj: RMS over scored transitions of (RMS over landmarks of the error's change) / IOD.
        fit_frames, scored_frames: frames (with a reference) used to fit and to score.
    """

    nme: float
    nmj: float
    fit_frames: int
    scored_frames: int


def split_blocks(count: int, block: int) -> np.ndarray:
    """True for frames that fit the map (even blocks), False for scored ones. Shape: (T,)."""
    if block < 1:
        raise ValueError(f"block must be >= 1, got {block}")
    return (np.arange(count) // block) % 2 == 0


def fit_linear_map(kp: np.ndarray, ref: np.ndarray, ridge: float = 1e-3) -> np.ndarray:
    """Ridge least-squares map [keypoints, 1] -> reference landmarks.

    Keypoints are centred and scaled by their spread over frames before the ridge term
    applies, so `ridge` is unit-free (relative to the keypoints' motion variance). Returns the weight matrix for `apply_linear_map`.

    Shape:
        kp: (N, K, 2); ref: (N, L, 2) finite; output: (2K + 1, 2L) (scaling folded in).
    """
    x = kp.reshape(len(kp), -1)
    y = ref.reshape(len(ref), -1)
    mean = x.mean(axis=0)
    scale = max(float((x - mean).std()), 1e-9)
    xs = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    reg = ridge * len(x) * np.eye(xs.shape[1])
    reg[-1, -1] = 0.0  # no penalty on the offset
    w = np.linalg.solve(xs.T @ xs + reg, xs.T @ y)
    # Fold the normalisation into the weights: y = ((x - mean)/scale) W_a + w_b.
    w_a = w[:-1] / scale
    w_b = w[-1] - mean @ w_a
    return np.vstack([w_a, w_b[None]])


def apply_linear_map(weights: np.ndarray, kp: np.ndarray) -> np.ndarray:
    """Landmarks predicted from keypoints. Shape: kp (T, K, 2) -> (T, L, 2)."""
    x = kp.reshape(len(kp), -1)
    y = x @ weights[:-1] + weights[-1]
    return y.reshape(len(kp), -1, 2)


def normalized_errors(pred: np.ndarray, ref: np.ndarray) -> tuple[float, float]:
    """(NME, NMJ) of predicted landmarks against a reference, inter-ocular normalised.

    NME: mean over frames with a reference and landmarks of |pred - ref| / IOD_t.
    NMJ: with e_t = pred_t - ref_t, sqrt(mean over transitions t->t+1 with a reference in
    both frames of mean_l |e_{t+1} - e_t|² / IOD²), IOD the mean of the two frames'.
    NaN when nothing is defined.

    Shape:
        pred, ref: (T, L, 2); ref NaN where it has no face.
    """
    ok = np.all(np.isfinite(ref), axis=(1, 2))
    iod = inter_ocular(ref)
    err = pred - ref
    dist = np.linalg.norm(err, axis=-1)
    nme = float(np.mean(dist[ok] / iod[ok, None])) if ok.any() else float("nan")
    squares = []
    for t in range(len(ref) - 1):
        if ok[t] and ok[t + 1]:
            change = err[t + 1] - err[t]
            scale = 0.5 * (iod[t] + iod[t + 1])
            squares.append(np.mean(np.sum(change**2, axis=-1)) / scale**2)
    nmj = float(np.sqrt(np.mean(squares))) if squares else float("nan")
    return nme, nmj


def landmark_follow(
    kp: np.ndarray, ref: np.ndarray, block: int = 10, ridge: float = 1e-3
) -> FollowScore:
    """Fit keypoints -> reference on even blocks of frames, score NME/NMJ on odd blocks.

    Only frames where the reference found a face count. NMJ counts transitions inside a
    scored block (both frames scored, both with a reference).

    Args:
        kp: keypoint track, px.
        ref: reference landmarks in the same pixels, NaN where no face was found.
        block: frames per block.
        ridge: ridge weight of the map (see `fit_linear_map`).

    Returns:
        The scores; NaN scores when fewer than 3 fit frames or no scored frame exist.

    Shape:
        kp: (T, K, 2); ref: (T, L, 2).
    """
    kp = np.asarray(kp, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    if len(kp) != len(ref):
        raise ValueError(f"keypoints ({len(kp)}) and reference ({len(ref)}) differ in length")
    found = np.all(np.isfinite(ref), axis=(1, 2))
    fit = split_blocks(len(kp), block)
    fit_idx = np.flatnonzero(fit & found)
    scored = ~fit & found
    if len(fit_idx) < 3 or not scored.any():
        return FollowScore(float("nan"), float("nan"), len(fit_idx), int(scored.sum()))
    weights = fit_linear_map(kp[fit_idx], ref[fit_idx], ridge)
    pred = apply_linear_map(weights, kp)
    masked = np.where(scored[:, None, None], ref, np.nan)
    nme, nmj = normalized_errors(pred, masked)
    return FollowScore(nme, nmj, len(fit_idx), int(scored.sum()))


def warped_still_path(
    frames: int, size: tuple[int, int], seed: int = 0, amplitude: float = 0.04
) -> np.ndarray:
    """A smooth similarity-transform path for warping a still (known landmark motion).

    Translation up to `amplitude` of the image size, rotation up to 3°, scale ±3%, each a
    slow sinusoid with a seeded phase and period (2-4 s at 25 fps).

    Returns:
        (T, 2, 3) affine matrices mapping the still's pixels to frame t's pixels.
    """
    rng = np.random.default_rng(seed)
    h, w = size
    t = np.arange(frames, dtype=np.float64)

    def wave() -> np.ndarray:
        period = rng.uniform(50, 100)
        return np.sin(2 * np.pi * t / period + rng.uniform(0, 2 * np.pi))

    tx, ty = amplitude * w * wave(), amplitude * h * wave()
    angle, scale = 3.0 * wave(), 1.0 + 0.03 * wave()
    centre = ((w - 1) / 2.0, (h - 1) / 2.0)
    mats = np.empty((frames, 2, 3))
    for i in range(frames):
        m = cv2.getRotationMatrix2D(centre, float(angle[i]), float(scale[i]))
        m[:, 2] += (tx[i], ty[i])
        mats[i] = m
    return mats


def apply_affine(mat: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Points (N, 2) through a 2x3 affine matrix."""
    return points @ mat[:, :2].T + mat[:, 2]


@dataclass(frozen=True)
class NoiseFloor:
    """The reference's own error on a still warped along a known path.

    Attributes:
        nmj: the reference's jitter against the known path, / inter-ocular distance.
        nme: mean |reference - path| / IOD, the frame-0 detection carried by the path
            taken as truth (so a constant bias of the mesh does not count).
        jitter_px: RMS frame-to-frame error change, px.
        acceleration_excess: mean |2nd difference| of the reference minus that of the path,
            px/frame².
        iod_px: inter-ocular distance, px.
        frames_found: frames with a face.
    """

    nmj: float
    nme: float
    jitter_px: float
    acceleration_excess: float
    iod_px: float
    frames_found: int


def reference_noise_floor(
    image: np.ndarray,
    landmarks: Callable[[np.ndarray], np.ndarray | None],
    frames: int = 48,
    seed: int = 0,
) -> NoiseFloor:
    """Measure a landmark reference's own noise on `image` warped along a known smooth path.

    Frame t is the still warped by `warped_still_path`; the truth for frame t is the frame-0
    detection carried by the path. Detector noise shows as jitter against that truth.

    Args:
        image: a portrait, uint8 RGB.
        landmarks: the reference (e.g. `MediaPipeReference().landmarks`).
        frames: frames in the path.
        seed: path seed.

    Shape:
        image: (H, W, 3).
    """
    h, w = image.shape[:2]
    mats = warped_still_path(frames, (h, w), seed)
    warped = [
        cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)
        for m in mats
    ]
    found = [landmarks(f) for f in warped]
    first = found[0]
    if first is None:
        raise ValueError("the reference found no face in the unwarped image")
    # The still's landmarks: frame 0's detection mapped back through frame 0's warp.
    inv0 = cv2.invertAffineTransform(mats[0])
    still = apply_affine(inv0, first)
    truth = np.stack([apply_affine(m, still) for m in mats])
    ref = np.stack([np.full_like(first, np.nan) if f is None else f for f in found])
    nme, nmj = normalized_errors(ref, truth)
    ok = np.all(np.isfinite(ref), axis=(1, 2))
    err = ref - truth
    both = ok[1:] & ok[:-1]
    change = np.linalg.norm(err[1:] - err[:-1], axis=-1)[both]
    jitter_px = float(np.sqrt(np.mean(change**2))) if change.size else float("nan")

    def accel(track: np.ndarray) -> float:
        triple = ok[2:] & ok[1:-1] & ok[:-2]
        second = np.linalg.norm(track[2:] - 2 * track[1:-1] + track[:-2], axis=-1)[triple]
        return float(second.mean()) if second.size else float("nan")

    return NoiseFloor(
        nmj=nmj,
        nme=nme,
        jitter_px=jitter_px,
        acceleration_excess=accel(ref) - accel(truth),
        iod_px=float(np.mean(inter_ocular(truth))),
        frames_found=int(ok.sum()),
    )
