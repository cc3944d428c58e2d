"""Jitter Lab data: MediaPipe face-mesh tracks of capture-split videos, cached, with truth.

Each video of a `flowmark data synth --family faces-photo` split (degraded by
`flowmark data degrade --preset P`) is run through MediaPipe's face mesh (0.10.21, video
mode as a user's tracker runs it, iris refinement on: 478 points); the points that make the
generator's 14 named landmarks (`LANDMARK_VERTICES`) are kept as the track, NaN where no
face was found. Ground truth is the generator's landmarks (NaN where not visible).
Imported by `scripts/jitter_lab.py`; run alone it fills the cache:

    python scripts/jitter_lab_data.py data/jl-faces-photo-webcam --split test --videos 10
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flowmark_core.data.synthetic.mesh_animation import LANDMARK_NAMES, LANDMARK_VERTICES
from flowmark_core.data.video_folder import VideoFolder
from flowmark_core.metrics.reference_mesh import import_mediapipe

# The mesh points the 14 landmarks are made of (each landmark is one vertex here).
VERTICES = np.array([v[0] for v in LANDMARK_VERTICES.values()], dtype=np.int64)
GROUPS: dict[str, list[int]] = {
    "eyes": [i for i, n in enumerate(LANDMARK_NAMES) if "eye" in n or "pupil" in n],
    "brows": [i for i, n in enumerate(LANDMARK_NAMES) if "brow" in n],
    "mouth": [i for i, n in enumerate(LANDMARK_NAMES) if "mouth" in n or "lip" in n],
    "nose": [LANDMARK_NAMES.index("nose_tip")],
    "jaw": [LANDMARK_NAMES.index("chin")],
}


@dataclass
class Clip:
    """One video: frames (T, H, W, 3) uint8, the detector's track and the truth (T, L, 2)."""

    name: str
    frames: np.ndarray
    raw: np.ndarray
    truth: np.ndarray
    fps: float


def mesh_track(frames: np.ndarray) -> np.ndarray:
    """MediaPipe face mesh (video mode, refined) at `VERTICES` per frame; NaN without a face.

    Shape:
        frames: (T, H, W, 3) uint8 RGB; output: (T, len(VERTICES), 2) px.
    """
    mp = import_mediapipe()
    out = np.full((len(frames), len(VERTICES), 2), np.nan)
    with mp.solutions.face_mesh.FaceMesh(
        static_image_mode=False, max_num_faces=1, refine_landmarks=True
    ) as mesh:
        for t, frame in enumerate(frames):
            found = mesh.process(np.ascontiguousarray(frame)).multi_face_landmarks
            if not found:
                continue
            h, w = frame.shape[:2]
            marks = found[0].landmark
            pts = np.array([(marks[i].x * w, marks[i].y * h) for i in VERTICES])
            out[t] = pts - 0.5  # MediaPipe's 0..1 spans the image edges; pixel centres
    return out


def load_clips(data: str, split: str, videos: int, frames: int, cache: Path) -> list[Clip]:
    """The first `videos` videos of a split with their (cached) mesh tracks."""
    clips = []
    for entry in list(VideoFolder(data, split))[:videos]:
        fr = []
        for i, frame in enumerate(entry.open()):
            if i >= frames:
                break
            fr.append(frame)
        stack = np.stack(fr)
        truth_track = entry.landmarks()
        if truth_track is None:
            raise SystemExit(f"{entry.name}: no landmarks.npz (not a synthetic split)")
        truth = truth_track.landmarks[: len(fr)].astype(np.float64)
        truth[~truth_track.visible[: len(fr)]] = np.nan
        fps = 25.0 if truth_track.fps is None else float(truth_track.fps)
        tag = f"{Path(data).resolve()}|{split}|{entry.name}|{len(fr)}|mesh-video-refined"
        path = cache / f"{hashlib.sha1(tag.encode()).hexdigest()[:16]}.npz"
        if path.is_file():
            with np.load(path) as z:
                raw = z["raw"]
        else:
            raw = mesh_track(stack)
            cache.mkdir(parents=True, exist_ok=True)
            np.savez(path, raw=raw)
        clips.append(Clip(entry.name, stack, raw, truth, fps))
    return clips


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data", nargs="+")
    p.add_argument("--split", default="test", choices=("train", "test"))
    p.add_argument("--videos", type=int, default=10)
    p.add_argument("--frames", type=int, default=64)
    p.add_argument("--cache", default="data/jitter-lab-cache")
    args = p.parse_args()
    for data in args.data:
        clips = load_clips(data, args.split, args.videos, args.frames, Path(args.cache))
        found = np.mean([np.isfinite(c.raw).all(axis=(1, 2)).mean() for c in clips])
        print(f"{data} {args.split}: {len(clips)} clips, face found in {found:.1%} of frames",
              flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
