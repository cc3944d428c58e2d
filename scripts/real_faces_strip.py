"""A strip of frames: a real portrait animated by a real clip, at full resolution.

Rows: the driving frames (carphone, face-cropped with one box for the clip), the model's
own output (128 px, bicubic to the display size), and the full-resolution output ("detail"
mode, pasted back into the uncropped portrait; shown cropped around the face at the same
display size). Relative motion with the driving clip's first frame as reference, face crop
on both.

    .venv/bin/python scripts/real_faces_strip.py --model puppets-faces-128 -o docs/real_faces_strip.png

With --mesh, a fourth row: the portrait animated by the driver's face mesh instead
(`flowmark animate --motion mesh`), cropped with the same box:

    .venv/bin/python scripts/real_faces_strip.py --model real-faces-128 --mesh -o docs/mesh_motion_strip.jpg

With --hybrid, a last row: the model's full-resolution frames given the driver's expression by
the face mesh (`flowmark animate --motion hybrid`), cropped with the same box.
"""

from __future__ import annotations

import argparse

import cv2
import numpy as np
import torch

from flowmark_core.animate import Animator
from flowmark_core.animate.clip_box import clip_box
from flowmark_core.animate.face_crop import CropBox, FaceCropper, crop, whole_image_box
from flowmark_core.animate.full_resolution import FullResolutionSource, upsample_image
from flowmark_core.animate.motion_transfer import TransferOptions, transfer_motion
from flowmark_core.checkpoints import load_model
from flowmark_core.data.real_media import real_media_path
from flowmark_core.io.images import read_image
from flowmark_core.io.video_reader import open_video
from flowmark_core.mesh_motion import HybridMotionAnimator
from flowmark_core.mesh_motion.animator import MeshMotionAnimator

TILE = 192


def _tensor(image: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)[None].float() / 255.0


def _uint8(t: torch.Tensor) -> np.ndarray:
    return (t[0].permute(1, 2, 0) * 255 + 0.5).clamp(0, 255).to(torch.uint8).numpy()


def _mesh_row(
    portrait: np.ndarray, box: CropBox, driving: str, picks: list[int]
) -> list[np.ndarray]:
    """The picked frames of the portrait animated by the driver's face mesh, face-cropped."""
    animator = MeshMotionAnimator()
    animator.set_source(portrait)
    reader = open_video(real_media_path(driving))
    row = []
    for frame in animator.animate(reader, fps=reader.fps):
        if frame.index in picks:
            scale = frame.output.shape[1] / portrait.shape[1]
            row.append(
                crop(frame.output, CropBox(box.x * scale, box.y * scale, box.size * scale), TILE)
            )
    return row


def _hybrid_row(
    model: str | None, portrait: np.ndarray, box: CropBox, driving: str, picks: list[int]
) -> list[np.ndarray]:
    """The picked frames of the model's animation with the mesh's expression, face-cropped."""
    animator = Animator.from_checkpoint(model, face_crop=True, full_resolution=True)
    reader = open_video(real_media_path(driving))
    row = []
    with HybridMotionAnimator(animator) as hybrid:
        hybrid.set_source(portrait)
        for result in hybrid.animate(reader, fps=reader.fps):
            if result.index in picks:
                scale = result.output.shape[1] / portrait.shape[1]
                big = CropBox(box.x * scale, box.y * scale, box.size * scale)
                row.append(crop(result.output, big, TILE))
            if result.index >= max(picks):
                break
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--portrait", default="astronaut.png")
    parser.add_argument(
        "--portrait-frame",
        type=int,
        default=None,
        help="use this frame of the driving clip as the portrait",
    )
    parser.add_argument("--driving", default="carphone.mp4")
    parser.add_argument("--frames", default="0,20,40,60,80,100,119")
    parser.add_argument("--mesh", action="store_true", help="add the face-mesh motion's row")
    parser.add_argument("--hybrid", action="store_true", help="add the hybrid motion's row")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    torch.set_num_threads(2)
    model, _ = load_model(args.model)
    s, ac = model.config.image_size, model.config.align_corners
    if args.portrait_frame is None:
        portrait = read_image(real_media_path(args.portrait))
    else:
        portrait = open_video(real_media_path(args.driving)).read_frame(args.portrait_frame)
    box = FaceCropper().detect(portrait) or whole_image_box(portrait)
    full = FullResolutionSource(portrait, box)
    source = crop(portrait, box, s)
    picks = [int(v) for v in args.frames.split(",")]
    rows: list[list[np.ndarray]] = [[], [], []]
    driving_box, frames = clip_box(open_video(real_media_path(args.driving)), FaceCropper())
    with torch.inference_mode():
        state = model.encode_source(_tensor(source))
        reference = None
        for t, frame in enumerate(frames):
            if t > max(picks) or driving_box is None:
                break
            driving = crop(frame, driving_box, s)
            kp = model.detect(_tensor(driving))
            reference = kp if reference is None else reference
            if t not in picks:
                continue
            kp_render = transfer_motion(state.keypoints, kp, reference, TransferOptions())
            out = model.render(state, kp_render)
            motion = out.motion
            big = full.render(motion.deformation, motion.occlusion, out.prediction, ac)
            face = crop(big, box, TILE)
            small = _uint8(upsample_image(out.prediction, TILE, TILE, ac))
            rows[0].append(cv2.resize(driving, (TILE, TILE), interpolation=cv2.INTER_CUBIC))
            rows[1].append(small)
            rows[2].append(face)
    if args.mesh:
        rows.append(_mesh_row(portrait, box, args.driving, picks))
    if args.hybrid:
        rows.append(_hybrid_row(args.model, portrait, box, args.driving, picks))
    strip = np.concatenate([np.concatenate(r, 1) for r in rows], 0)
    cv2.imwrite(args.output, cv2.cvtColor(strip, cv2.COLOR_RGB2BGR))
    print(f"wrote {args.output}: {strip.shape[1]}x{strip.shape[0]}")


if __name__ == "__main__":
    main()
