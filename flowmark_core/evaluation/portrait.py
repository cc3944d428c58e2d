"""A portrait driven by real clips: does it follow mouth, eyes and head, and keep the photo?

Per (model, clip), the portrait is animated as `flowmark animate` does by default (face crop,
relative motion, full-resolution output); the MediaPipe face-mesh reference runs on every
driving frame and every generated frame, and the generated frames are compared with the
photo:

- per-region follow (`flowmark_core.metrics.region_follow`): correlation over time of mouth
  opening, eye openness, head yaw / pitch / roll with the driver's, and the generated
  movement's 5-95 percentile range relative to the driver's; the share of generated frames
  with a face found;
- the photo (`flowmark_core.metrics.photo_quality`): mean colour shift in the pasted box
  away from the face (background, shoulders: `still_mask`) and in the face (the mesh hull of
  each generated frame against the photo's, lips left out as the mouth opens), the face's
  contrast and sharpness relative to the photo's, and the seam ratio at the paste box's edge.

Colour shifts are the largest absolute channel mean difference, in 0..255 units, averaged
over frames; the signed RGB means are kept too.

With `motion="mesh"` the portrait is animated by the driver's face mesh instead of a model
(`flowmark_core.mesh_motion`, as `flowmark animate --motion mesh` does) and measured the same
way, as one row labelled `MESH_LABEL` (no paste box, so no seam). With `motion="hybrid"`
each model renders and the driver's expression is carried by the mesh on top
(`HybridMotionAnimator`, as `flowmark animate --motion hybrid`); rows are labelled with
`HYBRID_SUFFIX`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from flowmark_core.animate import Animator
from flowmark_core.animate.face_crop import CropBox
from flowmark_core.animate.full_resolution import MAX_OUTPUT_SIDE, output_shape
from flowmark_core.checkpoints import resolve_model_path
from flowmark_core.errors import DatasetError
from flowmark_core.evaluation.results import finite_or_none
from flowmark_core.evaluation.runner import model_labels
from flowmark_core.io.video_reader import open_video
from flowmark_core.metrics.photo_quality import (
    box_mask,
    colour_shift,
    contrast_ratio,
    hull_mask,
    seam_ratio,
    sharpness_ratio,
    still_mask,
)
from flowmark_core.metrics.reference_mesh import REFERENCE_INDICES, MediaPipeReference
from flowmark_core.metrics.region_follow import REGIONS, region_follow

Progress = Callable[[int], None]

MOTIONS: tuple[str, ...] = ("keypoints", "mesh", "hybrid")
MESH_LABEL = "mesh-motion"
"""The row label of the face-mesh animation (`motion="mesh"`)."""
HYBRID_SUFFIX = "+mesh-expression"
"""Appended to a model's row label for `motion="hybrid"` (the model's head, the mesh's face)."""

OUTER_LIPS = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37)
"""Outer lip contour of MediaPipe's face mesh: left out of the face region (the mouth opens)."""


@dataclass(frozen=True)
class PortraitClipRow:
    """One model on one driving clip (see the module docstring for the measures).

    Follow values are None where undefined (no face, or a still signal); `follow` maps
    "mouth_r", "mouth_range", ... to them.
    """

    model: str
    clip: str
    frames: int
    face_found: float
    follow: dict[str, float | None]
    colour_still: float | None
    colour_still_rgb: tuple[float, ...] | None
    colour_face: float | None
    colour_face_rgb: tuple[float, ...] | None
    contrast_face: float | None
    sharpness_face: float | None
    seam: float | None


@dataclass(frozen=True)
class PortraitResults:
    """Everything one portrait evaluation measured: per-clip rows in model order."""

    portrait: str
    models: tuple[str, ...]
    rows: tuple[PortraitClipRow, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)


def _face_region(mesh: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray | None:
    """The mesh hull without the lips, or None without a face."""
    if mesh is None:
        return None
    return hull_mask(mesh, shape) & ~hull_mask(mesh[list(OUTER_LIPS)], shape)


def _mean_rgb(values: list[np.ndarray]) -> tuple[float, ...] | None:
    finite = [v for v in values if np.all(np.isfinite(v))]
    return tuple(float(c) for c in np.mean(finite, axis=0)) if finite else None


def _mean(values: list[float]) -> float | None:
    finite = [v for v in values if np.isfinite(v)]
    return finite_or_none(float(np.mean(finite))) if finite else None


class _PhotoScores:
    """Frame-by-frame photo measures of one generated clip against the portrait."""

    def __init__(self, portrait: np.ndarray, mesh: np.ndarray | None, box: CropBox | None) -> None:
        self.portrait = portrait
        self.face = _face_region(mesh, portrait.shape)
        self.box = None if box is None else box.as_int()
        region = (
            box_mask(self.box, portrait.shape) if self.box else np.ones(portrait.shape[:2], bool)
        )
        self.still = None
        if mesh is not None:
            self.still = still_mask(hull_mask(mesh, portrait.shape), region)
        self.still_rgb: list[np.ndarray] = []
        self.face_rgb: list[np.ndarray] = []
        self.contrast: list[float] = []
        self.sharpness: list[float] = []
        self.seam: list[float] = []

    def add(self, output: np.ndarray, mesh: np.ndarray | None) -> None:
        if output.shape != self.portrait.shape:
            raise ValueError(f"output {output.shape} is not the portrait's {self.portrait.shape}")
        if self.still is not None and self.still.any():
            self.still_rgb.append(colour_shift(output, self.portrait, self.still))
        face = _face_region(mesh, output.shape)
        if face is not None and self.face is not None:
            self.face_rgb.append(colour_shift(output, self.portrait, face, self.face))
            self.contrast.append(contrast_ratio(output, self.portrait, face, self.face))
            self.sharpness.append(sharpness_ratio(output, self.portrait, face, self.face))
        if self.box is not None:
            self.seam.append(seam_ratio(output, self.box))

    def summary(self) -> dict[str, object]:
        still, face = _mean_rgb(self.still_rgb), _mean_rgb(self.face_rgb)
        return {
            "colour_still": None if still is None else max(abs(c) for c in still),
            "colour_still_rgb": still,
            "colour_face": None if face is None else max(abs(c) for c in face),
            "colour_face_rgb": face,
            "contrast_face": _mean(self.contrast),
            "sharpness_face": _mean(self.sharpness),
            "seam": _mean(self.seam),
        }


def _follow_values(driver: np.ndarray, generated: np.ndarray) -> tuple[float, dict]:
    follow = region_follow(driver, generated)
    values: dict[str, float | None] = {}
    for name in REGIONS:
        score = follow.regions[name]
        values[f"{name}_r"] = finite_or_none(score.r)
        values[f"{name}_range"] = finite_or_none(score.range_ratio)
    return follow.face_found, values


def clip_label(path: Path) -> str:
    """A clip's name in the results: its folder and file stem (e.g. "spectre/LRS3_00002")."""
    return f"{path.parent.name}/{path.stem}"


def _fit_portrait(portrait: np.ndarray) -> np.ndarray:
    """The portrait at the size the full-resolution output has (capped, `output_shape`)."""
    h, w = output_shape(portrait.shape[0], portrait.shape[1], MAX_OUTPUT_SIDE)
    if (h, w) == portrait.shape[:2]:
        return portrait
    return cv2.resize(portrait, (w, h), interpolation=cv2.INTER_AREA)


def _read_clip(path: Path, max_frames: int | None) -> tuple[list[np.ndarray], float | None]:
    reader = open_video(path)
    frames = list(itertools.islice(reader, max_frames))
    if len(frames) < 3:
        raise DatasetError(f"{path}: {len(frames)} frame(s); at least 3 are needed")
    return frames, reader.fps


def evaluate_portrait(
    portrait: np.ndarray,
    portrait_name: str,
    clips: Sequence[Path],
    models: Sequence[str | Path | None],
    max_frames: int | None = None,
    device: str = "cpu",
    precision: str = "float32",
    progress: Progress | None = None,
    motion: str = "keypoints",
) -> PortraitResults:
    """Animate `portrait` with every clip and every model, and score each (model, clip).

    Args:
        portrait: the photo, RGB uint8 (H, W, 3).
        portrait_name: how the results name it.
        clips: driving videos (files or frame folders).
        models: checkpoint paths or bundled names (None = the default model).
        max_frames: use the first N frames of each clip (None = all).
        device, precision: as for `Animator`.
        progress: called with the number of frames just finished.
        motion: "keypoints" (each model) or "mesh" (the face mesh; `models` unused).

    Raises:
        DatasetError: no face in the portrait, or a clip has fewer than 3 frames.
        FlowmarkError: mediapipe is not installed (the reference is needed).
    """
    if motion not in MOTIONS:
        raise ValueError(f"motion must be one of {MOTIONS}, got {motion!r}")
    portrait = _fit_portrait(portrait)
    paths = [resolve_model_path(m) for m in models] if motion != "mesh" else []
    labels = [MESH_LABEL] if motion == "mesh" else model_labels(paths)
    if motion == "hybrid":
        labels = [f"{label}{HYBRID_SUFFIX}" for label in labels]
    rows: list[PortraitClipRow] = []
    notes: list[str] = []
    with MediaPipeReference() as reference:
        mesh = reference.mesh(portrait)
        if mesh is None:
            raise DatasetError(f"{portrait_name}: the face-mesh reference finds no face")
        driving = {}
        for clip in clips:
            frames, fps = _read_clip(Path(clip), max_frames)
            track = reference.track(frames)
            driving[clip_label(Path(clip))] = (frames, fps, track)
            found = np.all(np.isfinite(track), axis=(1, 2)).mean()
            notes.append(f"{clip}: {len(frames)} frames, a face in {found:.0%} of them")
        for index, label in enumerate(labels):
            animator: Any
            if motion == "mesh":
                from flowmark_core.mesh_motion import MeshMotionAnimator

                animator = MeshMotionAnimator()
                animator.set_source(portrait, portrait_name)
            else:
                animator = Animator.from_checkpoint(
                    paths[index], face_crop=True, full_resolution=True, device=device,
                    precision=precision,
                )  # fmt: skip
                if motion == "hybrid":
                    from flowmark_core.mesh_motion import HybridMotionAnimator

                    animator = HybridMotionAnimator(animator)
                    animator.set_source(portrait, portrait_name)
                else:
                    animator.set_source(portrait)
            for name, (frames, fps, driver) in driving.items():
                photo = _PhotoScores(portrait, mesh, animator.paste_box)
                generated = np.full_like(driver, np.nan)
                for t, result in enumerate(animator.animate(frames, fps=fps)):
                    found = reference.mesh(result.output)
                    if found is not None:
                        generated[t] = found[REFERENCE_INDICES]
                    photo.add(result.output, found)
                    if progress is not None:
                        progress(1)
                share, follow = _follow_values(driver, generated)
                rows.append(
                    PortraitClipRow(
                        model=label, clip=name, frames=len(frames), face_found=share,
                        follow=follow, **photo.summary(),  # type: ignore[arg-type]
                    )
                )  # fmt: skip
            if motion != "keypoints":
                animator.close()  # MediaPipe's graphs
    return PortraitResults(portrait_name, tuple(labels), tuple(rows), tuple(notes))
