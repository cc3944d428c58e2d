"""What the loaded model is for: its card's summary in the status bar and Model menu, and a
once-per-session note when a real photo meets a model not trained on real faces.

"Real photo" is decided simply: the source is not one of the bundled sample media, it has a
photo's richness of colour (flowmark's flat-shaded cartoon faces do not: <= 1,056 distinct
colours by the measure below, real portraits 1,780-3,290), and the face-crop detector
(OpenCV's frontal-face cascade) finds a face in it. The cascade alone is not enough: it also
finds most cartoon faces. Small or blurry photos can be missed (no note then; never a false
block). Detection runs in the engine worker (`looks_like_real_photo`), never the UI thread.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import QObject

from flowmark_core.animate.face_crop import FaceCropper
from flowmark_core.model_cards import ModelCard, read_model_card
from flowmark_core.resources import bundled_models, sample_driving, sample_source
from flowmark_gui.session import Session

REAL_FACE_WAY_OUT = (
    "switch to the real-faces-128 model (Model menu), adapt the model to your video "
    "(Model ▸ Learn My Face…), or load a FOMM checkpoint"
)


PHOTO_MIN_COLOURS = 1500  # distinct colours (32 levels a channel) in a 256x256 copy


def colour_count(image: np.ndarray) -> int:
    """Distinct colours of `image` resized to 256x256, each channel quantised to 32 levels."""
    small = cv2.resize(image, (256, 256), interpolation=cv2.INTER_AREA).astype(np.int32) // 8
    codes = small[..., 0] * 1024 + small[..., 1] * 32 + small[..., 2]
    return int(np.unique(codes).size)


def _face_found(image: np.ndarray) -> bool:
    return FaceCropper().detect(image) is not None


def looks_like_real_photo(path: Path, image: np.ndarray) -> bool:
    """True when `path` is not a bundled sample, has a photo's colours and a face detector
    finds a face in it (slow-ish: call it from a worker)."""
    try:
        resolved = Path(path).resolve()
        samples = {sample_source().resolve(), sample_driving().resolve()}
    except OSError:
        return False
    if resolved in samples or colour_count(image) < PHOTO_MIN_COLOURS:
        return False
    return _face_found(image)


def bundled_cards() -> list[tuple[str, Path, ModelCard | None]]:
    """The bundled models with their cards (side files only; no weights are read)."""
    return [(name, path, read_model_card(path)) for name, path in bundled_models().items()]


def card_tooltip(card: ModelCard) -> str:
    """The full card, one labelled line each."""
    return "\n".join(card.lines())


class RealFaceAdvisor(QObject):
    """Says once per session when a real photo is animated with a puppets-only model."""

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.said = False
        session.model_changed.connect(self.check)
        session.source_changed.connect(self.check)

    def check(self) -> None:
        s = self.session
        if self.said or s.model is None or s.source is None or not s.source.real_photo:
            return
        card = s.model.info.card
        if card is None or card.real_faces:
            return
        self.said = True
        s.warn(
            f"{s.source.path.name} looks like a real photo, but model {s.model.info.name} "
            f"is for cartoon puppets, not real faces: {REAL_FACE_WAY_OUT}"
        )
