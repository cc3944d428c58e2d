"""Tune and compare the inference-time stabilisers against ground truth on synthetic splits.

Detects raw keypoints once per video (cached in --cache), fits the keypoint->landmark
regressor on each data set's train split, then runs each stabiliser setting over the cached
tracks and reports landmark error (NME), normalised jitter (NMJ) and keypoint acceleration
against ground truth — which tells lag (NME up) from smoothness (NMJ down). Offline Gaussian
smoothing of the raw track is listed as a reference (what smoothing alone could do).

Tune on the capture splits' *train* videos (`--split train`), report on *test*:

    python scripts/tune_stabilizers.py data/jitter-faces-128-webcam data/jitter-faces-128-lowlight \\
        --model puppets-faces-128 --split train --grid gate --output runs/tune-gate.json
    python scripts/tune_stabilizers.py data/jitter-faces-128* --model puppets-faces-128 \\
        --split test --grid report --output runs/jitter-report.json
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flowmark_core.animate import Animator
from flowmark_core.checkpoints import resolve_model_path
from flowmark_core.data.video_folder import VideoFolder
from flowmark_core.evaluation.landmark_fit import fit_split_regressor, predict_landmarks_px
from flowmark_core.io.file_digest import file_digest
from flowmark_core.metrics import box_size, keypoint_acceleration, nme, nmj
from flowmark_core.metrics.keypoint_spread import keypoint_spread, region_nme
from flowmark_core.stabilize import make_stabilizer

HOLD = {"hold_gate": 2.0}  # opt-in: hold detector jumps to reliable flow


def collect(animator: Animator, data: str, split: str, videos: int, frames: int, cache: Path,
            model_key: str):  # fmt: skip
    """Prepared frames, raw keypoints/Jacobians and ground truth of a split's videos.

    Cached per video and per model file (`model_key`, its digest): another model's
    detections are never read back.
    """
    out = []
    for entry in list(VideoFolder(data, split))[:videos]:
        tag = f"{Path(data).resolve()}|{split}|{entry.name}|{frames}|{model_key}"
        key = hashlib.sha1(tag.encode())
        path = cache / f"{key.hexdigest()[:16]}.npz"
        if path.is_file():
            with np.load(path) as z:
                item = {k: z[k] for k in z.files}
            item["size"] = tuple(item["size"])
            item["names"] = entry.landmarks().names
            out.append(item)
            continue
        fr, vals, jacs = [], [], []
        for i, frame in enumerate(entry.open()):
            if i >= frames:
                break
            prepared = animator.prepare(frame)
            kp = animator.detect(prepared)
            fr.append(prepared)
            vals.append(kp.value)
            jacs.append(kp.jacobian)
        truth = entry.landmarks()
        item = {
            "frames": np.stack(fr),
            "raw": np.stack(vals),
            "jac": np.stack(jacs),
            "gt": truth.landmarks[: len(fr)],
            "visible": truth.visible[: len(fr)],
            "size": np.array(entry.open().size),
            "fps": np.array(np.nan if truth.fps is None else truth.fps),
        }
        cache.mkdir(parents=True, exist_ok=True)
        np.savez(path, **item)
        item["size"] = tuple(item["size"])
        item["names"] = truth.names
        out.append(item)
    return out


def pooled(animator: Animator, reg, videos: list[dict], tracks: list[np.ndarray]) -> dict:
    """NME (mean over visible landmarks), NMJ (RMS over transitions), acceleration; pooled."""
    preds = [predict_landmarks_px(reg, t, animator.size, v["size"]) for t, v in zip(tracks, videos)]
    gt = np.concatenate([v["gt"] for v in videos])
    vis = np.concatenate([v["visible"] for v in videos])
    squares = []
    for p, v in zip(preds, videos):
        value = nmj(p, v["gt"], v["visible"])
        squares.append((value**2, len(p) - 1))
    sizes = [box_size(v["gt"], v["visible"]) * animator.size / v["size"][0] for v in videos]
    spread = float(np.mean([keypoint_spread(t, sz) for t, sz in zip(tracks, sizes)]))
    names = videos[0]["names"]
    pred_all = np.concatenate(preds)
    return {
        "nme": nme(pred_all, gt, vis) * 100,
        "nme_eyes": region_nme(pred_all, gt, vis, names, "eyes") * 100,
        "nme_mouth": region_nme(pred_all, gt, vis, names, "mouth") * 100,
        "spread": spread,
        "nmj": float(np.sqrt(sum(s * n for s, n in squares) / sum(n for _, n in squares))) * 100,
        "acc": float(np.mean([keypoint_acceleration(t) for t in tracks])),
    }


def run(animator: Animator, videos: list[dict], name: str, params: dict) -> list[np.ndarray]:
    tracks = []
    for v in videos:
        fps = float(v["fps"]) if "fps" in v and np.isfinite(v["fps"]) else None
        st = make_stabilizer(name, animator.size, fps=fps, **params)
        track, _ = st.run(v["raw"], v["jac"], list(v["frames"]))
        tracks.append(track)
    return tracks


def gaussian_smooth(track: np.ndarray, sigma: float) -> np.ndarray:
    """Offline (non-causal) Gaussian smoothing of a track along time, edges held."""
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


def settings(grid: str) -> list[tuple[str, str, dict]]:
    """(label, stabiliser, params) rows of a named grid ("raw": the raw detector only)."""
    if grid == "raw":
        return [("none", "none", {})]
    rows = [("none", "none", {}), ("one-euro", "one-euro", {})]
    rows += [("flow", "flow", {}), ("flow + hold (hold_gate 2)", "flow", HOLD)]
    if grid == "noise":  # the flow stabiliser's own noise model (no hold)
        for r, q, g in itertools.product((1.0, 2.0, 3.0), (0.5, 1.0), (8.0, 16.0)):
            params = dict(measurement_noise=r, process_noise=q, gate=g)
            rows.append((f"flow {json.dumps(params)}", "flow", params))
    if grid == "gate":
        for hg, mh, cm in itertools.product((2.0, 4.0), (4,), (2.0, 4.0)):
            params = dict(hold_gate=hg, max_hold=mh, common_motion=cm)
            rows.append((f"flow {json.dumps(params)}", "flow", params))
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data", nargs="+", help="data set roots (clean and capture splits)")
    p.add_argument("--model", default="puppets-faces-128")
    p.add_argument("--split", default="test", choices=("train", "test"))
    p.add_argument("--videos", type=int, default=12)
    p.add_argument("--frames", type=int, default=48)
    p.add_argument("--grid", default="report", choices=("report", "gate", "noise", "raw"))
    p.add_argument("--cache", default="runs/stabilizer-cache")
    p.add_argument("--output", default="runs/stabilizer-sweep.json", help="JSON of every row")
    args = p.parse_args()
    path = resolve_model_path(args.model)
    animator = Animator.from_checkpoint(path, precision="float32")
    model_key = file_digest(path)  # names this model's cached detections
    results = []
    for data in args.data:
        reg, why = fit_split_regressor(animator, data, 60, 8, 1e-4)
        if reg is None:
            raise SystemExit(f"{data}: {why}")
        videos = collect(animator, data, args.split, args.videos, args.frames, Path(args.cache),
                         model_key)  # fmt: skip
        rows = []
        for sigma in (1.5,) if args.grid != "raw" else ():
            smooth = [gaussian_smooth(v["raw"], sigma) for v in videos]
            rows.append((f"offline gaussian sigma {sigma}", "offline", {}, smooth))
        for label, name, params in settings(args.grid):
            rows.append((label, name, params, run(animator, videos, name, params)))
        for label, name, params, tracks in rows:
            res = pooled(animator, reg, videos, tracks)
            results.append({"data": data, "split": args.split, "label": label,
                            "stabilizer": name, "params": params, **res})  # fmt: skip
            print(f"{Path(data).name:28s} {label:60s} NME {res['nme']:.2f}%  "
                  f"NMJ {res['nmj']:.3f}%  acc {res['acc']:.3f}  spread {res['spread']:.3f}  "
                  f"NME eyes {res['nme_eyes']:.2f}% mouth {res['nme_mouth']:.2f}%",
                  flush=True)  # fmt: skip
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"model": str(path), "videos": args.videos, "frames": args.frames,
                               "rows": results}, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
