"""A real portrait animated by a real clip: does the result look like a face that follows?

`flowmark animate`'s path (face crop, relative motion, full-resolution output) renders the
portrait with every frame of the clip; the MediaPipe face-mesh reference then runs on the
generated frames and on the driving frames. Reports the share of generated frames with a
face found, and how the generated landmarks follow the driving ones: the Pearson correlation
of reference-landmark displacements from the first frame (x and y of every landmark and
frame pooled, each clip's displacements divided by its own inter-ocular distance), against
the driving frames and against the face-cropped driving frames the model saw (one fixed box
for the clip, so the two differ only by that crop's scale and the mesh's own noise).

    .venv/bin/python benchmarks/bench_portrait_follow.py --models puppets-faces-128 faces-mix-128
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import torch

from flowmark_core.animate import Animator
from flowmark_core.data.real_media import real_media_path
from flowmark_core.io.images import read_image
from flowmark_core.io.video_reader import open_video
from flowmark_core.metrics.reference_mesh import MediaPipeReference, inter_ocular


def _displacements(track: np.ndarray) -> np.ndarray:
    """(T, L, 2) landmarks -> displacement from frame 0 over its inter-ocular distance."""
    return (track - track[:1]) / inter_ocular(track[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["puppets-faces-128"])
    parser.add_argument("--portrait", default="astronaut.png")
    parser.add_argument("--driving", default="carphone.mp4")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    portrait = read_image(real_media_path(args.portrait))
    frames = list(open_video(real_media_path(args.driving)))
    reference = MediaPipeReference()
    driving = reference.track(frames)
    report: dict[str, object] = {"portrait": args.portrait, "driving": args.driving}
    for name in args.models:
        animator = Animator.from_checkpoint(name, face_crop=True, full_resolution=True)
        animator.set_source(portrait)
        results = list(animator.animate(frames))
        generated = reference.track([r.output for r in results])
        crops = reference.track([r.driving for r in results])  # what the model saw
        found = ~np.isnan(generated[:, 0, 0])
        report[name] = {"face_found": round(float(found.mean()), 3), "frames": len(frames)}
        for label, target in (("vs_driving", driving), ("vs_driving_crops", crops)):
            both = found & ~np.isnan(target[:, 0, 0])
            if found[0] and not np.isnan(target[0, 0, 0]) and both.sum() > 2:
                d_gen = _displacements(generated)[both].ravel()
                d_drv = _displacements(target)[both].ravel()
                corr = round(float(np.corrcoef(d_gen, d_drv)[0, 1]), 3)
                report[name][f"follow_correlation_{label}"] = corr  # type: ignore[index]
    print(json.dumps(report))


if __name__ == "__main__":
    main()
