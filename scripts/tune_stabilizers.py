"""Tune the inference-time stabilisers against ground truth on synthetic test videos.

Detects raw keypoints once per test video (cached), fits the keypoint->landmark regressor on
train videos, then runs each stabiliser setting over the cached tracks and reports landmark
error (NME), normalised jitter (NMJ) and keypoint acceleration, all against ground truth —
which tells lag (NME up) from smoothness (NMJ down). Offline Gaussian smoothing of the raw
track is listed as a reference: the best any smoother could do without lag constraints.

    python scripts/tune_stabilizers.py data/puppets-faces-128 --model runs/x/model.safetensors
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flowmark_core.animate import Animator
from flowmark_core.data.video_folder import VideoFolder
from flowmark_core.evaluation.landmark_fit import fit_split_regressor, predict_landmarks_px
from flowmark_core.metrics import keypoint_acceleration, nme, nmj
from flowmark_core.stabilize import make_stabilizer


def collect(animator: Animator, data: str, videos: int, frames: int) -> list[dict]:
    """Frames (model size), raw keypoints/Jacobians and ground truth of test videos."""
    out = []
    for entry in list(VideoFolder(data, "test"))[:videos]:
        reader = entry.open()
        fr, vals, jacs = [], [], []
        for i, frame in enumerate(reader):
            if i >= frames:
                break
            prepared = animator.prepare(frame)
            kp = animator.detect(prepared)
            fr.append(prepared)
            vals.append(kp.value)
            jacs.append(kp.jacobian)
        truth = entry.landmarks()
        out.append(
            {
                "frames": fr,
                "raw": np.stack(vals),
                "jac": np.stack(jacs),
                "gt": truth.landmarks[: len(fr)],
                "visible": truth.visible[: len(fr)],
                "size": reader.size,
            }
        )
    return out


def score(animator: Animator, reg, videos: list[dict], name: str, params: dict) -> dict:
    n_err, n_jit, acc = [], [], []
    for v in videos:
        st = make_stabilizer(name, animator.size, **params)
        track, _ = st.run(v["raw"], v["jac"], v["frames"])
        pred = predict_landmarks_px(reg, track, animator.size, v["size"])
        n_err.append(nme(pred, v["gt"], v["visible"]))
        n_jit.append(nmj(pred, v["gt"], v["visible"]))
        acc.append(keypoint_acceleration(track))
    return {
        "nme": float(np.mean(n_err)) * 100,
        "nmj": float(np.mean(n_jit)) * 100,
        "acc": float(np.mean(acc)),
    }


def gaussian_smooth(track: np.ndarray, sigma: float) -> np.ndarray:
    """Offline (non-causal) Gaussian smoothing of a track along time, edges held.

    Shape:
        track: (T, ...) -> same.
    """
    radius = int(3 * sigma) + 1
    kernel = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    kernel /= kernel.sum()
    padded = np.concatenate(
        [np.repeat(track[:1], radius, 0), track, np.repeat(track[-1:], radius, 0)], 0
    )
    return np.stack(
        [
            np.tensordot(kernel, padded[t : t + 2 * radius + 1], axes=(0, 0))
            for t in range(len(track))
        ]
    )


def offline_reference(animator: Animator, reg, videos: list[dict], sigma: float) -> dict:
    """NME/NMJ of the raw track smoothed offline: what smoothing alone could do, lag-free.

    If even this raises NMJ, the jitter is not detector noise but motion the keypoints miss.
    """
    errors, jitters, accelerations = [], [], []
    for v in videos:
        smooth = gaussian_smooth(v["raw"], sigma)
        pred = predict_landmarks_px(reg, smooth, animator.size, v["size"])
        errors.append(nme(pred, v["gt"], v["visible"]))
        jitters.append(nmj(pred, v["gt"], v["visible"]))
        accelerations.append(keypoint_acceleration(smooth))
    return {
        "nme": float(np.mean(errors)) * 100,
        "nmj": float(np.mean(jitters)) * 100,
        "acc": float(np.mean(accelerations)),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data")
    p.add_argument("--model", required=True)
    p.add_argument("--videos", type=int, default=12)
    p.add_argument("--frames", type=int, default=64)
    p.add_argument("--output", default="runs/stabilizer-sweep.json", help="JSON of every row")
    args = p.parse_args()
    animator = Animator.from_checkpoint(args.model, precision="float32")
    reg, why = fit_split_regressor(animator, args.data, 60, 8, 1e-4)
    if reg is None:
        raise SystemExit(why)
    videos = collect(animator, args.data, args.videos, args.frames)
    rows = [("none", {}, score(animator, reg, videos, "none", {}))]
    for sigma in (0.7, 1.5, 3.0):
        rows.append(
            (
                f"offline gaussian (sigma {sigma} frames)",
                {},
                offline_reference(animator, reg, videos, sigma),
            )
        )
    rows.append(
        (
            "flow (crude: gain 0.5, gate 2px@64)",
            {
                "process_noise": 1.0,
                "measurement_noise": 1.0,
                "untrusted_noise": 1e-6,
                "fb_threshold": 1e3,
                "gate": 8.0,
                "min_gain": 0.5,
                "texture_ref": 0.0,
            },
            None,
        )
    )
    grid = {
        "one-euro": [
            dict(min_cutoff=m, beta=b)
            for m, b in itertools.product((1.0, 2.0), (20.0, 50.0, 100.0))
        ],
        "flow": [
            dict(measurement_noise=r, process_noise=q, gate=g, min_gain=mg)
            for r, q, g, mg in itertools.product(
                (1.0, 2.0), (0.15, 0.5, 1.0), (4.0, 8.0, 16.0), (0.05, 0.2)
            )
        ],
    }
    for name, settings in grid.items():
        for params in [{}, *settings]:
            rows.append((name, params, None))
    results = []
    for name, params, res in rows:
        stab = "flow" if name.startswith("flow") else name
        res = res or score(animator, reg, videos, stab, params)
        results.append({"stabilizer": name, "params": params, **res})
        print(
            f"{name:40s} {json.dumps(params):90s} NME {res['nme']:.2f}%  NMJ {res['nmj']:.3f}%  acc {res['acc']:.3f}",
            flush=True,
        )
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
