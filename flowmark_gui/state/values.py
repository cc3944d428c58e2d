"""Plain immutable values the GUI passes around: options, media descriptions, worker replies.

None of these import Qt, so workers and pure helpers can share them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from flowmark_core.animate import DetectedKeypoints, FrameResult, KeypointTrack
from flowmark_core.animate.face_crop import CropBox
from flowmark_core.metrics.jitter import JitterReport
from flowmark_core.model_cards import ModelCard


@dataclass(frozen=True)
class RenderOptions:
    """How driving motion is tracked and transferred (what the Controls dock edits)."""

    stabilizer: str = "none"
    stabilizer_params: dict[str, Any] = field(default_factory=dict)
    mode: str = "relative"
    adapt_scale: bool = False
    face_crop: bool = False
    reference_index: int = 0
    sharp: bool = True  # Result at the source's resolution, panes at display resolution

    def needs_retrack(self, other: RenderOptions) -> bool:
        """True when going from `self` to `other` changes the keypoint track itself."""
        return (
            self.stabilizer != other.stabilizer
            or self.stabilizer_params != other.stabilizer_params
            or self.face_crop != other.face_crop
        )


@dataclass(frozen=True)
class OverlayOptions:
    """Which overlays the image panes draw (each toggled independently)."""

    keypoints: bool = True
    raw_keypoints: bool = True
    jacobians: bool = False
    heatmaps: bool = False
    heatmap_selected_only: bool = False
    heatmap_opacity: float = 0.6
    motion: bool = False
    occlusion: bool = False


@dataclass(frozen=True)
class ModelInfo:
    """What the status bar says about the loaded model."""

    name: str
    image_size: int
    num_kp: int
    random_weights: bool
    path: str | None = None
    card: ModelCard | None = None  # what the model is for (None: no card)


@dataclass(frozen=True)
class SourceInfo:
    """A loaded source image as the model sees it.

    Shape:
        image: (S, S, 3) uint8; keypoints: see `DetectedKeypoints`.
    """

    path: Path
    image: np.ndarray
    keypoints: DetectedKeypoints
    box: CropBox | None = None  # where `image` was cut from the file's picture (None: whole)
    full_size: tuple[int, int] | None = None  # (width, height) of the file's picture
    real_photo: bool = False  # not a bundled sample, photo-like colours, a face found
    view: np.ndarray | None = None  # the picture at display resolution (sharp panes), or None
    view_region: tuple[float, float, float] | None = None  # the model's square in `view`


@dataclass(frozen=True)
class VideoInfo:
    """An opened driving video; `preview` is its first frame at model size.

    Shape:
        preview: (S, S, 3) uint8.
    """

    path: Path
    fps: float
    frame_count: int | None
    size: tuple[int, int]
    preview: np.ndarray


@dataclass(frozen=True)
class TrackInfo:
    """A tracked driving video, with per-keypoint jitter of the raw and stabilised tracks."""

    track: KeypointTrack
    jitter_raw: JitterReport | None
    jitter_stable: JitterReport | None
    options: RenderOptions
    serial: int = 0

    @property
    def length(self) -> int:
        return int(self.track.raw.shape[0])


@dataclass(frozen=True)
class RenderedFrame:
    """A worker's answer to a frame request, tagged with the state it was rendered with:
    the generation of the last option change applied and the serial of the track used."""

    generation: int
    track_serial: int
    result: FrameResult


@dataclass(frozen=True)
class CameraSettings:
    """Live camera options (changed while the camera runs).

    `zoom` >= 1 narrows the square crop; `offset` moves its centre, each in [-1, 1] of the
    free room on that axis. Recordings play at `fps_limit` in real time (frames repeated
    or dropped to their timestamps) with their longer side `record_size` px.
    """

    mirror: bool = True
    zoom: float = 1.0
    offset: tuple[float, float] = (0.0, 0.0)
    fps_limit: float = 30.0
    passthrough: bool = False
    record_size: int = 512  # longer side of recordings, px


@dataclass(frozen=True)
class CameraFrame:
    """One live camera step: what the model saw, its keypoints, and what went out.

    Shape:
        driving: (S, S, 3) uint8; keypoints: (K, 2) px or None (passthrough);
        output: (H, W, 3) uint8; jacobians: (K, 2, 2) or None.
    """

    index: int
    driving: np.ndarray
    keypoints: np.ndarray | None
    output: np.ndarray
    fps: float
    latency_ms: float
    jacobians: np.ndarray | None = None
