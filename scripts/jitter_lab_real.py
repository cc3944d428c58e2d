"""Jitter Lab on real clips (no ground truth), with a floor measured on each clip's own face.

For each clip: the MediaPipe face-mesh track (14 points, as jitter_lab_data.py), every
filter at the setting tuned on the capture split `choose_filter` finds nearest for that
clip, and `auto`; scored without truth (`track_metrics`: NMJ against the optical flow over
the track's own box, lag vs the raw track, acceleration, flow residual). The floor: the
clip's first frame warped along a known smooth similarity path (`warped_still_path`,
48 frames), tracked by the same mesh; truth = the frame-0 detection carried by the path, so
the detector's own jitter on that face is known (NMJ vs truth), and the flow-based NMJ of
the same frames shows what that metric reads for it. Real clips are third-party: outputs go
to runs/ (git-ignored).

    python scripts/jitter_lab_real.py ../shared/data/real-faces/clips/dagan/driving.mp4 ...
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from jitter_lab import smooth
from jitter_lab_data import GROUPS, Clip, mesh_track

from flowmark_core.io.video_reader import open_video
from flowmark_core.metrics.reference_follow import apply_affine, warped_still_path
from flowmark_core.metrics.track_quality import compare_tracks
from flowmark_core.stabilize.auto import choose_filter, load_table, nearest_split
from flowmark_core.stabilize.auto import clip_condition as condition
from flowmark_core.stabilize.track_smoothing import FILTERS


def read_clip(path: Path, frames: int) -> tuple[np.ndarray, float]:
    """The first `frames` frames (T, H, W, 3) uint8 RGB and the frame rate."""
    reader = open_video(path)
    out = []
    for frame in reader:
        if len(out) >= frames:
            break
        out.append(frame)
    return np.stack(out), float(reader.fps or 25.0)


def warped_floor_clip(first: np.ndarray, fps: float, steps: int = 48) -> Clip | None:
    """The first frame warped along a known path, tracked, with the carried truth."""
    h, w = first.shape[:2]
    mats = warped_still_path(steps, (h, w), seed=0)
    frames = np.stack(
        [cv2.warpAffine(first, m, (w, h), flags=cv2.INTER_CUBIC,
                        borderMode=cv2.BORDER_REFLECT) for m in mats]
    )  # fmt: skip
    raw = mesh_track(frames)
    if not np.isfinite(raw[0]).all():
        return None
    still = apply_affine(cv2.invertAffineTransform(mats[0]), raw[0])
    truth = np.stack([apply_affine(m, still) for m in mats])
    return Clip("warped first frame", frames, raw, truth, fps)


def scores(clip: Clip, tracks: dict[str, np.ndarray], truth: bool) -> dict:
    """Metrics of every track of a clip ("all" points and the regions)."""
    masked = {n: np.where(np.isfinite(clip.raw), t, np.nan) for n, t in tracks.items()}
    return compare_tracks(clip.raw, masked, list(clip.frames), clip.fps,
                          clip.truth if truth else None, GROUPS)  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("clips", nargs="+")
    p.add_argument("--frames", type=int, default=100)
    p.add_argument("-o", "--output", default="runs/jitter-lab-real.json")
    args = p.parse_args()
    table = load_table()
    rows = []
    for path in map(Path, args.clips):
        frames, fps = read_clip(path, args.frames)
        raw = mesh_track(frames)
        clip = Clip(path.stem, frames, raw, np.full_like(raw, np.nan), fps)
        split, _ = nearest_split(condition(raw, frames), table)
        tuned = table["splits"][split]["filters"]
        choice = choose_filter(raw, frames, fps, table=table)
        tracks = {n: smooth(clip, n, tuned[n]["params"]) for n in FILTERS}
        tracks["auto"] = smooth(clip, choice.name, choice.params)
        res = scores(clip, tracks, truth=False)
        floor_clip = warped_floor_clip(frames[0], fps)
        floor = None
        if floor_clip is not None:
            floor_tracks = {n: smooth(floor_clip, n, tuned[n]["params"]) for n in FILTERS}
            with_truth = scores(floor_clip, floor_tracks, truth=True)
            by_flow = scores(floor_clip, floor_tracks, truth=False)
            floor = {n: {"nmj_truth": with_truth[n]["all"]["nmj"],
                         "nmj_flow": by_flow[n]["all"]["nmj"],
                         "lag_truth": with_truth[n]["all"]["lag"]} for n in FILTERS}  # fmt: skip
        found = float(np.isfinite(raw).all(axis=(1, 2)).mean())
        rows.append({"clip": str(path), "frames": len(frames), "fps": fps, "face_found": found,
                     "split": split, "auto": choice.name, "reason": choice.reason,
                     "metrics": res, "floor": floor})  # fmt: skip
        for name, r in res.items():
            a = r["all"]
            fl = "" if floor is None or name not in floor else (
                f" | warped still: NMJ truth {floor[name]['nmj_truth'] * 100:.3f}% "
                f"flow {floor[name]['nmj_flow'] * 100:.3f}%")  # fmt: skip
            print(f"{path.stem:28s} {name:13s} NMJ(flow) {a['nmj'] * 100:.3f}% lag "
                  f"{a['lag']:.2f} acc {a['acceleration']:.3f} slide {a['flow_residual']:.3f}"
                  f"{fl}", flush=True)  # fmt: skip
        print(f"{path.stem}: face in {found:.0%} of frames; auto: {choice.reason}", flush=True)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
