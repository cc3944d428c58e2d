"""Full-resolution output vs the bicubic-upsampled model output, on synthetic faces.

Clips are rendered at 512 px with exact frames; the model runs at its own size (128 px) on
area-downsampled frames, source = frame 0 (reconstruction). For each driven frame:

    bicubic:  the model's output upsampled to 512 px (bicubic)
    detail, replace: `render_full_resolution` in each mode (the upsampled motion applied to
              the 512 px source)

Reports L1 against the true 512 px frame, the gradient-energy ratio (mean squared image
gradient of the output over that of the true frame: 1 = as sharp as the truth) and the
frames per second of the whole per-frame path at 512 px (downsample, detect, dense motion,
generator, full-resolution composition in the default "detail" mode), source encoded once.

    .venv/bin/python benchmarks/bench_full_resolution.py --family faces --clips 3 --frames 24
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch
import torch.nn.functional as F

from flowmark_core.animate.full_resolution import MODES, render_full_resolution, upsample_image
from flowmark_core.checkpoints import load_model
from flowmark_core.data.synthetic import clip_seed, identity_seed, render_clip


def _gradient_energy(image: torch.Tensor) -> float:
    dx = image[..., :, 1:] - image[..., :, :-1]
    dy = image[..., 1:, :] - image[..., :-1, :]
    return float((dx**2).mean() + (dy**2).mean())


def _to_tensor(frame: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(frame).permute(2, 0, 1).unsqueeze(0).float() / 255.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", default="faces")
    parser.add_argument("--model", default=None, help="model file or bundled name")
    parser.add_argument("--clips", type=int, default=3)
    parser.add_argument("--frames", type=int, default=24)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model, _ = load_model(args.model)
    model.eval()
    s, ac = model.config.image_size, model.config.align_corners
    sums: dict[str, list[float]] = {}
    seconds, count = 0.0, 0
    for c in range(args.clips):
        clip = render_clip(
            args.family,
            identity_seed(args.seed, args.family, c),
            clip_seed(args.seed, args.family, c, 0),
            args.frames,
            args.size,
        )
        frames = [_to_tensor(f) for f in clip.frames]
        with torch.inference_mode():
            source = frames[0]
            small = F.interpolate(source, size=(s, s), mode="area")
            state = model.encode_source(small)
            for truth in frames[1:]:
                start = time.perf_counter()
                driving = F.interpolate(truth, size=(s, s), mode="area")
                out = model.render(state, model.detect(driving))
                motion = out.motion
                outputs = {"bicubic": upsample_image(out.prediction, args.size, args.size, ac)}
                for mode in MODES:
                    outputs[mode] = render_full_resolution(
                        source, motion.deformation, motion.occlusion, out.prediction, ac, mode
                    )
                    if mode == "detail":  # the default: time the path up to here
                        seconds += time.perf_counter() - start
                count += 1
                truth_ge = _gradient_energy(truth)
                for name, image in outputs.items():
                    sums.setdefault(f"{name}_l1", []).append(float((image - truth).abs().mean()))
                    sums.setdefault(f"{name}_ge", []).append(_gradient_energy(image) / truth_ge)
    report = {k: round(float(np.mean(v)), 4) for k, v in sums.items()}
    report.update(
        family=args.family,
        size=args.size,
        model_size=s,
        frames=count,
        threads=args.threads,
        fps_detail=round(count / seconds, 1),
    )
    print(json.dumps(report))


if __name__ == "__main__":
    main()
