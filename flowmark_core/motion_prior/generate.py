"""Image-to-video: sample keypoint futures of a still from the motion prior and render them
with the animation model's generator (the source is the first frame)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch

from flowmark_core.checkpoints import load_checkpoint, resolve_model_path
from flowmark_core.devices import resolve_device
from flowmark_core.errors import CheckpointError, ConfigError
from flowmark_core.io.file_digest import file_digest
from flowmark_core.models import Keypoints, MotionModel, SourceState
from flowmark_core.motion_prior.checkpoint import (
    PRIOR_FORMAT,
    check_prior_fits,
    default_prior_path,
    load_prior,
)
from flowmark_core.motion_prior.config import MAX_FRAMES
from flowmark_core.motion_prior.model import MotionPrior
from flowmark_core.motion_prior.tracks import identity_jacobians


@dataclass(frozen=True)
class SampledMotion:
    """Keypoint futures of one still, frame 0 being the still's own keypoints.

    Shape: values (N, T, K, 2) normalised; jacobians (N, T, K, 2, 2).
    """

    values: np.ndarray
    jacobians: np.ndarray
    seed: int


@dataclass
class ImageToVideo:
    """An animation model with the prior trained on its keypoints."""

    model: MotionModel
    prior: MotionPrior
    model_path: Path
    prior_path: Path
    prior_meta: dict[str, Any]
    warning: str | None = None

    @classmethod
    def load(
        cls, model: str | Path | None = None, prior: str | Path | None = None, device: str = "cpu"
    ) -> ImageToVideo:
        """Load the model (bundled name or file) and its prior (default: beside the model).

        Raises:
            CheckpointError: no prior found, or one trained for another keypoint count.
        """
        model_path = resolve_model_path(model)
        if model_path.suffix != ".safetensors":
            raise CheckpointError(
                f"{model_path}: image-to-video needs a flowmark .safetensors model"
            )
        if _is_prior_file(model_path):
            raise CheckpointError(
                f"{model_path}: is a motion prior, not an animation model; give it as "
                "--prior and an animation model as --model"
            )
        prior_path = Path(prior) if prior is not None else default_prior_path(model_path)
        if not prior_path.is_file():
            raise CheckpointError(
                f"{prior_path}: no motion prior for model {model_path.stem}; train one with "
                "`flowmark train-prior` and pass --prior"
            )
        net, _meta = load_checkpoint(model_path)
        motion_prior, prior_meta = load_prior(prior_path)
        check_prior_fits(motion_prior, net.config, prior_path)
        warning = None
        digest = prior_meta.get("animation_model_digest")
        if digest and digest != file_digest(model_path):
            warning = (
                f"the prior {prior_path.name} was trained on keypoints of another model file "
                f"({prior_meta.get('animation_model')}); its motion may not fit {model_path.stem}"
            )
        dev = resolve_device(device)  # DeviceError (one line) when CUDA is absent
        return cls(
            net.to(dev).eval(),
            motion_prior.to(dev).eval(),
            model_path,
            prior_path,
            prior_meta,
            warning,
        )

    @property
    def size(self) -> int:
        return self.model.config.image_size

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def prepare(self, image: np.ndarray) -> np.ndarray:
        """The still as the model sees it (S x S RGB uint8)."""
        s = self.size
        if image.shape[:2] == (s, s):
            return image
        interp = cv2.INTER_AREA if max(image.shape[:2]) > s else cv2.INTER_LINEAR
        return cv2.resize(image, (s, s), interpolation=interp)

    def _tensor(self, image: np.ndarray) -> torch.Tensor:
        x = torch.from_numpy(np.ascontiguousarray(self.prepare(image))).permute(2, 0, 1)[None]
        return x.float().div(255.0).to(self.device)

    @torch.inference_mode()
    def keypoints(self, image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The still's normalised keypoints (K, 2) and Jacobians (K, 2, 2)."""
        kp = self.model.detect(self._tensor(image))
        value = kp.value[0].float().cpu().numpy()
        jac = (
            identity_jacobians(1, value.shape[0])[0]
            if kp.jacobian is None
            else kp.jacobian[0].float().cpu().numpy()
        )
        return value, jac

    @torch.inference_mode()
    def sample(
        self, image: np.ndarray, frames: int, samples: int = 1, seed: int = 0, mean: bool = False
    ) -> SampledMotion:
        """`samples` futures of `frames` frames (the first is the still's own keypoints)."""
        check_frames(frames)
        if samples < 1:
            raise ConfigError(f"--samples {samples}: expected at least 1")
        value, jac = self.keypoints(image)
        return self.sample_from_keypoints(value, jac, frames, samples, seed, mean)

    @torch.inference_mode()
    def sample_from_keypoints(
        self,
        value: np.ndarray,
        jac: np.ndarray,
        frames: int,
        samples: int = 1,
        seed: int = 0,
        mean: bool = False,
    ) -> SampledMotion:
        """As `sample`, from given first-frame keypoints (K, 2) and Jacobians (K, 2, 2)."""
        v0 = torch.from_numpy(np.repeat(value[None], samples, 0)).float().to(self.device)
        j0 = torch.from_numpy(np.repeat(jac[None], samples, 0)).float().to(self.device)
        out = self.prior.sample(v0, j0, frames - 1, seed=seed, mean=mean)
        return SampledMotion(out.values.cpu().numpy(), out.jacobians.cpu().numpy(), seed)

    @torch.inference_mode()
    def render(
        self, image: np.ndarray, motion: SampledMotion, batch: int = 8
    ) -> Iterator[list[np.ndarray]]:
        """Frame by frame, the still posed by each sample: yields one list of N uint8 frames.

        Several (frame, sample) poses are rendered as one batch of about `batch`."""
        state = self.model.encode_source(self._tensor(image))
        n, t = motion.values.shape[:2]
        chunk = max(1, batch // n)
        for start in range(0, t, chunk):
            stop = min(start + chunk, t)
            count = (stop - start) * n
            values = motion.values[:, start:stop].transpose(1, 0, 2, 3).reshape(count, -1, 2)
            jacs = motion.jacobians[:, start:stop].transpose(1, 0, 2, 3, 4).reshape(count, -1, 2, 2)
            kp = Keypoints(
                torch.from_numpy(np.ascontiguousarray(values)).float().to(self.device),
                torch.from_numpy(np.ascontiguousarray(jacs)).float().to(self.device),
            )
            out = self.model.render(expand_state(state, count), kp).prediction
            pixels = (
                (out.float().clamp(0, 1).permute(0, 2, 3, 1) * 255).round().byte().cpu().numpy()
            )
            for i in range(stop - start):
                yield list(pixels[i * n : (i + 1) * n])


def expand_state(state: SourceState, count: int) -> SourceState:
    """A batch-1 encoded source repeated `count` times (views, no copies)."""

    def rep(x: torch.Tensor) -> torch.Tensor:
        return x.expand(count, *x.shape[1:])

    def rep_optional(x: torch.Tensor | None) -> torch.Tensor | None:
        return None if x is None else rep(x)

    kp = state.keypoints
    return SourceState(
        image=rep(state.image),
        keypoints=Keypoints(rep(kp.value), rep_optional(kp.jacobian), rep_optional(kp.heatmap)),
        features=rep(state.features),
        small_image=rep(state.small_image),
    )


def _is_prior_file(path: Path) -> bool:
    """True when a safetensors file's header says it holds a motion prior."""
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(path), framework="pt") as f:
            return (f.metadata() or {}).get("format") == PRIOR_FORMAT
    except (SafetensorError, OSError, ValueError):
        return False


def check_frames(frames: int, option: str = "--frames") -> None:
    """The video length `flowmark generate` accepts (the still included); `option` is the
    option the user gave it with.

    Raises:
        ConfigError: below 2 or above the bound.
    """
    if not 2 <= frames <= MAX_FRAMES + 1:
        raise ConfigError(
            f"{option} {frames}: expected 2..{MAX_FRAMES + 1} (the first frame is the image itself)"
        )


def tile(frames: list[np.ndarray], columns: int | None = None) -> np.ndarray:
    """N equally sized frames as one grid image (row-major, black where the grid has no frame)."""
    n = len(frames)
    cols = columns or int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    h, w = frames[0].shape[:2]
    grid = np.zeros((rows * h, cols * w, 3), np.uint8)
    for i, f in enumerate(frames):
        r, c = divmod(i, cols)
        grid[r * h : (r + 1) * h, c * w : (c + 1) * w] = f
    return grid
