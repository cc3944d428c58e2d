"""Photo or drawing: which bundled model animates a source image when the user chose none.

The bundled models differ by what they learned from: the default (`puppets-faces-128`) saw
flat-shaded cartoon faces, the photo model (`real-faces-128`) real talking-head video. On
real photos driven by real clips the photo model reconstructs at 0.73x the error of copying
the source where the default gets 1.10x; on cartoon faces the default keeps its landmarks
better (NME 3.08 % against 3.33 %) and steadier. So photos get the photo model, everything
else the default.

"Real photo" is decided simply: the source is not one of the bundled sample media, it has a
photo's richness of colour (flowmark's flat-shaded cartoon faces do not: <= 1,056 distinct
colours by the measure below, real portraits 1,780-3,290), and the face-crop detector
(OpenCV's frontal-face cascade) finds a face in it. The cascade alone is not enough: it also
finds most cartoon faces. Small or blurry photos can be missed (they get the default). The
detection takes tens of milliseconds: the app runs it in a worker, never the UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from flowmark_core.animate.face_crop import FaceCropper
from flowmark_core.resources import (
    DEFAULT_MODEL_NAME,
    PHOTO_MODEL_NAME,
    bundled_models,
    photo_model_name,
    sample_driving,
    sample_source,
)

PHOTO_MIN_COLOURS = 1500  # distinct colours (32 levels a channel) in a 256x256 copy


def colour_count(image: np.ndarray) -> int:
    """Distinct colours of `image` resized to 256x256, each channel quantised to 32 levels."""
    small = cv2.resize(image, (256, 256), interpolation=cv2.INTER_AREA).astype(np.int32) // 8
    codes = small[..., 0] * 1024 + small[..., 1] * 32 + small[..., 2]
    return int(np.unique(codes).size)


def _face_found(image: np.ndarray) -> bool:
    return FaceCropper().detect(image) is not None


def _is_sample(path: Path) -> bool:
    try:
        resolved = Path(path).resolve()
        return resolved in {sample_source().resolve(), sample_driving().resolve()}
    except OSError:
        return True  # unresolvable: treated as not a photo


def looks_like_real_photo(path: str | Path, image: np.ndarray) -> bool:
    """True when `path` is not a bundled sample, `image` (RGB) has a photo's colours and the
    face detector finds a face in it (tens of ms: call it from a worker in the app)."""
    if _is_sample(Path(path)) or colour_count(image) < PHOTO_MIN_COLOURS:
        return False
    return _face_found(image)


def model_for_kind(photo: bool) -> str:
    """The bundled model for a photo (`real-faces-128` when bundled) or a drawing (the
    default). Cheap: reads no image, only lists the bundled models."""
    return photo_model_name() if photo else DEFAULT_MODEL_NAME


@dataclass(frozen=True)
class ModelChoice:
    """The model chosen for a source, and why, in words."""

    model: str  # a bundled model name
    photo: bool  # the source looks like a real photo
    reason: str  # e.g. "face.jpg looks like a photo"

    def message(self, how_to_change: str) -> str:
        """One line: '<reason>: using <model> (<how_to_change>)'."""
        return f"{self.reason}: using {self.model} ({how_to_change})"


def choice_for_kind(name: str, photo: bool) -> ModelChoice:
    """The choice for a source called `name` already judged photo or not (no image read)."""
    model = model_for_kind(photo)
    if photo and model == PHOTO_MODEL_NAME:
        reason = f"{name} looks like a photo"
    elif photo:
        reason = f"{name} looks like a photo, but {PHOTO_MODEL_NAME} is not installed"
    else:
        reason = f"{name} does not look like a photo of a face"
    return ModelChoice(model, photo, reason)


def choose_model(path: str | Path, image: np.ndarray, label: str | None = None) -> ModelChoice:
    """The bundled model for the source image `image` read from `path`, when the user gave
    none: the photo model for a real photo, the default for anything else. `label` names the
    image in the reason (default: the file name)."""
    name = label if label is not None else Path(path).name
    return choice_for_kind(name, looks_like_real_photo(path, image))


def photo_model_bundled() -> bool:
    """Whether the photo model ships in this installation (else photos get the default)."""
    return PHOTO_MODEL_NAME in bundled_models()
