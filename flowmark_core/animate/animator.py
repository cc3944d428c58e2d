"""Animator: owns the model, device, eval/inference mode and precision; turns a source image
plus driving frames into animated frames, in batch (a video) or streaming (a camera) form."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch

from flowmark_core.animate.face_crop import CropBox, FaceCropper, crop, paste, whole_image_box
from flowmark_core.animate.motion_transfer import (
    MODES,
    TransferOptions,
    find_best_frame,
    transfer_motion,
)
from flowmark_core.animate.precision import PRECISIONS, autocast_for, use_bf16
from flowmark_core.animate.results import DetectedKeypoints, FrameResult, KeypointTrack
from flowmark_core.checkpoints import load_checkpoint, resolve_model_path
from flowmark_core.config import ModelConfig, load_config
from flowmark_core.errors import CheckpointError, ConfigError, FlowmarkError
from flowmark_core.geometry import normalized_to_pixels, pixels_to_normalized
from flowmark_core.models import Keypoints, MotionModel, SourceState
from flowmark_core.stabilize import make_stabilizer
from flowmark_core.training.distributed import resolve_device

FOMM_SUFFIXES = (".tar", ".pth", ".pt", ".ckpt")
Progress = Callable[[int, int | None], None]


class Animator:
    """Source image + driving frames -> animated frames, with stabilised keypoints.

    Args:
        model: a MotionModel; precision: "fast" (bf16 + channels-last where the hardware
        has fast bf16, source cached) or "float32" (source cached, identical to the model's
        one-shot output); stabilizer: "none" | "one-euro" | "flow".
    """

    def __init__(
        self,
        model: MotionModel,
        device: str | torch.device | None = None,
        precision: str = "fast",
        transfer: TransferOptions | None = None,
        stabilizer: str = "none",
        stabilizer_params: dict[str, Any] | None = None,
        face_crop: bool = False,
        meta: dict[str, Any] | None = None,
    ) -> None:
        if precision not in PRECISIONS:
            raise ConfigError(f"precision {precision!r}: expected one of {', '.join(PRECISIONS)}")
        self.device = (
            device if isinstance(device, torch.device) else resolve_device(device or "cpu")
        )
        self.precision = precision
        self.bf16 = use_bf16(self.device, precision)
        self.model = model.to(self.device).eval()
        if precision == "fast":
            self.model = self.model.to(memory_format=torch.channels_last)
        self.config: ModelConfig = model.config
        self.size = self.config.image_size
        self.num_kp = self.config.num_kp
        self.meta = dict(meta or {})
        self.transfer = transfer or TransferOptions()
        self.stabilizer_name = stabilizer
        self.stabilizer_params = dict(stabilizer_params or {})
        self._stabilizer = make_stabilizer(stabilizer, self.size, **self.stabilizer_params)
        self.face_crop = face_crop
        self._cropper = FaceCropper()
        self._source_state: SourceState | None = None
        self._source_kp: DetectedKeypoints | None = None
        self._source_full: np.ndarray | None = None
        self._source_box: CropBox | None = None
        self._reference: Keypoints | None = None
        self._index = 0

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_checkpoint(
        cls, path_or_name: str | Path | None = None, config: str | Path | None = None, **kwargs: Any
    ) -> Animator:
        """Load our checkpoint, a bundled model by name (None = default) or FOMM `.pth.tar` + YAML."""
        path = resolve_model_path(path_or_name)
        if path.suffix in FOMM_SUFFIXES:
            if config is None:
                raise ConfigError(
                    f"{path}: a First Order Motion Model checkpoint needs its YAML config "
                    "(e.g. --config vox-256.yaml)"
                )
            from flowmark_core.fomm_checkpoint import load_fomm_checkpoint

            model, meta = load_fomm_checkpoint(path, config)
        elif path.suffix == ".safetensors":
            model_cfg = load_config(config).model if config is not None else None
            model, meta = load_checkpoint(path, model_cfg)
        else:
            raise CheckpointError(
                f"{path}: unknown checkpoint type; expected .safetensors or a FOMM .pth.tar"
            )
        meta = dict(meta, path=str(path))
        return cls(model, meta=meta, **kwargs)

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
        self.transfer = replace(
            self.transfer,
            mode=mode if mode is not None else self.transfer.mode,
            adapt_scale=adapt_scale if adapt_scale is not None else self.transfer.adapt_scale,
            relative_jacobian=(
                relative_jacobian
                if relative_jacobian is not None
                else self.transfer.relative_jacobian
            ),
        )

    def set_stabilizer(self, name: str, **params: Any) -> None:
        """Switch the keypoint stabiliser (resets its state)."""
        self._stabilizer = make_stabilizer(name, self.size, **params)
        self.stabilizer_name, self.stabilizer_params = name, dict(params)

    # -- images and keypoints -------------------------------------------------------------
    def prepare(self, frame: np.ndarray, box: CropBox | None = None) -> np.ndarray:
        """An RGB uint8 frame as the model sees it: (optionally cropped) and resized to S x S."""
        if frame.ndim != 3 or frame.shape[2] != 3:
            raise FlowmarkError(f"expected an RGB image (H, W, 3), got shape {frame.shape}")
        if box is not None:
            return crop(frame, box, self.size)
        if frame.shape[0] == self.size and frame.shape[1] == self.size:
            return frame
        big = max(frame.shape[:2]) > self.size
        return cv2.resize(
            frame, (self.size, self.size), interpolation=cv2.INTER_AREA if big else cv2.INTER_LINEAR
        )

    def _tensor(self, image: np.ndarray) -> torch.Tensor:
        t = (
            torch.from_numpy(np.ascontiguousarray(image))
            .to(self.device)
            .permute(2, 0, 1)[None]
            .float()
            / 255.0
        )
        return t.contiguous(memory_format=torch.channels_last) if self.precision == "fast" else t

    def _to_px(self, kp: Keypoints, heatmaps: bool = True) -> DetectedKeypoints:
        value = normalized_to_pixels(kp.value[0].float().cpu().numpy(), self.size, self.size)
        jac = None if kp.jacobian is None else kp.jacobian[0].float().cpu().numpy()
        heat = None if (kp.heatmap is None or not heatmaps) else kp.heatmap[0].float().cpu().numpy()
        return DetectedKeypoints(value.astype(np.float32), jac, heat)

    def _from_px(self, value: np.ndarray, jacobian: np.ndarray | None) -> Keypoints:
        v = (
            torch.from_numpy(pixels_to_normalized(value, self.size, self.size))
            .float()[None]
            .to(self.device)
        )
        j = (
            None
            if jacobian is None
            else torch.from_numpy(np.asarray(jacobian, np.float32))[None].to(self.device)
        )
        return Keypoints(v, j)

    @torch.inference_mode()
    def detect(self, frame: np.ndarray) -> DetectedKeypoints:
        """Keypoints of a prepared (S x S) RGB frame, in pixels."""
        with autocast_for(self.device, self.bf16):
            kp = self.model.detect(self._tensor(frame))
        return self._to_px(kp)

    @torch.inference_mode()
    def set_source(self, image: np.ndarray) -> DetectedKeypoints:
        """Encode the source once; returns its keypoints (px of the model-size source)."""
        self._source_full = image
        self._source_box = None
        if self.face_crop:
            self._source_box = self._cropper.detect(image) or whole_image_box(image)
            self._cropper.reset()
        prepared = self.prepare(image, self._source_box)
        with autocast_for(self.device, self.bf16):
            self._source_state = self.model.encode_source(self._tensor(prepared))
        self._source_kp = self._to_px(self._source_state.keypoints)
        self._source_prepared = prepared
        return self._source_kp

    @property
    def source_keypoints(self) -> DetectedKeypoints:
        if self._source_kp is None:
            raise FlowmarkError("no source image set (call set_source first)")
        return self._source_kp

    @property
    def source_image(self) -> np.ndarray:
        """The source as the model sees it (S x S RGB uint8)."""
        if self._source_state is None:
            raise FlowmarkError("no source image set (call set_source first)")
        return self._source_prepared

    def set_reference(
        self, value_px: np.ndarray | None, jacobian: np.ndarray | None = None
    ) -> None:
        """Use these driving keypoints as the reference of relative motion (None: next frame)."""
        self._reference = None if value_px is None else self._from_px(value_px, jacobian)

    def reset_stream(self) -> None:
        """Start a new driving stream: stabiliser, crop smoothing and reference are reset."""
        self._stabilizer.reset()
        self._cropper.reset()
        self._reference = None
        self._index = 0

    # -- rendering ------------------------------------------------------------------------
    @torch.inference_mode()
    def render(
        self,
        driving: np.ndarray,
        raw: DetectedKeypoints,
        stable_value: np.ndarray,
        stable_jacobian: np.ndarray | None,
        index: int = 0,
    ) -> FrameResult:
        """Render the source posed by the (stabilised) driving keypoints."""
        if self._source_state is None:
            raise FlowmarkError("no source image set (call set_source first)")
        kp_driving = self._from_px(stable_value, stable_jacobian)
        if self._reference is None:
            self._reference = kp_driving
        src_kp = self._source_state.keypoints
        kp_render = transfer_motion(
            Keypoints(
                src_kp.value.float(), None if src_kp.jacobian is None else src_kp.jacobian.float()
            ),
            kp_driving,
            self._reference,
            self.transfer,
        )
        start = time.perf_counter()
        with autocast_for(self.device, self.bf16):
            out = self.model.render(self._source_state, kp_render)
        pred = (
            (out.prediction[0].float().clamp(0, 1).permute(1, 2, 0) * 255)
            .round()
            .byte()
            .cpu()
            .numpy()
        )
        model_ms = (time.perf_counter() - start) * 1000
        if self._source_box is not None and self._source_full is not None:
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
            kp_rendered=normalized_to_pixels(
                kp_render.value[0].float().cpu().numpy(), self.size, self.size
            ),
            heatmaps=raw.heatmap,
            motion=out.motion.deformation[0].float().cpu().numpy(),
            occlusion=None if occ is None else occ[0, 0].float().cpu().numpy(),
            model_ms=model_ms,
        )

    def push(self, frame: np.ndarray) -> FrameResult:
        """Streaming API (cameras): detect, stabilise online, render one frame."""
        box = self._cropper.update(frame) if self.face_crop else None
        prepared = self.prepare(frame, box)
        raw = self.detect(prepared)
        value, jac = self._stabilizer.update(raw.value, raw.jacobian, prepared)
        result = self.render(prepared, raw, value, jac, self._index)
        self._index += 1
        return result

    def track(
        self,
        frames: Iterable[np.ndarray],
        fps: float = 25.0,
        progress: Progress | None = None,
        total: int | None = None,
    ) -> KeypointTrack:
        """Detect and stabilise keypoints over a whole video (one pass, online stabiliser)."""
        self._stabilizer.reset()
        self._cropper.reset()
        raws, stables, jraws, jstables = [], [], [], []
        for i, frame in enumerate(frames):
            box = self._cropper.update(frame) if self.face_crop else None
            prepared = self.prepare(frame, box)
            raw = self.detect(prepared)
            value, jac = self._stabilizer.update(raw.value, raw.jacobian, prepared)
            raws.append(raw.value)
            stables.append(value)
            jraws.append(raw.jacobian)
            jstables.append(jac)
            if progress is not None:
                progress(i + 1, total)
        if not raws:
            raise FlowmarkError("the driving video has no frames")
        has_j = jraws[0] is not None
        return KeypointTrack(
            raw=np.stack(raws),
            stable=np.stack(stables),
            jacobian_raw=np.stack(jraws) if has_j else None,
            jacobian_stable=np.stack(jstables) if has_j and jstables[0] is not None else None,
            image_size=self.size,
            fps=fps,
            stabilizer=self.stabilizer_name,
        )

    def render_from_track(
        self,
        frame: np.ndarray,
        track: KeypointTrack,
        index: int,
        stabilized: bool = True,
        with_heatmaps: bool = True,
    ) -> FrameResult:
        """Render frame `index` of a tracked video (random access: scrubbing, rendering)."""
        box = None
        if self.face_crop:
            box = self._cropper.update(frame)
        prepared = self.prepare(frame, box)
        jr = None if track.jacobian_raw is None else track.jacobian_raw[index]
        raw = (
            self.detect(prepared)
            if with_heatmaps
            else DetectedKeypoints(track.raw[index], jr, None)
        )
        raw = DetectedKeypoints(track.raw[index], jr, raw.heatmap)
        if stabilized:
            value = track.stable[index]
            jac = None if track.jacobian_stable is None else track.jacobian_stable[index]
        else:
            value, jac = track.raw[index], jr
        return self.render(prepared, raw, value, jac, index)

    def reference_from_track(
        self, track: KeypointTrack, index: int, stabilized: bool = True
    ) -> None:
        """Make frame `index` of a track the reference of relative motion (recalibrate)."""
        values = track.stable if stabilized else track.raw
        jacs = track.jacobian_stable if stabilized else track.jacobian_raw
        self.set_reference(values[index], None if jacs is None else jacs[index])

    def best_frame(self, track: KeypointTrack) -> int:
        """The driving frame whose normalised keypoints best match the source's."""
        return find_best_frame(self.source_keypoints.value, track.stable)

    def animate(
        self,
        frames: Iterable[np.ndarray],
        find_best: bool = False,
        progress: Progress | None = None,
        total: int | None = None,
    ) -> Iterator[FrameResult]:
        """Batch API over a driving video. With `find_best`, `frames` must be re-iterable:
        a first pass tracks keypoints and picks the reference frame, a second renders."""
        self.reset_stream()
        if not find_best:
            for i, frame in enumerate(frames):
                yield self.push(frame)
                if progress is not None:
                    progress(i + 1, total)
            return
        track = self.track(frames)
        self.reference_from_track(track, self.best_frame(track))
        self._cropper.reset()
        for i, frame in enumerate(frames):
            yield self.render_from_track(frame, track, i, with_heatmaps=False)
            if progress is not None:
                progress(i + 1, total)
