"""faces-photo: render speed, and how well MediaPipe finds the intended landmarks again.

Renders clips of the faces-photo family and runs MediaPipe's face mesh (static-image mode,
one face) on every frame; the mesh vertices of our 14 landmark names are compared with the
ground truth the generator wrote. Reports the share of frames with a face found, the median
and 90th-percentile landmark error in pixels and as a fraction of the inter-ocular (pupil)
distance, per-frame render time, and the same error on frame 0 (the portrait barely moved:
MediaPipe's own disagreement with its fit).

    .venv/bin/python benchmarks/bench_faces_photo.py --clips 4 --frames 32 --size 256
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from flowmark_core.data.synthetic import clip_seed, identity_seed
from flowmark_core.data.synthetic.face_mesh_fit import _solutions
from flowmark_core.data.synthetic.faces_photo import faces_photo_clip
from flowmark_core.data.synthetic.mesh_animation import LANDMARK_NAMES, LANDMARK_VERTICES


def _mesh_landmarks(frame: np.ndarray) -> np.ndarray | None:
    _, mesher, _ = _solutions()
    found = mesher.process(frame).multi_face_landmarks
    if not found:
        return None
    h, w = frame.shape[:2]
    pts = np.array([[p.x * w - 0.5, p.y * h - 0.5] for p in found[0].landmark])
    return np.array([pts[list(v)].mean(0) for v in LANDMARK_VERTICES.values()])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=4)
    parser.add_argument("--frames", type=int, default=32)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    errors, rel, first, found, total, seconds = [], [], [], 0, 0, 0.0
    pupils = [LANDMARK_NAMES.index("right_pupil"), LANDMARK_NAMES.index("left_pupil")]
    for c in range(args.clips):
        start = time.perf_counter()
        clip = faces_photo_clip(
            identity_seed(args.seed, "faces-photo", c),
            clip_seed(args.seed, "faces-photo", c, 0),
            args.frames,
            args.size,
        )
        seconds += time.perf_counter() - start
        for t, frame in enumerate(clip.frames):
            total += 1
            got = _mesh_landmarks(frame)
            if got is None:
                continue
            found += 1
            truth, vis = clip.landmarks[t], clip.visible[t]
            iod = np.linalg.norm(truth[pupils[0]] - truth[pupils[1]])
            err = np.linalg.norm(got - truth, axis=1)[vis]
            errors += err.tolist()
            rel += (err / iod).tolist()
            if t == 0:
                first += err.tolist()
    report = {
        "size": args.size,
        "frames": total,
        "face_found": round(found / total, 3),
        "err_px_median": round(float(np.median(errors)), 2),
        "err_px_p90": round(float(np.percentile(errors, 90)), 2),
        "err_iod_median": round(float(np.median(rel)), 4),
        "err_px_median_frame0": round(float(np.median(first)), 2),
        "render_ms_per_frame_incl_fit": round(1000 * seconds / total, 1),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
