"""Stabilisers on real clips against the face-mesh reference, plus a trajectory plot.

For each clip of a folder (see make_real_clips.py): the fixed face crop and the MediaPipe
reference landmarks (as `flowmark evaluate` does on videos without ground truth), raw
keypoints of the model, then every stabiliser setting: keypoint acceleration, landmark-follow
NME/NMJ against the reference (inter-ocular normalised), the reference's own acceleration
and its warped-still noise floor. Writes a JSON of every row, a Markdown table, and a plot
of one keypoint-mapped landmark over time (raw vs stabilised vs reference).

    python scripts/real_clip_jitter.py data/real-clips --output runs/real-clips
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flowmark_core.animate import Animator
from flowmark_core.animate.face_crop import crop
from flowmark_core.checkpoints import resolve_model_path
from flowmark_core.evaluation.no_truth import (
    REFERENCE_SIDE,
    ClipReference,
    clip_entries,
    clip_reference,
    face_box,
)
from flowmark_core.io.file_digest import file_digest
from flowmark_core.metrics import keypoint_acceleration
from flowmark_core.metrics.reference_follow import (
    apply_linear_map,
    fit_linear_map,
    landmark_follow,
    split_blocks,
)
from flowmark_core.metrics.reference_mesh import REFERENCE_NAMES, MediaPipeReference
from flowmark_core.stabilize import make_stabilizer

SETTINGS: list[tuple[str, str, dict]] = [
    ("none", "none", {}),
    ("one-euro", "one-euro", {}),
    ("flow", "flow", {}),
    ("flow + hold (hold_gate 2)", "flow", {"hold_gate": 2.0}),
]


def clip_data(animator: Animator, reference: MediaPipeReference, entry, max_frames: int,
              cache: Path, model_key: str):  # fmt: skip
    """Prepared crops, raw keypoints and the reference of one clip (cached in `cache`).

    The cache file is keyed on the model file's digest (`model_key`): detections of one
    model are never read back for another.
    """
    path = cache / f"{entry.name}-{animator.size}-{max_frames}-{model_key}.npz"
    if path.is_file():
        with np.load(path) as z:
            floor = float(z["floor"]) if np.isfinite(z["floor"]) else None
            acc = float(z["ref_acc"]) if np.isfinite(z["ref_acc"]) else None
            return list(z["prepared"]), z["raw"], ClipReference(z["ref"], floor, acc)
    prepared, raw, ref = _clip_data(animator, reference, entry, max_frames)
    cache.mkdir(parents=True, exist_ok=True)
    nan = float("nan")
    np.savez(path, prepared=np.stack(prepared), raw=raw, ref=ref.landmarks,
             floor=nan if ref.floor_nmj is None else ref.floor_nmj,
             ref_acc=nan if ref.acceleration is None else ref.acceleration)  # fmt: skip
    return prepared, raw, ref


def _clip_data(animator: Animator, reference: MediaPipeReference, entry, max_frames: int):
    frames = list(entry.open())[:max_frames]
    box = face_box(frames, reference)
    crops = [crop(f, box, REFERENCE_SIDE) for f in frames]
    ref = clip_reference(reference, crops).at_size(animator.size)
    prepared = [animator.prepare(c) for c in crops]
    raw = np.stack([animator.detect(p).value for p in prepared]).astype(np.float64)
    return prepared, raw, ref


def plot(path: Path, name: str, tracks: dict[str, np.ndarray], ref: np.ndarray, landmark: str):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    index = REFERENCE_NAMES.index(landmark)
    fit = np.flatnonzero(split_blocks(len(ref), 10) & np.all(np.isfinite(ref), axis=(1, 2)))
    fig, axes = plt.subplots(2, 1, figsize=(9, 5.5), sharex=True)
    t = np.arange(len(ref))
    for axis, coord in zip(axes, ("x", "y")):
        c = 0 if coord == "x" else 1
        axis.plot(t, ref[:, index, c], color="black", lw=2.0, label="face-mesh reference")
        styles = {"none": ("tab:red", 1.0), "flow": ("tab:blue", 1.5),
                  "flow + hold (hold_gate 2)": ("tab:green", 1.0)}  # fmt: skip
        for label, track in tracks.items():
            if label not in styles:
                continue
            weights = fit_linear_map(track[fit], ref[fit])
            mapped = apply_linear_map(weights, track)
            colour, width = styles[label]
            axis.plot(t, mapped[:, index, c], color=colour, lw=width, label=f"keypoints: {label}")
        axis.set_ylabel(f"{landmark} {coord} (px at model size)")
        for start in range(10, len(ref), 20):
            axis.axvspan(start, min(start + 10, len(ref)), color="0.93", lw=0)
    axes[0].legend(fontsize=8, ncol=2)
    axes[1].set_xlabel("frame (grey: scored blocks; white: blocks the linear map was fitted on)")
    fig.suptitle(f"{name}: landmark mapped linearly from the 10 keypoints vs the reference")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("clips")
    p.add_argument("--model", default="puppets-faces-128")
    p.add_argument("--max-frames", type=int, default=300)
    p.add_argument("--plot-clip", default="carphone")
    p.add_argument("--plot-landmark", default="mouth_left")
    p.add_argument("--output", default="runs/real-clips")
    p.add_argument("--cache", default="runs/real-clips-cache", help="per-clip detections")
    p.add_argument("--flow", nargs="*", default=[], help="extra flow settings, JSON each")
    args = p.parse_args()
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    path = resolve_model_path(args.model)
    animator = Animator.from_checkpoint(path, precision="float32")
    model_key = file_digest(path)  # names this model's cached detections
    reference = MediaPipeReference(min_side=REFERENCE_SIDE)
    rows = []
    sums: dict[str, dict[str, float]] = {}
    for entry in clip_entries(args.clips):
        prepared, raw, ref = clip_data(
            animator, reference, entry, args.max_frames, Path(args.cache), model_key
        )
        tracks = {}
        settings = SETTINGS + [
            (f"flow {json.dumps(extra)}", "flow", extra) for extra in map(json.loads, args.flow)
        ]
        for label, name, params in settings:
            track, _ = make_stabilizer(name, animator.size, **params).run(raw, None, prepared)
            tracks[label] = track
            score = landmark_follow(track, ref.landmarks)
            row = {
                "clip": entry.name,
                "frames": len(raw),
                "label": label,
                "params": params,
                "acc": keypoint_acceleration(track),
                "ref_nme": score.nme,
                "ref_nmj": score.nmj,
                "ref_acc": ref.acceleration,
                "ref_floor_nmj": ref.floor_nmj,
                "ref_frames": int(np.all(np.isfinite(ref.landmarks), axis=(1, 2)).sum()),
            }
            rows.append(row)
            agg = sums.setdefault(label, {"n": 0, "nme": 0.0, "nmj2": 0.0, "acc": 0.0})
            n = score.scored_frames
            agg["n"] += n
            agg["nme"] += score.nme * n
            agg["nmj2"] += score.nmj**2 * n
            agg["acc"] += row["acc"] * len(raw)
            print(f"{entry.name:16s} {label:22s} acc {row['acc']:.3f} ref_acc "
                  f"{ref.acceleration or float('nan'):.3f} NME {score.nme * 100:.2f}% "
                  f"NMJ {score.nmj * 100:.2f}% floor {(ref.floor_nmj or float('nan')) * 100:.2f}%",
                  flush=True)  # fmt: skip
        if entry.name == args.plot_clip:
            plot(out / f"trajectory-{entry.name}.png", entry.name, tracks, ref.landmarks,
                 args.plot_landmark)  # fmt: skip
    reference.close()
    frames_total = sum(r["frames"] for r in rows if r["label"] == "none")
    pooled = {
        label: {
            "ref_nme": a["nme"] / a["n"],
            "ref_nmj": float(np.sqrt(a["nmj2"] / a["n"])),
            "acc": a["acc"] / frames_total,
        }
        for label, a in sums.items()
    }
    (out / "rows.json").write_text(json.dumps({"rows": rows, "pooled": pooled}, indent=1))
    for label, v in pooled.items():
        print(f"POOLED {label:22s} acc {v['acc']:.3f} NME {v['ref_nme'] * 100:.2f}% "
              f"NMJ {v['ref_nmj'] * 100:.2f}%")  # fmt: skip


if __name__ == "__main__":
    main()
