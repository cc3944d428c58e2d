"""What the loaded model is for: its card's summary in the status bar and Model menu, and a
once-per-session note when a real photo meets a model not trained on real faces that the
user chose themselves (a model the app chose follows the source: `Controller`).

Whether a source is a real photo is decided in the core
(`flowmark_core.animate.source_kind.looks_like_real_photo`), in the engine worker, never the
UI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject

from flowmark_core.model_cards import ModelCard, read_model_card
from flowmark_core.resources import PHOTO_MODEL_NAME, bundled_models
from flowmark_gui.state.session import Session

REAL_FACE_WAY_OUT = (
    f"switch to the {PHOTO_MODEL_NAME} model (Model menu), adapt the model to your video "
    "(Model ▸ Learn My Face…), or load a FOMM checkpoint"
)


def bundled_cards() -> list[tuple[str, Path, ModelCard | None]]:
    """The bundled models with their cards (side files only; no weights are read)."""
    return [(name, path, read_model_card(path)) for name, path in bundled_models().items()]


def card_tooltip(card: ModelCard) -> str:
    """The full card, one labelled line each."""
    return "\n".join(card.lines())


class RealFaceAdvisor(QObject):
    """Says once per session when a real photo is animated with a puppets-only model.

    `app_switches` tells whether the app is about to switch to the photo model by itself
    (the user chose no model): then there is nothing to advise.
    """

    def __init__(
        self,
        session: Session,
        app_switches: Callable[[], bool] = lambda: False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.app_switches = app_switches
        self.said = False
        session.model_changed.connect(self.check)
        session.source_changed.connect(self.check)

    def check(self) -> None:
        s = self.session
        if self.said or s.model is None or s.source is None or not s.source.real_photo:
            return
        card = s.model.info.card
        if card is None or card.real_faces or self.app_switches():
            return
        self.said = True
        s.warn(
            f"{s.source.path.name} looks like a real photo, but model {s.model.info.name} "
            f"is for cartoon puppets, not real faces: {REAL_FACE_WAY_OUT}"
        )
