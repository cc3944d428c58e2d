"""Rendering a whole animation to a file (no Qt: the export worker runs `run_export`).

Frames stream from the driving video through the exporter's own Animator into a
`VideoWriter`; cancelling calls `VideoWriter.cancel()`, which leaves no file behind. With
`expression_from_mesh` the model renders at the source's resolution and the driver's mouth,
eyes and brows are carried by the face mesh on top (`ExpressionOverlay`, as
`flowmark animate --motion hybrid`): a first pass reads the driving video's face meshes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from flowmark_core.animate import Animator, DetectedKeypoints, FrameResult, KeypointTrack
from flowmark_core.animate.face_crop import CropBox
from flowmark_core.errors import Cancelled
from flowmark_core.io.audio import AudioSource
from flowmark_core.io.images import read_image
from flowmark_core.io.video_reader import open_video
from flowmark_core.io.video_writer import VideoWriter
from flowmark_gui.render.compose import draw_pane, side_by_side
from flowmark_gui.render.gc_tuning import freeze_long_lived
from flowmark_gui.render.overlays import driving_layers, letterboxed, result_layers, source_layers
from flowmark_gui.state.model_handle import ModelHandle
from flowmark_gui.state.values import OverlayOptions, RenderOptions

if TYPE_CHECKING:
    from flowmark_core.mesh_motion import ExpressionOverlay

LAYOUTS = ("result", "side-by-side")
FORMATS = ("mp4", "gif")
GAP = 4


@dataclass(frozen=True)
class ExportJob:
    """Everything an export needs, copied from the session when it starts."""

    path: Path
    fps: float
    size: int
    layout: str
    source_path: Path
    driving_path: Path
    track: KeypointTrack
    options: RenderOptions
    overlays: OverlayOptions
    selection: tuple[int, ...] = ()
    source_box: CropBox | None = None  # where the face-crop result sits in the source
    expression_from_mesh: bool = False  # mouth, eyes and brows from the face mesh (hybrid)

    @property
    def frame_count(self) -> int:
        return int(self.track.raw.shape[0])

    def frame_size(self) -> tuple[int, int]:
        """(width, height) of the exported frames."""
        if self.layout == "side-by-side":
            return 3 * self.size + 2 * GAP, self.size
        return self.size, self.size


def fit_square(image: np.ndarray, size: int) -> np.ndarray:
    """`image` scaled to fit `size` x `size`, centred on black (keeps the aspect ratio).

    Shape:
        image: (H, W, 3) uint8; output: (size, size, 3) uint8.
    """
    h, w = image.shape[:2]
    if h == w:
        interp = cv2.INTER_AREA if h > size else cv2.INTER_LINEAR
        return cv2.resize(image, (size, size), interpolation=interp)
    scale = size / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    small = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA)
    out = np.zeros((size, size, 3), np.uint8)
    top, left = (size - nh) // 2, (size - nw) // 2
    out[top : top + nh, left : left + nw] = small
    return out


def compose_frame(
    job: ExportJob,
    result: FrameResult,
    source_image: np.ndarray,
    source_kp: DetectedKeypoints,
    image_size: int,
) -> np.ndarray:
    """One exported frame in the job's layout."""
    if job.layout != "side-by-side":
        return fit_square(result.output, job.size)
    overlays, size, sel = job.overlays, job.size, job.selection
    src = draw_pane(source_image, source_layers(source_kp), overlays, size, image_size, sel)
    drv = draw_pane(result.driving, driving_layers(result), overlays, size, image_size, sel)
    layers = result_layers(result, image_size, job.source_box)
    if layers.region is not None:  # the face-crop result sits in the letterboxed source
        h, w = result.output.shape[:2]
        layers = replace(layers, region=letterboxed(layers.region, h, w, image_size))
    out = draw_pane(fit_square(result.output, image_size), layers, overlays, size, image_size, sel)
    return side_by_side([src, drv, out], GAP)


def run_export(
    job: ExportJob,
    handle: ModelHandle,
    progress: Callable[[int, int], None],
    cancelled: Callable[[], bool],
    note: Callable[[str], None] | None = None,
) -> int:
    """Render and write the whole video; returns the number of frames written. `note`
    hears what became of the driving video's sound when there is something to say.

    Raises:
        Cancelled: `cancelled()` became true (the partial file is removed).
        FlowmarkError: unreadable inputs or an unwritable output.
    """
    options = job.options
    side_by_side_layout = job.layout == "side-by-side"
    heavy = ("motion", "occlusion") if side_by_side_layout else ()
    # The Result as the app shows it: at the source's resolution with sharp panes (and always
    # for the face mesh's expression, drawn on the full-resolution frame).
    full = options.sharp or job.expression_from_mesh
    animator = handle.new_animator(face_crop=options.face_crop, outputs=heavy, full_resolution=full)
    freeze_long_lived()
    animator.set_transfer(mode=options.mode, adapt_scale=options.adapt_scale)
    image = read_image(job.source_path)
    source_kp = animator.set_source(image)  # framed by the animator's framing
    if options.face_crop:  # the result is pasted into the whole source at this box
        job = replace(job, source_box=animator.paste_box)
    total = job.frame_count
    overlay = (
        _expression_overlay(job, animator, total, cancelled) if job.expression_from_mesh else None
    )
    reference = min(max(options.reference_index, 0), total - 1)
    animator.reference_from_track(job.track, reference)
    heatmaps = side_by_side_layout and job.overlays.heatmaps
    reader = open_video(job.driving_path)
    # Frames 0.. of the driving video at the export's rate: its sound from 0 s, re-timed.
    sound = AudioSource(job.driving_path, 0.0, speed=job.fps / reader.fps)
    writer = VideoWriter(job.path, fps=job.fps, size=job.frame_size(), audio=sound)
    try:
        for index, frame in enumerate(reader):
            if index >= total:
                break
            if cancelled():
                raise Cancelled(f"{job.path}: export cancelled")
            result = animator.render_from_track(frame, job.track, index, with_heatmaps=heatmaps)
            if overlay is not None:
                result = replace(result, output=overlay.apply(index, result.output))
            writer.write(
                compose_frame(job, result, animator.source_image, source_kp, animator.size)
            )
            progress(index + 1, total)
        if cancelled():
            raise Cancelled(f"{job.path}: export cancelled")
        writer.close()
    except BaseException:
        writer.cancel()
        raise
    finally:
        if overlay is not None:
            overlay.close()
    if note is not None and writer.audio_note:
        note(writer.audio_note)
    return writer.frames_written


def _expression_overlay(
    job: ExportJob, animator: Animator, total: int, cancelled: Callable[[], bool]
) -> ExpressionOverlay:
    """The face mesh's expression overlay for this export: the source's mesh in the picture
    the result shows, and the first `total` driving frames' meshes.

    Raises:
        Cancelled: `cancelled()` became true while the driving meshes were read.
        InputFileError: no face in the source; FlowmarkError: mediapipe is not installed.
    """
    from flowmark_core.mesh_motion import ExpressionOverlay
    from flowmark_core.mesh_motion.animator import fit_source

    overlay = ExpressionOverlay()
    try:
        picture, _ = animator.source_picture
        overlay.set_picture(fit_source(picture), str(job.source_path))
        reader = open_video(job.driving_path)
        overlay.start(reader.fps)
        for index, frame in enumerate(reader):
            if index >= total:
                break
            if cancelled():
                raise Cancelled(f"{job.path}: export cancelled")
            overlay.add_driver(frame)
        overlay.close_driver_clip()
    except BaseException:
        overlay.close()
        raise
    return overlay
