"""Landmark accuracy protocol: fit the keypoint→landmark regressor on the train split.

Unsupervised keypoints are mapped to the annotated landmarks by an affine regressor fitted on
train frames (`fit_landmark_regressor`). The fit runs in normalised [-1, 1] coordinates, so
train videos of any size share one map and the model size does not matter; predictions are
converted to each test video's pixels for NME and NMJ.
"""

from __future__ import annotations

import numpy as np

from flowmark_core.animate import Animator
from flowmark_core.data.video_folder import VideoEntry, VideoFolder
from flowmark_core.errors import DatasetError
from flowmark_core.geometry import normalized_to_pixels, pixels_to_normalized
from flowmark_core.metrics import LandmarkRegressor, fit_landmark_regressor

FitOutcome = tuple[LandmarkRegressor | None, str | None]


def keypoints_to_normalized(kp_px: np.ndarray, image_size: int) -> np.ndarray:
    """Keypoints in model pixels (S x S) to normalised [-1, 1] coordinates.

    Shape:
        kp_px: (..., K, 2); output: same shape.
    """
    return pixels_to_normalized(kp_px, image_size, image_size)


def predict_landmarks_px(
    regressor: LandmarkRegressor, kp_px: np.ndarray, image_size: int, video_size: tuple[int, int]
) -> np.ndarray:
    """Landmarks regressed from model-pixel keypoints, in the video's pixels.

    Args:
        regressor: fitted on normalised coordinates (see `fit_split_regressor`).
        kp_px: keypoints in pixels of the S x S model input.
        image_size: the model size S.
        video_size: (width, height) of the video the landmarks belong to.

    Shape:
        kp_px: (T, K, 2); output: (T, L, 2).
    """
    norm = regressor.predict(keypoints_to_normalized(kp_px, image_size))
    return normalized_to_pixels(norm, video_size[0], video_size[1])


def _sample_indices(count: int, per_video: int) -> list[int]:
    """`per_video` frame indices spread evenly over a video of `count` frames."""
    return sorted({round(i) for i in np.linspace(0, count - 1, min(per_video, count))})


def _train_samples(
    animator: Animator, entry: VideoEntry, per_video: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """(normalised keypoints, normalised landmarks) of a few frames of one train video."""
    truth = entry.landmarks()
    if truth is None:
        return None
    reader = entry.open()
    count = min(len(truth.landmarks), reader.frame_count or len(truth.landmarks))
    indices = _sample_indices(count, per_video)
    frames = reader.read_frames(indices)
    kp = np.stack([animator.detect(animator.prepare(f)).value for f in frames])
    gt = truth.landmarks[indices].astype(np.float64)
    keep = np.all(np.isfinite(gt), axis=(1, 2))
    width, height = reader.size
    return (
        keypoints_to_normalized(kp[keep], animator.size),
        pixels_to_normalized(gt[keep], width, height),
    )


def fit_split_regressor(
    animator: Animator,
    data_dir: str,
    max_videos: int | None,
    frames_per_video: int,
    ridge: float,
) -> FitOutcome:
    """Fit the keypoint→landmark regressor on the train split of a data set.

    Frames with every landmark coordinate finite are used (landmarks hidden in the image still
    have a known position, so visibility does not matter for the fit).

    Args:
        animator: the model whose raw keypoints are mapped.
        data_dir: data set root (with train/).
        max_videos: train videos with landmarks to use (first ones by name); None = all.
        frames_per_video: evenly spaced frames taken from each of those videos.
        ridge: ridge weight passed to `fit_landmark_regressor`.

    Returns:
        (regressor, None), or (None, why no regressor could be fitted).
    """
    try:
        folder = VideoFolder(data_dir, "train")
    except DatasetError as exc:
        return None, f"no train split to fit the keypoint→landmark regressor ({exc})"
    kps: list[np.ndarray] = []
    gts: list[np.ndarray] = []
    for entry in folder:
        if max_videos is not None and len(kps) >= max_videos:
            break
        sample = _train_samples(animator, entry, frames_per_video)
        if sample is not None and len(sample[0]):
            kps.append(sample[0])
            gts.append(sample[1])
    if not kps:
        return None, "train videos have no landmarks.npz ground truth to fit the regressor on"
    shapes = {g.shape[1] for g in gts}
    if len(shapes) != 1:
        return None, f"train videos disagree on the number of landmarks: {sorted(shapes)}"
    return fit_landmark_regressor(np.concatenate(kps), np.concatenate(gts), ridge=ridge), None
