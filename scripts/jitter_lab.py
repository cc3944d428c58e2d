"""Jitter Lab: tune the filters on capture splits, write the auto table, report on test.

The detector is MediaPipe's face mesh (see jitter_lab_data.py); truth the faces-photo
generator's landmarks. Scores per filter, pooled over a split's clips: NMJ (RMS over
transitions, % of the truth box), NME (% of the box), lag (frames, vs the truth's
velocities, mean over clips). Every sample where the detector found no face is left out of
NME/NMJ so all filters are scored on the same samples.

    # grid on each preset's TRAIN split -> flowmark_core/stabilize/filter_table.json
    python scripts/jitter_lab.py tune data/jl-faces-photo-webcam data/jl-faces-photo-lowlight \\
        data/jl-faces-photo-webcam-h264 --videos 10
    # every filter at its tuned setting, and auto, on the TEST splits
    python scripts/jitter_lab.py report data/jl-faces-photo-* --videos 10 -o runs/jitter-lab.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from jitter_lab_data import GROUPS, Clip, load_clips

from flowmark_core.metrics.track_quality import compare_tracks
from flowmark_core.stabilize.auto import FEATURES, TABLE_PATH, choose_filter, clip_condition
from flowmark_core.stabilize.flow_offline import FlowOfflineStabilizer
from flowmark_core.stabilize.flow_samples import FlowSamples, fill_gaps, sample_flow
from flowmark_core.stabilize.track_smoothing import (
    CAUSAL_FILTERS,
    FILTERS,
    noise_scale,
    point_strength,
    smooth_track,
)

GRID: dict[str, list[dict]] = {
    "none": [{}],
    "one-euro": [
        {"min_cutoff": c, "beta": b} for c, b in itertools.product((0.3, 0.6, 1.0, 2.0, 4.0), (5, 20, 50, 150, 400))
    ],
    "kalman": [{"process_noise": q} for q in (30, 100, 300, 1000, 3000, 10000)],
    "savgol": [
        {"window": w, "order": o} for w, o in itertools.product((5, 7, 9, 11, 15), (1, 2, 3)) if o < w - 1
    ],
    "flow": [  # each run computes its own flow (the state moves it): a small grid
        {"measurement_noise": r, "process_noise": q, "gate": g}
        for r, q, g in ((1.0, 1.0, 8.0), (1.0, 0.5, 8.0), (2.0, 1.0, 8.0), (2.0, 0.5, 8.0),
                        (3.0, 0.5, 8.0), (3.0, 1.0, 16.0), (2.0, 0.5, 16.0), (4.0, 0.5, 8.0),
                        (3.0, 0.25, 8.0))
    ],
    "flow-offline": [
        {"measurement_noise": r, "process_noise": q, "gate": g, "min_gain": m}
        for r, q, g, m in itertools.product(
            (0.5, 1.0, 2.0, 3.0, 4.0), (0.1, 0.25, 0.5, 1.0), (8.0, 16.0, 32.0), (0.0, 0.05)
        )
    ],
}  # fmt: skip


def flow_samples(clip: Clip) -> FlowSamples:
    """Flow read at the clip's detections (once per clip; the offline smoother's input)."""
    anchors, _ = fill_gaps(clip.raw)
    return sample_flow(anchors, clip.frames, clip.frames.shape[1:3])


def smooth(
    clip: Clip,
    name: str,
    params: dict,
    samples: FlowSamples | None = None,
    strength: dict[str, float] | None = None,
) -> np.ndarray:
    """The clip's track smoothed by one filter setting (optionally per-region strength)."""
    if name == "flow-offline" and samples is not None:
        size = clip.frames.shape[1:3]
        scale = noise_scale(clip.raw, None, point_strength(clip.raw.shape[1], GROUPS, strength))
        stab = FlowOfflineStabilizer(size, **params)
        return stab.smooth_samples(clip.raw, None, samples, scale)[0]
    frames = list(clip.frames) if name in ("flow", "flow-offline") else None
    return smooth_track(clip.raw, frames, name, params, clip.fps, groups=GROUPS,
                        region_strength=strength, image_size=clip.frames.shape[1:3])  # fmt: skip


def pooled(clips: list[Clip], tracks: list[np.ndarray]) -> dict[str, float]:
    """NMJ (RMS over transitions), NME (mean), lag (mean over clips) with truth; per region."""
    out: dict[str, float] = {}
    regions = ["all", *GROUPS]
    sums = {r: {"nmj2": 0.0, "n": 0, "nme": 0.0, "m": 0, "lag": []} for r in regions}
    for clip, track in zip(clips, tracks):
        masked = np.where(np.isfinite(clip.raw), track, np.nan)
        res = compare_tracks(clip.raw, {"t": masked}, None, clip.fps, clip.truth, GROUPS)["t"]
        for r in regions:
            n = len(track) - 1
            sums[r]["nmj2"] += res[r]["nmj"] ** 2 * n
            sums[r]["n"] += n
            sums[r]["nme"] += res[r]["nme"] * len(track)
            sums[r]["m"] += len(track)
            sums[r]["lag"].append(res[r]["lag"])
    for r in regions:
        key = "" if r == "all" else f"_{r}"
        out[f"nmj{key}"] = float(np.sqrt(sums[r]["nmj2"] / sums[r]["n"]))
        out[f"nme{key}"] = sums[r]["nme"] / sums[r]["m"]
        out[f"lag{key}"] = float(np.nanmean(sums[r]["lag"]))
    return out


def pick(rows: list[dict], raw: dict) -> dict:
    """Lowest NMJ with NME no worse than raw and lag <= 1 frame; else the lowest NME."""
    ok = [r for r in rows if r["nme"] <= raw["nme"] and abs(r["lag"]) <= 1.0]
    best = min(ok, key=lambda r: r["nmj"]) if ok else min(rows, key=lambda r: r["nme"])
    return {
        **best,
        "nmj_change": best["nmj"] / raw["nmj"] - 1.0,
        "nme_change": best["nme"] / raw["nme"] - 1.0,
        "meets_constraints": bool(ok),
    }


def tune(args: argparse.Namespace) -> None:
    table: dict = {
        "made_by": "python scripts/jitter_lab.py tune " + " ".join(args.data)
        + f" --videos {args.videos} --frames {args.frames}",
        "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                 text=True).stdout.strip(),
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "detector": "MediaPipe face mesh 0.10.21, video mode, refined (14 faces-photo landmarks)",
        "rule": "per filter: lowest pooled NMJ with NME <= raw and |lag| <= 1 frame vs truth",
        "splits": {},
    }  # fmt: skip
    conditions = []
    for data in args.data:
        preset = Path(data).name.split("faces-photo-")[-1]
        clips = load_clips(data, "train", args.videos, args.frames, Path(args.cache))
        samples = [flow_samples(c) for c in clips]
        conds = [clip_condition(c.raw, c.frames) for c in clips]
        conditions += conds
        raw = pooled(clips, [c.raw for c in clips])
        filters = {}
        for name in FILTERS:
            rows = []
            for params in GRID[name]:
                tracks = [smooth(c, name, params, s) for c, s in zip(clips, samples)]
                rows.append({"name": name, "params": params, **pooled(clips, tracks)})
            filters[name] = pick(rows, raw)
            f = filters[name]
            print(f"{preset:12s} {name:13s} {json.dumps(f['params']):70s} NMJ {f['nmj'] * 100:.3f}% "
                  f"NME {f['nme'] * 100:.2f}% lag {f['lag']:.2f}", flush=True)  # fmt: skip
        usable = {n: f for n, f in filters.items() if f["meets_constraints"]}
        winner = min(usable.values(), key=lambda f: f["nmj"]) if usable else filters["none"]
        causal = [f for n, f in usable.items() if n in CAUSAL_FILTERS]
        winner_causal = min(causal, key=lambda f: f["nmj"]) if causal else filters["none"]
        table["splits"][preset] = {
            "data": data,
            "videos": len(clips),
            "frames": args.frames,
            "fps": clips[0].fps,
            "condition": {k: float(np.mean([c[k] for c in conds])) for k in FEATURES},
            "raw": raw,
            "filters": filters,
            "winner": winner,
            "winner_causal": winner_causal,
        }
    table["feature_spread"] = {k: float(np.std([c[k] for c in conditions])) for k in FEATURES}
    Path(args.table).write_text(json.dumps(table, indent=1) + "\n")
    print(f"wrote {args.table}")


def report(args: argparse.Namespace) -> None:
    table = json.loads(Path(args.table).read_text())
    out: dict = {"table": args.table, "splits": {}}
    for data in args.data:
        preset = Path(data).name.split("faces-photo-")[-1]
        tuned = table["splits"][preset]["filters"]
        clips = load_clips(data, "test", args.videos, args.frames, Path(args.cache))
        samples = [flow_samples(c) for c in clips]  # read once, shared by flow-offline rows
        rows = {}
        for name in FILTERS:
            params = tuned[name]["params"]
            tracks = [smooth(c, name, params, s) for c, s in zip(clips, samples)]
            rows[name] = {"params": params, **pooled(clips, tracks)}
            if args.defaults:
                tracks = [smooth(c, name, {}, s) for c, s in zip(clips, samples)]
                rows[f"{name} (defaults)"] = {"params": {}, **pooled(clips, tracks)}
        win = table["splits"][preset]["winner"]
        soft = {"mouth": 0.5, "eyes": 0.5}
        tracks = [smooth(c, win["name"], win["params"], s, soft) for c, s in zip(clips, samples)]
        rows[f"{win['name']} (mouth, eyes at strength 0.5)"] = {"params": win["params"],
                                                               **pooled(clips, tracks)}  # fmt: skip
        choices = [choose_filter(c.raw, c.frames, c.fps, table=table) for c in clips]
        auto_tracks = [
            smooth(c, ch.name, ch.params, s) for c, ch, s in zip(clips, choices, samples)
        ]
        rows["auto"] = {"choices": [ch.name for ch in choices], "reasons": [ch.reason for ch in choices],
                        **pooled(clips, auto_tracks)}  # fmt: skip
        out["splits"][preset] = {"data": data, "videos": len(clips), "frames": args.frames,
                                 "fps": clips[0].fps, "rows": rows}  # fmt: skip
        for name, r in rows.items():
            print(f"{preset:12s} {name:24s} NMJ {r['nmj'] * 100:.3f}% NME {r['nme'] * 100:.2f}% "
                  f"lag {r['lag']:.2f}  mouth NMJ {r['nmj_mouth'] * 100:.3f}% eyes "
                  f"{r['nmj_eyes'] * 100:.3f}%", flush=True)  # fmt: skip
        print(f"{preset:12s} auto chose {choices[0].reason}")
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(out, indent=1))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("command", choices=("tune", "report"))
    p.add_argument("data", nargs="+", help="capture split roots named ...faces-photo-PRESET")
    p.add_argument("--videos", type=int, default=10)
    p.add_argument("--frames", type=int, default=64)
    p.add_argument("--cache", default="data/jitter-lab-cache")
    p.add_argument("--table", default=str(TABLE_PATH))
    p.add_argument("-o", "--output", default="runs/jitter-lab.json")
    p.add_argument("--defaults", action="store_true", help="report: also every filter's defaults")
    args = p.parse_args()
    tune(args) if args.command == "tune" else report(args)


if __name__ == "__main__":
    main()
