"""Keypoint tracks of a data set's videos, detected once by a trained animation model and
cached: normalised values and Jacobians per frame, raw or flow-stabilised."""

from __future__ import annotations

import hashlib
import itertools
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from flowmark_core.animate.framing import to_model_size
from flowmark_core.data.video_folder import VideoFolder
from flowmark_core.errors import DatasetError
from flowmark_core.geometry import normalized_to_pixels, pixels_to_normalized
from flowmark_core.io.atomic import atomic_output
from flowmark_core.io.file_digest import file_digest
from flowmark_core.models import MotionModel
from flowmark_core.motion_prior.config import TRACK_KINDS
from flowmark_core.stabilize import make_stabilizer

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class TrackSet:
    """Tracks of several videos, stored back to back.

    Shape:
        values: (sum T, K, 2) normalised; jacobians: (sum T, K, 2, 2); lengths: (N,) frames
        per video; names: (N,) video names.
    """

    values: np.ndarray
    jacobians: np.ndarray
    lengths: np.ndarray
    names: np.ndarray

    def video(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """(values (T, K, 2), jacobians (T, K, 2, 2)) of video i."""
        start = int(self.lengths[:i].sum())
        end = start + int(self.lengths[i])
        return self.values[start:end], self.jacobians[start:end]

    def __len__(self) -> int:
        return len(self.lengths)


def identity_jacobians(count: int, num_kp: int) -> np.ndarray:
    """Identity Jacobians (count, K, 2, 2), for models that estimate none."""
    return np.broadcast_to(np.eye(2, dtype=np.float32), (count, num_kp, 2, 2)).copy()


@torch.inference_mode()
def detect_frames(
    model: MotionModel, frames: list[np.ndarray], batch: int = 32
) -> tuple[np.ndarray, np.ndarray]:
    """Detector keypoints of RGB uint8 frames at model size: normalised values (T, K, 2) and
    Jacobians (T, K, 2, 2) (identities when the model estimates none)."""
    size = model.config.image_size
    values, jacobians = [], []
    device = next(model.parameters()).device
    for start in range(0, len(frames), batch):
        chunk = [to_model_size(f, size) for f in frames[start : start + batch]]
        x = torch.from_numpy(np.stack(chunk)).to(device).permute(0, 3, 1, 2).float() / 255.0
        kp = model.detect(x)
        values.append(kp.value.float().cpu().numpy())
        if kp.jacobian is None:
            jacobians.append(identity_jacobians(len(chunk), kp.value.shape[1]))
        else:
            jacobians.append(kp.jacobian.float().cpu().numpy())
    return np.concatenate(values).astype(np.float32), np.concatenate(jacobians).astype(np.float32)


def stabilize_track(
    values: np.ndarray, jacobians: np.ndarray, frames: list[np.ndarray], size: int
) -> tuple[np.ndarray, np.ndarray]:
    """The flow-guided stabiliser run offline over one video's normalised track."""
    stab = make_stabilizer("flow", size)
    px = normalized_to_pixels(values, size, size)
    sized = [to_model_size(f, size) for f in frames]
    stable_px, stable_j = stab.run(px, jacobians, sized)
    out_j = jacobians if stable_j is None else np.asarray(stable_j, np.float32)
    return pixels_to_normalized(np.asarray(stable_px), size, size).astype(np.float32), out_j


def extract_tracks(
    model: MotionModel,
    data_root: str | Path,
    split: str = "train",
    kind: str = "raw",
    max_videos: int | None = None,
    progress: Progress | None = None,
) -> TrackSet:
    """Detect (and optionally stabilise) the keypoints of every video of a split."""
    if kind not in TRACK_KINDS:
        raise DatasetError(f"track kind {kind!r}: expected one of {', '.join(TRACK_KINDS)}")
    videos = list(VideoFolder(data_root, split))[:max_videos]
    size = model.config.image_size
    all_v, all_j, lengths, names = [], [], [], []
    for i, entry in enumerate(videos):
        v, j, sized = _stream_detect(model, entry.open(), keep_frames=kind == "flow")
        if len(v) < 2:
            raise DatasetError(f"{entry.path}: {len(v)} frame(s); a track needs at least 2")
        if kind == "flow":
            v, j = stabilize_track(v, j, sized, size)
        all_v.append(v)
        all_j.append(j)
        lengths.append(len(v))
        names.append(entry.name)
        if progress is not None:
            progress(i + 1, len(videos))
    return TrackSet(
        np.concatenate(all_v),
        np.concatenate(all_j),
        np.asarray(lengths, np.int64),
        np.asarray(names),
    )


def _stream_detect(
    model: MotionModel, frames: Iterable[np.ndarray], keep_frames: bool, batch: int = 32
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Detect a video's keypoints `batch` frames at a time while it is decoded: only model-
    size frames are kept, and only for the flow stabiliser (a 20-minute 640x480 clip held
    whole took 28 GB). Returns (values, jacobians, model-size frames or [])."""
    size = model.config.image_size
    values, jacobians, kept, chunk = [], [], [], []
    for frame in itertools.chain(frames, [None]):
        if frame is not None:
            chunk.append(to_model_size(np.asarray(frame), size))
        if chunk and (frame is None or len(chunk) == batch):
            v, j = detect_frames(model, chunk, batch)
            values.append(v)
            jacobians.append(j)
            if keep_frames:
                kept.extend(chunk)
            chunk = []
    if not values:
        return np.zeros((0, 0, 2), np.float32), np.zeros((0, 0, 2, 2), np.float32), []
    return np.concatenate(values), np.concatenate(jacobians), kept


def save_tracks(path: str | Path, tracks: TrackSet) -> None:
    """Write a TrackSet as .npz, atomically."""
    with atomic_output(Path(path)) as tmp, tmp.open("wb") as f:
        np.savez(
            f,
            values=tracks.values,
            jacobians=tracks.jacobians,
            lengths=tracks.lengths,
            names=tracks.names,
        )


def load_tracks(path: str | Path) -> TrackSet:
    """Read a TrackSet written by `save_tracks`."""
    try:
        with np.load(Path(path), allow_pickle=False) as data:
            return TrackSet(
                data["values"], data["jacobians"], data["lengths"], data["names"].astype(str)
            )
    except (OSError, ValueError, KeyError) as exc:
        raise DatasetError(f"{path}: not a readable track cache ({exc})") from None


def cached_tracks(
    model: MotionModel,
    model_path: str | Path,
    data_root: str | Path,
    cache_dir: str | Path,
    split: str = "train",
    kind: str = "raw",
    max_videos: int | None = None,
    progress: Progress | None = None,
) -> tuple[TrackSet, Path, bool]:
    """Tracks from the cache when present, else extracted and cached.

    The cache file name holds the split, track kind, video limit, the model file's digest
    and a digest of the split's files (names, sizes, modification times), so another model,
    option or an edited data set never reuses a stale cache. Returns (tracks, path, was
    cached).
    """
    limit = "all" if max_videos is None else str(max_videos)
    data = data_fingerprint(Path(data_root) / split)
    name = f"tracks-{split}-{kind}-{limit}-{file_digest(model_path)}-{data}.npz"
    path = Path(cache_dir) / name
    if path.is_file():
        return load_tracks(path), path, True
    tracks = extract_tracks(model, data_root, split, kind, max_videos, progress)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_tracks(path, tracks)
    return tracks, path, False


def data_fingerprint(folder: Path) -> str:
    """A short digest of every file under `folder`: relative name, size, modification time
    (stat only, no reading: cheap on a large data set; any edit changes it)."""
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(folder, followlinks=True):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            try:
                stat = path.stat()
            except OSError:
                continue
            rel = path.relative_to(folder).as_posix()
            digest.update(f"{rel}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def sample_windows(
    tracks: TrackSet, frames: int, count: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """`count` random windows of frames+1 consecutive frames (any start) from the videos.

    Shape: returns values (count, frames+1, K, 2), jacobians (count, frames+1, K, 2, 2).
    """
    offsets = np.concatenate([[0], np.cumsum(tracks.lengths)[:-1]])
    usable = np.flatnonzero(tracks.lengths > frames)
    if len(usable) == 0:
        raise DatasetError(
            f"no video has more than {frames} frames; the prior needs windows of {frames + 1}"
        )
    vids = rng.choice(usable, size=count)
    starts = offsets[vids] + (rng.random(count) * (tracks.lengths[vids] - frames)).astype(np.int64)
    idx = starts[:, None] + np.arange(frames + 1)[None]
    return tracks.values[idx], tracks.jacobians[idx]
