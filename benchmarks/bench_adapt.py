"""`flowmark adapt` measured: held-out reconstruction before and after adapting to a clip.

The clip is face-cropped with one fixed box (found on the adaptation frames), the model
adapts on frames FIRST..SPLIT-1 and is scored on SPLIT..LAST, reconstructing every held-out
frame from a source frame with its own keypoints (L1 at the model's size), against the
identity baseline (the source itself) and the unadapted model. Two sources: the first
held-out frame (the usual protocol) and frame FIRST (a photo of the person taken from the
adaptation part, as a user would animate).

    .venv/bin/python benchmarks/bench_adapt.py ~/.cache/flowmark/real-media/carphone.mp4 \
        --split 84 --last 119 --minutes 10 --save runs/adapt-carphone.safetensors
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from flowmark_core.adapt.clip import AdaptClip, clip_face_box, read_adapt_clip
from flowmark_core.adapt.finetune import Adapter, adapt_config, run_adaptation
from flowmark_core.adapt.measure import reconstruction_scores
from flowmark_core.animate.face_crop import crop
from flowmark_core.checkpoints import load_model, save_checkpoint
from flowmark_core.io.video_reader import open_video


def _scores(model, test: np.ndarray, first_frame: np.ndarray) -> dict[str, float]:
    m_held, id_held = reconstruction_scores(model, test, test[0])
    m_first, id_first = reconstruction_scores(model, test, first_frame)
    return {
        "l1_src_heldout": round(m_held, 4),
        "identity_src_heldout": round(id_held, 4),
        "l1_src_first": round(m_first, 4),
        "identity_src_first": round(id_first, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video")
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--split", type=int, required=True, help="first held-out frame")
    parser.add_argument("--last", type=int, required=True, help="last held-out frame")
    parser.add_argument("--model", default=None)
    parser.add_argument("--minutes", type=float, default=None)
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--save", default=None, help="write the adapted model here")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model, meta = load_model(args.model)
    size = model.config.image_size
    frames = [f for t, f in enumerate(open_video(args.video)) if args.first <= t <= args.last]
    n_adapt = args.split - args.first
    box = clip_face_box(frames[:n_adapt], args.video)
    # Read the adaptation part with the fixed box (flow included), the rest as plain crops.
    full = read_adapt_clip(args.video, size, args.first, args.split - 1)
    crops = np.stack([crop(f, box, size) for f in frames])
    train = AdaptClip(crops[:n_adapt], full.flow, full.flow_error, box, full.fps)
    test = crops[n_adapt:]
    report = {"video": Path(args.video).name, "adapt_frames": n_adapt, "test_frames": len(test)}
    report["base"] = _scores(model, test, crops[0])
    adapter = Adapter(model, adapt_config(model, meta), train, args.lr, args.batch_size)
    start = time.monotonic()
    seconds = None if args.minutes is None else 60 * args.minutes
    losses = run_adaptation(adapter, args.steps, seconds)
    report["adapt"] = {
        "steps": adapter.step,
        "seconds": round(time.monotonic() - start, 1),
        "loss_first10": round(float(np.mean(losses[:10])), 3),
        "loss_last10": round(float(np.mean(losses[-10:])), 3),
        "batch_size": args.batch_size,
        "lr": args.lr,
    }
    report["adapted"] = _scores(model, test, crops[0])
    if args.save:
        save_checkpoint(args.save, model, {"step": int(meta.get("step", 0)), "adapt": report})
    print(json.dumps(report))


if __name__ == "__main__":
    main()
