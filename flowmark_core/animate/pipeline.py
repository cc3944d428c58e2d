"""The animation pipeline: face crop, stabiliser, motion-transfer reference and the frame loop
(`push` for cameras; `track` + `render_from_track` and `animate` for videos, in
`video_tracking.py`) around an `InferenceCore`, which owns the model, device and precision.

With face crop the driving crop is fixed (`clip_box.py`): one box per video, recorded in the
track (`KeypointTrack.crop_box`) and reused by `render_from_track`; a camera stream keeps its
box until the face leaves it, and a new box starts the motion-transfer reference afresh.

Heavy per-frame outputs (keypoint heatmaps, the dense deformation, the occlusion map) are
copied to the host only when asked for (`outputs`); the output image, keypoints and
Jacobians always are. With the stabiliser "none" the detected keypoints go straight from
the detector to the renderer on the device; the host copy is only for the result.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from flowmark_core.animate.colour_match import ColourCorrection
from flowmark_core.animate.face_crop import CropBox, paste
from flowmark_core.animate.framing import Framing, to_model_size
from flowmark_core.animate.full_resolution import FullResolutionSource
from flowmark_core.animate.inference_core import InferenceCore
from flowmark_core.animate.motion_transfer import (
    MODES,
    TransferOptions,
    transfer_motion,
)
from flowmark_core.animate.results import DetectedKeypoints, FrameResult, KeypointTrack
from flowmark_core.animate.video_tracking import Progress, VideoTracker
from flowmark_core.errors import ConfigError, FlowmarkError
from flowmark_core.models import Keypoints, MotionModel, SourceState
from flowmark_core.stabilize import make_stabilizer

HEAVY_OUTPUTS: tuple[str, ...] = ("heatmaps", "motion", "occlusion")


def _host(t: torch.Tensor) -> np.ndarray:
    return t[0].float().cpu().numpy()


def _host_optional(t: torch.Tensor | None) -> np.ndarray | None:
    return None if t is None else _host(t)


class Animator:
    """Source image + driving frames -> animated frames, with stabilised keypoints.

    Args:
        model: a MotionModel (or an `InferenceCore` already built around one).
        device, precision, backend: see `InferenceCore`.
        stabilizer: "none" | "one-euro" | "flow"; `stabilizer_params` its settings.
        fps: frame rate of the driving stream (the stabiliser's time step); `track` and
            `animate` take it from the video.
        outputs: which of `HEAVY_OUTPUTS` every `FrameResult` carries (default none).
        full_resolution: output at the source's size, capped (see `full_resolution.py`).
        colour_match: take the generator's own colour cast on the source off every frame
            (see `colour_match.py`).
    """

    def __init__(
        self,
        model: MotionModel | InferenceCore,
        device: str | torch.device | None = None,
        precision: str = "fast",
        transfer: TransferOptions | None = None,
        stabilizer: str = "none",
        stabilizer_params: dict[str, Any] | None = None,
        face_crop: bool = False,
        meta: dict[str, Any] | None = None,
        fps: float | None = None,
        outputs: Iterable[str] = (),
        backend: str = "torch",
        full_resolution: bool = False,
        colour_match: bool = True,
    ) -> None:
        self.core = (
            model
            if isinstance(model, InferenceCore)
            else InferenceCore(model, device, precision, backend)
        )
        core = self.core  # its facts, read by callers: model, size, num_kp, device, precision
        self.model, self.size, self.num_kp = core.model, core.size, core.num_kp
        self.device, self.precision = core.device, core.precision
        self.meta = dict(meta or {})
        self.transfer = transfer or TransferOptions()
        self.outputs: frozenset[str] = frozenset()
        self.set_outputs(outputs)
        self.fps = fps
        self.set_stabilizer(stabilizer, **dict(stabilizer_params or {}))
        self._framing = Framing(face_crop)
        self._source_state: SourceState | None = None
        self._source_kp: DetectedKeypoints | None = None
        self._source_prepared: np.ndarray | None = None
        self._source_full: np.ndarray | None = None
        self._source_box: CropBox | None = None
        self.full_resolution = full_resolution
        self._full: FullResolutionSource | None = None
        self.colour_match = colour_match
        self._colour: ColourCorrection | None = None
        self._reference: Keypoints | None = None
        self._index = 0

    # -- construction and the core's facts ------------------------------------------------
    @classmethod
    def from_checkpoint(
        cls, path_or_name: str | Path | None = None, config: str | Path | None = None, **kwargs: Any
    ) -> Animator:
        """Load a model (see `flowmark_core.checkpoints.load_model`) and build a pipeline."""
        from flowmark_core.checkpoints import load_model

        model, meta = load_model(path_or_name, config)
        return cls(model, meta=meta, **kwargs)

    # -- framing (framing.py): which square of each frame the model sees ------------------
    @property
    def framing(self) -> Framing:
        """The framing policy (read it; change it with `set_framing`)."""
        return self._framing

    @property
    def face_crop(self) -> bool:
        """Whether frames are cut around the face (else their centred square)."""
        return self._framing.face_crop

    def set_framing(self, framing: Framing | bool) -> None:
        """Use this framing (or face crop on/off) from the next source and frame on; a
        stream restarts (another view of the face). Set the source again to reframe it."""
        self._framing = framing if isinstance(framing, Framing) else Framing(framing)
        self.reset_stream()

    def recentre(self) -> None:
        """A stream's next face fixes its box anew, and the next frame is the reference."""
        self._framing.reset_stream()
        self._reference = None

    def driving_box(
        self, frames: Iterable[np.ndarray]
    ) -> tuple[CropBox | None, Iterator[np.ndarray]]:
        """The one driving box of a video (None for no frames) and its frames, all of
        them in order (the first few were looked at to choose the box)."""
        return self._framing.clip_box(frames)

    # -- options --------------------------------------------------------------------------
    def set_transfer(
        self,
        mode: str | None = None,
        adapt_scale: bool | None = None,
        relative_jacobian: bool | None = None,
    ) -> None:
        """Change motion-transfer options (relative/absolute, adapt scale)."""
        if mode is not None and mode not in MODES:
            raise ConfigError(f"mode {mode!r}: expected one of {', '.join(MODES)}")
        t = self.transfer
        self.transfer = replace(
            t,
            mode=t.mode if mode is None else mode,
            adapt_scale=t.adapt_scale if adapt_scale is None else adapt_scale,
            relative_jacobian=t.relative_jacobian
            if relative_jacobian is None
            else relative_jacobian,
        )

    def set_stabilizer(self, name: str, **params: Any) -> None:
        """Switch the keypoint stabiliser (resets its state); its time step is 1 / `fps`."""
        if "fps" in params:
            raise ConfigError(
                f"stabilizer {name!r}: fps is the video's frame rate, not a stabiliser setting"
            )
        self._stabilizer = make_stabilizer(name, self.size, fps=self.fps, **params)
        self.stabilizer_name, self.stabilizer_params = name, dict(params)

    def set_fps(self, fps: float | None) -> None:
        """Set the driving stream's frame rate (rebuilds the stabiliser when it changes)."""
        if fps is not None and fps != self.fps:
            self.fps = float(fps)
            self.set_stabilizer(self.stabilizer_name, **self.stabilizer_params)

    def set_outputs(self, outputs: Iterable[str]) -> None:
        """Choose which heavy outputs (`HEAVY_OUTPUTS`) each result carries."""
        chosen = frozenset(outputs)
        unknown = sorted(chosen - set(HEAVY_OUTPUTS))
        if unknown:
            raise ConfigError(f"output {unknown[0]!r}: expected any of {', '.join(HEAVY_OUTPUTS)}")
        self.outputs = chosen

    # -- images and keypoints -------------------------------------------------------------
    def prepare(self, frame: np.ndarray, box: CropBox | None = None) -> np.ndarray:
        """An RGB uint8 frame as the model sees it: cut to `box` (None: its centred square,
        never stretched) and resized to S x S."""
        return to_model_size(frame, self.size, box)

    def _on_host(self, kp: Keypoints, heatmaps: bool) -> DetectedKeypoints:
        value = self.core.to_pixels(kp.value[0]).cpu().numpy().astype(np.float32)
        heat = _host_optional(kp.heatmap) if heatmaps else None
        return DetectedKeypoints(value, _host_optional(kp.jacobian), heat)

    def _detect(self, prepared: np.ndarray) -> tuple[Keypoints, DetectedKeypoints]:
        kp = self.core.detect(self.core.image_tensor(prepared))
        return kp, self._on_host(kp, "heatmaps" in self.outputs)

    def detect(self, frame: np.ndarray, heatmaps: bool | None = None) -> DetectedKeypoints:
        """Keypoints of a prepared (S x S) RGB frame, in pixels (heatmaps: default `outputs`)."""
        kp = self.core.detect(self.core.image_tensor(frame))
        return self._on_host(kp, "heatmaps" in self.outputs if heatmaps is None else heatmaps)

    def set_source(self, image: np.ndarray) -> DetectedKeypoints:
        """Encode the source once; returns its keypoints (px of the model-size source)."""
        image, self._source_box = self._framing.source_view(image)
        self._source_full = image
        prepared = self.prepare(image, self._source_box)
        self._full = FullResolutionSource.made_if(self.full_resolution, image, self._source_box)
        self._source_state = self.core.encode_source(self.core.image_tensor(prepared))
        self._source_kp = self._on_host(self._source_state.keypoints, heatmaps=True)
        self._source_prepared = prepared
        self._colour = None
        if self.colour_match:  # the cast of the source rendered with its own keypoints
            still = self.core.render(self._source_state, self._source_state.keypoints)
            self._colour = ColourCorrection(self.core.image_tensor(prepared), still.prediction)
        return self._source_kp

    @property
    def source_keypoints(self) -> DetectedKeypoints:
        if self._source_kp is None:
            raise FlowmarkError("no source image set (call set_source first)")
        return self._source_kp

    @property
    def source_image(self) -> np.ndarray:
        """The source as the model sees it (S x S RGB uint8)."""
        if self._source_prepared is None:
            raise FlowmarkError("no source image set (call set_source first)")
        return self._source_prepared

    @property
    def source_picture(self) -> tuple[np.ndarray, CropBox | None]:
        """The picture an animation of the source shows (the whole image with face crop, its
        centred square without) and the box in it the model sees (None: all of it)."""
        if self._source_full is None:
            raise FlowmarkError("no source image set (call set_source first)")
        return self._source_full, self._source_box

    @property
    def paste_box(self) -> CropBox | None:
        """Where the face crop is pasted back in the output frame (output pixels), or None
        when the whole picture is rendered (no face crop: the source or its centred square)."""
        return self._full.box if self._full is not None else self._source_box

    def set_reference(
        self, value_px: np.ndarray | None, jacobian: np.ndarray | None = None
    ) -> None:
        """Use these driving keypoints as the reference of relative motion (None: next frame)."""
        self._reference = None if value_px is None else self.core.from_pixels(value_px, jacobian)

    def reset_stream(self, fps: float | None = None) -> None:
        """Start a new driving stream (at `fps` if given): stabiliser, driving box and
        reference are reset."""
        self.set_fps(fps)
        self._stabilizer.reset()
        self._framing.reset_stream()
        self._reference = None
        self._index = 0

    # -- rendering ------------------------------------------------------------------------
    def render(
        self,
        driving: np.ndarray,
        raw: DetectedKeypoints,
        stable_value: np.ndarray,
        stable_jacobian: np.ndarray | None,
        index: int = 0,
    ) -> FrameResult:
        """Render the source posed by the (stabilised) driving keypoints (pixels)."""
        kp = self.core.from_pixels(stable_value, stable_jacobian)
        return self._render(driving, raw, kp, stable_value, stable_jacobian, index)

    def _render(
        self,
        driving: np.ndarray,
        raw: DetectedKeypoints,
        kp_driving: Keypoints,
        stable_value: np.ndarray,
        stable_jacobian: np.ndarray | None,
        index: int,
    ) -> FrameResult:
        if self._source_state is None:
            raise FlowmarkError("no source image set (call set_source first)")
        if self._reference is None:
            self._reference = kp_driving
        kp_render = transfer_motion(
            self._source_state.keypoints, kp_driving, self._reference, self.transfer
        )
        start = time.perf_counter()
        out = self.core.render(self._source_state, kp_render)
        if self._colour is not None:
            ac = self.model.config.align_corners
            corrected = self._colour.apply(out.prediction, out.motion.deformation, ac)
            out = replace(out, prediction=corrected)
        pred = self.core.to_uint8(out.prediction)
        model_ms = (time.perf_counter() - start) * 1000
        if self._full is not None:  # the model's motion applied to the full-resolution source
            pred = self._full.render_output(out, self.model.config.align_corners)
        elif self._source_box is not None and self._source_full is not None:
            pred = paste(self._source_full, pred, self._source_box)
        occ = out.motion.occlusion
        return FrameResult(
            index=index,
            output=pred,
            driving=driving,
            kp_raw=raw.value,
            kp_stable=stable_value,
            jacobian_raw=raw.jacobian,
            jacobian_stable=stable_jacobian,
            kp_rendered=self.core.to_pixels(kp_render.value[0]).cpu().numpy(),
            heatmaps=raw.heatmap,
            motion=_host(out.motion.deformation) if "motion" in self.outputs else None,
            occlusion=(None if occ is None or "occlusion" not in self.outputs else _host(occ)[0]),
            model_ms=model_ms,
        )

    def reset_stabilizer(self) -> None:
        """Restart the stabiliser's state (a new video, or a cut in the stream)."""
        self._stabilizer.reset()

    def stabilize(
        self, prepared: np.ndarray
    ) -> tuple[DetectedKeypoints, np.ndarray, np.ndarray | None]:
        """Detect and stabilise one prepared frame: (raw px, stable px, stable Jacobians)."""
        raw, _kp, value, jac = self._stabilized(prepared)
        return raw, value, jac

    def _stabilized(
        self, prepared: np.ndarray
    ) -> tuple[DetectedKeypoints, Keypoints, np.ndarray, np.ndarray | None]:
        """Detect and stabilise one frame: (raw px, driving keypoints on the device, stable px)."""
        kp, raw = self._detect(prepared)
        if self.stabilizer_name == "none":
            return raw, kp, raw.value, raw.jacobian
        value, jac = self._stabilizer.update(raw.value, raw.jacobian, prepared)
        return raw, self.core.from_pixels(value, jac), value, jac

    def push(self, frame: np.ndarray) -> FrameResult:
        """Streaming API (cameras): detect, stabilise online, render one frame.

        The box is the framing's stream box; when it is chosen anew (the face left the old
        one) the stabiliser and the reference restart, so the output does not jump.
        """
        box, moved = self._framing.stream_box(frame)
        if moved:
            self._stabilizer.reset()
            self._reference = None
        return self.step(self.prepare(frame, box))

    def step(self, prepared: np.ndarray) -> FrameResult:
        """Detect, stabilise and render one prepared frame of the stream."""
        raw, kp, value, jac = self._stabilized(prepared)
        result = self._render(prepared, raw, kp, value, jac, self._index)
        self._index += 1
        return result

    # -- whole videos (video_tracking.py) -------------------------------------------------
    def track(
        self,
        frames: Iterable[np.ndarray],
        fps: float | None = None,
        progress: Progress | None = None,
        total: int | None = None,
        on_prepared: Callable[[np.ndarray], None] | None = None,
    ) -> KeypointTrack:
        """Detect and stabilise a whole video once (see `VideoTracker.track`)."""
        return VideoTracker(self).track(frames, fps, progress, total, on_prepared)

    def render_from_track(
        self,
        frame: np.ndarray,
        track: KeypointTrack,
        index: int,
        stabilized: bool = True,
        with_heatmaps: bool | None = None,
    ) -> FrameResult:
        """Render frame `index` of a tracked video (see `VideoTracker.render_from_track`)."""
        return VideoTracker(self).render_from_track(frame, track, index, stabilized, with_heatmaps)

    def reference_from_track(
        self, track: KeypointTrack, index: int, stabilized: bool = True
    ) -> None:
        """Make frame `index` of a track the reference of relative motion (recalibrate)."""
        VideoTracker(self).reference_from_track(track, index, stabilized)

    def best_frame(self, track: KeypointTrack) -> int:
        """The driving frame whose normalised keypoints best match the source's."""
        return VideoTracker(self).best_frame(track)

    def animate(
        self,
        frames: Iterable[np.ndarray],
        find_best: bool = False,
        progress: Progress | None = None,
        total: int | None = None,
        fps: float | None = None,
    ) -> Iterator[FrameResult]:
        """A whole driving video animated (see `VideoTracker.animate`)."""
        return VideoTracker(self).animate(frames, find_best, progress, total, fps)
