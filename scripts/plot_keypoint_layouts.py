"""Keypoints of several models drawn on the same test frames, one row per model.

Shows where each model puts its keypoints (the keypoint-spread study):

    python scripts/plot_keypoint_layouts.py runs/spread-*/model.safetensors \\
        --data data/jitter-faces-128 --output docs/keypoint_layouts.png
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flowmark_core.animate import Animator
from flowmark_core.checkpoints import resolve_model_path
from flowmark_core.data.video_folder import VideoFolder
from flowmark_core.drawing import keypoint_colour
from flowmark_core.io.images import write_image

SCALE = 2  # frames are drawn at twice the model size


def label_of(model: str) -> str:
    """A short row label: the run folder's name, or the bundled model's name."""
    path = Path(model)
    return path.parent.name if path.name == "model.safetensors" else path.stem


def row(animator: Animator, frames: list[np.ndarray], label: str) -> np.ndarray:
    """The frames side by side with the model's keypoints drawn, the label on the first."""
    tiles = []
    for frame in frames:
        prepared = animator.prepare(frame)
        kp = animator.detect(prepared).value
        big = cv2.resize(prepared, None, fx=SCALE, fy=SCALE, interpolation=cv2.INTER_CUBIC)
        for k, (x, y) in enumerate(kp):
            centre = (round(float(x) * SCALE), round(float(y) * SCALE))
            cv2.circle(big, centre, 4, keypoint_colour(k), -1, cv2.LINE_AA)
            cv2.circle(big, centre, 4, (255, 255, 255), 1, cv2.LINE_AA)
        tiles.append(big)
    out = np.concatenate(tiles, axis=1)
    cv2.putText(out, label, (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 3, cv2.LINE_AA)
    cv2.putText(out, label, (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("models", nargs="+", help="checkpoint paths or bundled model names")
    p.add_argument("--data", default="data/jitter-faces-128")
    p.add_argument("--videos", type=int, default=4, help="test videos, one frame each")
    p.add_argument("--output", default="docs/keypoint_layouts.png")
    args = p.parse_args()
    frames = [next(iter(entry.open())) for entry in list(VideoFolder(args.data, "test"))]
    frames = frames[: args.videos]
    rows = []
    for model in args.models:
        animator = Animator.from_checkpoint(resolve_model_path(model), precision="float32")
        rows.append(row(animator, frames, label_of(model)))
    write_image(args.output, np.concatenate(rows, axis=0))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
