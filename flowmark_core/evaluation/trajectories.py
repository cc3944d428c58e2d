"""Keypoint and regressed-landmark trajectories of one test video, for plots.

Keypoints are detected once; each stabiliser then runs offline over that raw track (the same
result as online, see `Stabilizer.run`), reading the frames again as a stream.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from flowmark_core.animate import Animator
from flowmark_core.animate.track_frames import stack_present
from flowmark_core.data.video_folder import VideoEntry, VideoFolder
from flowmark_core.evaluation.landmark_fit import (
    FitOutcome,
    fit_split_regressor,
    predict_landmarks_px,
)
from flowmark_core.evaluation.options import EvalOptions
from flowmark_core.stabilize import make_stabilizer


@dataclass(frozen=True)
class VideoTrajectories:
    """Trajectories of one test video.

    Attributes:
        name: the video's name.
        tracks: stabiliser name -> keypoints, px at model size ("none" is the raw track).
        truth: ground-truth landmarks in video px, or None without landmarks.npz.
        landmark_names: names of the ground-truth landmarks (empty without them).
        regressed: stabiliser name -> landmarks regressed from its track (video px); empty
            when no regressor could be fitted.
        regressor_note: why `regressed` is empty, else None.

    Shape:
        tracks[*]: (T, K, 2); truth, regressed[*]: (T, L, 2).
    """

    name: str
    tracks: dict[str, np.ndarray]
    truth: np.ndarray | None
    landmark_names: tuple[str, ...]
    regressed: dict[str, np.ndarray]
    regressor_note: str | None


def _prepared_frames(
    animator: Animator, entry: VideoEntry, limit: int | None
) -> Iterator[np.ndarray]:
    """The first `limit` (None = all) frames of a video at model size, streamed."""
    return (animator.prepare(f) for f in itertools.islice(entry.open(), limit))


def video_trajectories(
    animator: Animator,
    data_dir: str | Path,
    video: str | int = 0,
    stabilizers: Sequence[str] = ("none", "one-euro", "flow"),
    options: EvalOptions | None = None,
) -> VideoTrajectories:
    """Raw and stabilised keypoint tracks of one test video, and landmarks regressed from them.

    Args:
        animator: the model.
        data_dir: data set root (test/, and train/ for the regressor).
        video: the test video's name or index.
        stabilizers: stabilisers to run ("none" gives the raw track).
        options: `max_frames` and the regressor settings are read from it.

    Raises:
        DatasetError: no test split, or no video of that name.
    """
    options = options or EvalOptions()
    folder = VideoFolder(data_dir, "test")
    entry = folder.find(video) if isinstance(video, str) else folder[video]
    raws: list[np.ndarray] = []
    jacobians: list[np.ndarray | None] = []
    for prepared in _prepared_frames(animator, entry, options.max_frames):
        found = animator.detect(prepared)
        raws.append(found.value)
        jacobians.append(found.jacobian)
    raw = np.stack(raws).astype(np.float64)
    jac = stack_present(jacobians)
    tracks = {}
    fps = entry.open().fps  # the video's rate: the stabilisers' time step
    for name in stabilizers:
        stabilizer = make_stabilizer(name, animator.size, fps=fps)
        frames = _prepared_frames(animator, entry, options.max_frames)
        tracks[name] = np.asarray(stabilizer.run(raw, jac, frames)[0], dtype=np.float64)
    truth_track = entry.landmarks()
    truth = None if truth_track is None else truth_track.landmarks[: len(raw)]
    names = () if truth_track is None else tuple(str(n) for n in truth_track.names)
    fit: FitOutcome = (None, "the video has no landmarks.npz")
    if truth is not None:
        fit = fit_split_regressor(
            animator,
            str(data_dir),
            options.regressor_videos,
            options.regressor_frames,
            options.ridge,
        )
    regressor, note = fit
    size = entry.open().size
    regressed = {}
    if regressor is not None:
        regressed = {
            name: predict_landmarks_px(regressor, track, animator.size, size)
            for name, track in tracks.items()
        }
    return VideoTrajectories(entry.name, tracks, truth, names, regressed, note)
