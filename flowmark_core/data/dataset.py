"""Training data set of frame pairs or triplets drawn from videos (First Order Motion Model).

Each item picks a video (or an identity, then one of its clips), a random source frame and a
driving frame t (plus, with flow, the frame t + gap), reads only those frames, resizes them
to the square training size, augments them identically, and (with flow) computes the optical
flow from the driving frame to the next one with its forward-backward error.

Randomness: with `seed` set, item i draws from `default_rng([seed, i])`; otherwise from a
seed taken from torch's RNG, which DataLoader workers and the trainer's per-item seeding
control. Workers open nothing until they need it (no file handles or OpenCV objects are
pickled). Workers are spawned, not forked (`loader_workers.py`): a forked worker can
deadlock in OpenCV on the thread pool inherited from the parent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import torch
from torch.utils.data import Dataset

from flowmark_core.animate.framing import to_model_size
from flowmark_core.data.augment import (
    Augmentation,
    AugmentParams,
    apply_augmentation,
    draw_augmentation,
)
from flowmark_core.data.capture_augment import (
    CaptureDraw,
    capture_params,
    degrade_sample,
    draw_capture,
)
from flowmark_core.data.landmark_motion import (
    LANDMARK_MOTION,
    landmark_motion,
    mirror_points,
    resize_points,
)
from flowmark_core.data.layout import identity_of, list_videos, split_dir
from flowmark_core.data.video_folder import LandmarkTrack, landmarks_path, load_landmarks
from flowmark_core.errors import ConfigError, DatasetError, InputFileError
from flowmark_core.flow import FlowEstimator
from flowmark_core.io.frame_folder import list_frame_files
from flowmark_core.io.images import read_image
from flowmark_core.io.video_reader import FileVideoReader, open_video

_EMPTY = torch.zeros(0)

LANDMARK_TRUST_RADIUS = 0.08
"""Landmark motion is trusted within this fraction of the image size of a visible landmark."""

__all__ = ["AugmentParams", "FramesDataset", "TrainingSample"]


class TrainingSample(NamedTuple):
    """One training item; torch's default_collate batches it field by field.

    In pair mode (no flow) `driving_next`, `flow` and `flow_error` have shape (0,).

    Shape:
        source, driving, driving_next: (3, S, S) float32 in [0, 1]; flow: (2, S, S) float32
        pixels, (dx, dy) from driving to driving_next; flow_error: (S, S) float32 pixels;
        driving_index: int, the driving frame's index in its video.
    """

    source: torch.Tensor
    driving: torch.Tensor
    driving_next: torch.Tensor
    flow: torch.Tensor
    flow_error: torch.Tensor
    driving_index: int


def _to_tensor(frame: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(frame.transpose(2, 0, 1))).float().div_(255.0)


class FramesDataset(Dataset):
    """Frame pairs (or triplets with optical flow) from the videos of one split.

    Args:
        root: data set folder with train/ and test/ (see `flowmark_core.data.layout`).
        split: "train" or "test".
        image_size: side S of the square frames.
        frame_gap: d, the driving_next frame is t + d.
        with_flow: attach driving_next, flow and flow_error ("triplet" mode).
        id_sampling: an item is an identity (`<id>#<clip>` names); one of its clips is drawn.
        repeats: the data set is this many times longer (an epoch sees each video `repeats`
            times on average).
        augment: augmentations, or None.
        flow_method, flow_preset: see `flowmark_core.flow.FlowEstimator`.
        seed: fixes every item's random choices; None draws them from torch's RNG.
        capture_preset: degrade the frames as this camera would (`data.capture_preset`),
            for a fraction `capture_probability` of items; None = off.
        capture_flow_on: "degraded" computes the flow on the frames the model sees,
            "clean" on the frames before the capture degradation (synthetic data only).
    """

    def __init__(
        self,
        root: str | Path,
        split: str,
        image_size: int,
        frame_gap: int = 1,
        with_flow: bool = True,
        id_sampling: bool = False,
        repeats: int = 1,
        augment: AugmentParams | None = None,
        flow_method: str = "dis",
        flow_preset: str = "ultrafast",
        seed: int | None = None,
        capture_preset: str | None = None,
        capture_probability: float = 1.0,
        capture_flow_on: str = "degraded",
    ) -> None:
        if image_size < 8:
            raise ConfigError(f"image_size must be >= 8, got {image_size}")
        if frame_gap < 1:
            raise ConfigError(f"frame_gap must be >= 1, got {frame_gap}")
        if repeats < 1:
            raise ConfigError(f"repeats must be >= 1, got {repeats}")
        if flow_method != LANDMARK_MOTION:
            FlowEstimator(flow_method, flow_preset)  # validates the names now, not in a worker
        self.root = Path(root)
        self.split = split
        self.videos = list_videos(split_dir(root, split))
        self.image_size = image_size
        self.frame_gap = frame_gap
        self.with_flow = with_flow
        self.id_sampling = id_sampling
        self.repeats = repeats
        self.augment = augment
        self.flow_method, self.flow_preset = flow_method, flow_preset
        self.seed = seed
        self.capture, self.capture_preset = capture_params(capture_preset), capture_preset
        if not 0.0 <= capture_probability <= 1.0:
            raise ConfigError(f"capture_probability must be in [0, 1], got {capture_probability}")
        if capture_flow_on not in ("degraded", "clean"):
            raise ConfigError(
                f"capture_flow_on: got {capture_flow_on!r}, expected one of degraded, clean"
            )
        self.capture_probability, self.capture_flow_on = capture_probability, capture_flow_on
        groups: dict[str, list[int]] = {}
        for i, path in enumerate(self.videos):
            groups.setdefault(identity_of(path) if id_sampling else str(i), []).append(i)
        self.groups = list(groups.values())
        # Folder videos: frame files listed now (cheap); files: counted lazily per worker.
        self.frame_files: list[list[Path] | None] = [
            list_frame_files(p) if p.is_dir() else None for p in self.videos
        ]
        for i, files in enumerate(self.frame_files):
            if files is not None:
                self._check_length(i, len(files))
        self._readers: dict[int, FileVideoReader] = {}
        self._counts: dict[int, int] = {}
        self._flow: FlowEstimator | None = None
        self._tracks: dict[int, tuple[LandmarkTrack, tuple[int, int]]] = {}
        if with_flow and flow_method == LANDMARK_MOTION:
            missing = [str(p) for p in self.videos if not landmarks_path(p).is_file()]
            if missing:
                raise DatasetError(
                    f"flow_method {LANDMARK_MOTION!r} needs landmarks.npz ground truth; "
                    f"{len(missing)} video(s) have none, e.g. {missing[0]}"
                )

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_readers"], state["_flow"], state["_tracks"] = {}, None, {}
        return state

    def __len__(self) -> int:
        return len(self.groups) * self.repeats

    def _check_length(self, video: int, count: int) -> None:
        needed = self.frame_gap + 1 if self.with_flow else 1
        if count < needed:
            raise DatasetError(
                f"{self.videos[video]}: video has {count} frame(s), fewer than the "
                f"{needed} needed for frame gap {self.frame_gap}"
            )

    def _reader(self, video: int) -> FileVideoReader:
        if video not in self._readers:
            try:
                self._readers[video] = FileVideoReader(self.videos[video])
            except InputFileError as exc:
                raise DatasetError(str(exc)) from exc
        return self._readers[video]

    def frame_count(self, video: int) -> int:
        """Number of frames of video `video` (decodes a file once if its header does not say)."""
        files = self.frame_files[video]
        if files is not None:
            return len(files)
        if video not in self._counts:
            reader = self._reader(video)
            count = reader.frame_count
            if count is None:
                count = sum(1 for _ in reader)
            self._check_length(video, count)
            self._counts[video] = count
        return self._counts[video]

    def read_frames(self, video: int, indices: list[int]) -> np.ndarray:
        """Read and resize only the frames at `indices` of one video.

        Shape:
            output: (len(indices), S, S, 3) uint8.
        """
        files = self.frame_files[video]
        try:
            if files is not None:
                frames = [read_image(files[i]) for i in indices]
            else:
                frames = self._reader(video).read_frames(indices)
        except InputFileError as exc:
            raise DatasetError(str(exc)) from exc
        return np.stack([to_model_size(f, self.image_size) for f in frames])

    def _rng(self, index: int) -> np.random.Generator:
        if self.seed is not None:
            return np.random.default_rng([self.seed, index])
        return np.random.default_rng(int(torch.randint(0, 2**62, (1,)).item()))

    def _flow_estimator(self) -> FlowEstimator:
        if self._flow is None:
            self._flow = FlowEstimator(self.flow_method, self.flow_preset)
        return self._flow

    def __getitem__(self, index: int) -> TrainingSample:
        if not 0 <= index < len(self):
            raise IndexError(f"index {index} out of range for {len(self)} items")
        rng = self._rng(index)
        clips = self.groups[index % len(self.groups)]
        video = clips[int(rng.integers(len(clips)))]
        count = self.frame_count(video)
        source = int(rng.integers(count))
        gap = self.frame_gap if self.with_flow else 0
        driving = int(rng.integers(count - gap))
        aug = draw_augmentation(self.augment, rng)
        capture = draw_capture(self.capture, self.capture_probability, rng)  # drawn last
        return self.make_sample(video, source, driving, aug, capture)

    def make_sample(
        self,
        video: int,
        source: int,
        driving: int,
        aug: Augmentation,
        capture: CaptureDraw | None = None,
    ) -> TrainingSample:
        """Build the sample of given frames and augmentation (what `__getitem__` draws).

        With flow the frames are (source, driving, driving + gap); a time flip plays them
        backwards, so driving becomes driving + gap and driving_next becomes driving. Without
        flow a time flip swaps source and driving, as the First Order Motion Model does.
        A capture draw (`apply` set) then degrades the frames; the flow is computed on the
        degraded frames or, with capture_flow_on "clean", on the frames before it.
        """
        gap = self.frame_gap
        indices = [source, driving, driving + gap] if self.with_flow else [source, driving]
        frames = apply_augmentation(self.read_frames(video, indices), aug)
        if aug.reverse:
            if self.with_flow:
                frames, driving = frames[[0, 2, 1]], driving + gap
            else:
                frames, driving = frames[[1, 0]], source
        clean = frames
        if capture is not None and capture.apply and self.capture is not None:
            frames = degrade_sample(frames, self.capture, capture.seed)
        if not self.with_flow:
            return TrainingSample(
                _to_tensor(frames[0]), _to_tensor(frames[1]), _EMPTY, _EMPTY, _EMPTY, driving
            )
        if self.flow_method == LANDMARK_MOTION:
            following = driving - gap if aug.reverse else driving + gap
            forward, error = self._landmark_motion(video, driving, following, aug.flip)
        else:
            seen = clean if self.capture_flow_on == "clean" else frames
            pair = self._flow_estimator().pair(seen[1], seen[2])
            forward, error = pair.forward, pair.error
        return TrainingSample(
            source=_to_tensor(frames[0]),
            driving=_to_tensor(frames[1]),
            driving_next=_to_tensor(frames[2]),
            flow=torch.from_numpy(np.ascontiguousarray(forward.transpose(2, 0, 1))),
            flow_error=torch.from_numpy(error),
            driving_index=driving,
        )

    def _landmark_motion(
        self, video: int, start: int, end: int, mirrored: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """Ground-truth motion from frame `start` to `end` out of the landmark track."""
        if video not in self._tracks:
            path = self.videos[video]
            self._tracks[video] = (load_landmarks(landmarks_path(path)), open_video(path).size)
        track, (width, height) = self._tracks[video]
        if max(start, end) >= len(track.landmarks):
            raise DatasetError(
                f"{self.videos[video]}: landmarks.npz has {len(track.landmarks)} frames, "
                f"frame {max(start, end)} was asked for"
            )
        size = self.image_size
        p0, p1 = (resize_points(track.landmarks[i], (height, width), size) for i in (start, end))
        if mirrored:
            p0, p1 = mirror_points(p0, size), mirror_points(p1, size)
        shared = track.visible[start] & track.visible[end]
        return landmark_motion(p0, p1, shared, (size, size), LANDMARK_TRUST_RADIUS * size)

    def describe(self) -> str:
        """One line about the data set, for logs."""
        mode = (
            f"triplets (gap {self.frame_gap}, flow {self.flow_method})"
            if self.with_flow
            else "pairs"
        )
        return (
            f"{self.root}/{self.split}: {len(self.videos)} videos, {len(self.groups)} "
            f"{'identities' if self.id_sampling else 'items'} x {self.repeats}, {mode}, "
            f"{self.image_size} px"
            + (
                f", capture {self.capture_preset} (p {self.capture_probability}, flow on "
                f"{self.capture_flow_on} frames)"
                if self.capture is not None
                else ""
            )
        )
