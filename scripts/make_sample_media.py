"""Make the sample media shipped with flowmark from the synthetic puppets.

Writes:
    flowmark_core/resources/media/source.png    a synthetic face, 256x256, front view
    flowmark_core/resources/media/driving.mp4   another identity's face clip, 4 s at 25 fps, 256x256, with
                                  head turns, blinks and mouth movement
    docs/synthetic-puppets.png    a grid of face and body frames with their landmarks drawn
                                  (green visible, red hidden)

Both sample identities are drawn with identity numbers from 1,000,000 on, which no data set
made by `flowmark data synth --seed 0` reaches, so they are never in a seed-0 training set.

Usage:
    python scripts/make_sample_media.py [--root .]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from flowmark_core.data.synthetic import FACE_LANDMARKS, SyntheticClip, identity_seed, render_clip
from flowmark_core.data.synthetic.face_identity import FaceIdentity
from flowmark_core.data.synthetic.face_surface import Expression
from flowmark_core.data.synthetic.faces import FaceRenderer
from flowmark_core.io.images import write_image
from flowmark_core.io.video_writer import VideoWriter

SAMPLE_IDENTITY_BASE = 1_000_000
SOURCE_IDENTITY = SAMPLE_IDENTITY_BASE + 4
DRIVING_IDENTITY = SAMPLE_IDENTITY_BASE + 3
SIZE, FPS, FRAMES = 256, 25.0, 100


def make_source(path: Path) -> None:
    """A front view of the source identity with a light smile."""
    seed = identity_seed(0, "faces", SOURCE_IDENTITY)
    renderer = FaceRenderer(FaceIdentity.random(np.random.default_rng(seed)), SIZE, scene_seed=4)
    pose = np.array([renderer.R / 2, renderer.R * 0.47, 0.0, 1.0, 0.0])
    frame, _, _ = renderer.render(pose, Expression(smile=0.4), (0.0, 0.0))
    write_image(path, frame)


def is_expressive(clip: SyntheticClip) -> bool:
    """Whether a clip turns the head, blinks and opens the mouth clearly."""
    p = {name: clip.landmarks[:, i] for i, name in enumerate(FACE_LANDMARKS)}
    right = np.linalg.norm(p["right_eye_outer"] - p["right_eye_inner"], axis=1)
    left = np.linalg.norm(p["left_eye_outer"] - p["left_eye_inner"], axis=1)
    turns = np.abs(np.log(right / left))
    turned_both_ways = (np.log(right / left).max() > 0.2) and (np.log(right / left).min() < -0.2)
    pupils = [FACE_LANDMARKS.index("right_pupil"), FACE_LANDMARKS.index("left_pupil")]
    blinks = int((~clip.visible[:, pupils].any(axis=1)).sum())
    gap = p["lower_lip"][:, 1] - p["upper_lip"][:, 1]
    return bool(
        turns.max() > 0.3 and turned_both_ways and blinks >= 2 and np.ptp(gap) > 0.03 * SIZE
    )


def make_driving(path: Path) -> int:
    """Write the driving clip; returns the motion seed that was picked."""
    appearance = identity_seed(0, "faces", DRIVING_IDENTITY)
    for motion_seed in range(100):
        clip = render_clip("faces", appearance, motion_seed, FRAMES, SIZE, FPS, expressive=True)
        if is_expressive(clip):
            break
    else:
        raise RuntimeError("no expressive motion found in 100 seeds")
    with VideoWriter(path, fps=FPS, crf=16) as writer:
        for frame in clip.frames:
            writer.write(frame)
    return motion_seed


def draw_landmarks(frame: np.ndarray, points: np.ndarray, visible: np.ndarray) -> np.ndarray:
    """A copy of `frame` with visible landmarks as green dots and hidden ones as red rings."""
    out = frame.copy()
    for (x, y), seen in zip(points, visible):
        centre = (round(x * 16), round(y * 16))
        if seen:
            cv2.circle(out, centre, 3 * 16, (0, 0, 0), -1, cv2.LINE_AA, 4)
            cv2.circle(out, centre, 2 * 16, (60, 255, 60), -1, cv2.LINE_AA, 4)
        else:
            cv2.circle(out, centre, 3 * 16, (255, 40, 40), 1, cv2.LINE_AA, 4)
    return out


def make_grid(path: Path, tile: int = 192) -> None:
    """Two face clips and two body clips, four frames each, landmarks drawn."""
    rows = []
    for family, ident in (("faces", 10), ("faces", 11), ("bodies", 10), ("bodies", 11)):
        appearance = identity_seed(0, family, SAMPLE_IDENTITY_BASE + ident)
        clip = render_clip(family, appearance, ident, 48, tile, FPS, expressive=True)
        picks = (0, 14, 29, 47)
        rows.append(np.hstack([draw_landmarks(clip.frames[t], clip.landmarks[t], clip.visible[t])
                               for t in picks]))  # fmt: skip
    write_image(path, np.vstack(rows))


def main() -> None:
    """Write all three files under --root."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--root", default=Path(__file__).resolve().parents[1], type=Path)
    args = parser.parse_args()
    media = args.root / "flowmark_core" / "resources" / "media"
    media.mkdir(parents=True, exist_ok=True)
    make_source(media / "source.png")
    seed = make_driving(media / "driving.mp4")
    make_grid(args.root / "docs" / "synthetic-puppets.png")
    print(f"wrote {media / 'source.png'}, {media / 'driving.mp4'} (motion seed {seed}), "
          f"{args.root / 'docs' / 'synthetic-puppets.png'}")  # fmt: skip


if __name__ == "__main__":
    main()
