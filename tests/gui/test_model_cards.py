"""Model cards in the app: the status bar says what the loaded model is
for, the Model menu lists the bundled models with their summaries, and a real photo
animated with a puppets-only model the user chose gets one note per session with the way
out (photo or drawing itself: tests/core/animate/test_source_kind.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from flowmark_core.animate import source_kind
from flowmark_core.checkpoints import save_checkpoint
from flowmark_core.io.images import write_image
from flowmark_core.model_cards import card_path, read_model_card
from flowmark_core.models import build_model
from flowmark_core.resources import bundled_models
from flowmark_gui.controllers import model_cards
from flowmark_gui.state.model_handle import ModelSpec
from flowmark_gui.window.main_window import MainWindow
from tests.gui.conftest import TINY, WAIT_MS, Media, WindowFactory, settle

PUPPET_CARD = {
    "summary": "Tiny test puppets: cartoon faces only.",
    "data": "nothing (random weights)",
    "resolution": "64 px",
    "limits": "not for real people",
    "real_faces": False,
}


def _model_with_card(folder: Path, card: dict[str, object]) -> Path:
    path = save_checkpoint(folder / "tiny-puppets.safetensors", build_model(TINY), {"step": 0})
    card_path(path).write_text(json.dumps(card), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stand-in for a photo: as many distinct colours as one (the face is monkeypatched)."""
    pixels = np.random.default_rng(0).integers(0, 256, (256, 256, 3), dtype=np.uint8)
    path = tmp_path_factory.mktemp("card-photo") / "portrait.png"
    write_image(path, pixels)
    return path


@pytest.fixture(scope="module")
def puppet_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _model_with_card(tmp_path_factory.mktemp("card-gui"), PUPPET_CARD)


def _spec(path: Path) -> ModelSpec:
    return ModelSpec(path=str(path), precision="float32")


def _real_face_notes(window: MainWindow) -> list[str]:
    return [t for level, t in window.status.history if level == "warning" and "real photo" in t]


def _wait_source(qtbot: QtBot, window: MainWindow, path: Path) -> None:
    qtbot.waitUntil(
        lambda: window.session.source is not None and window.session.source.path == path,
        timeout=WAIT_MS,
    )


def test_status_bar_shows_the_card_summary_with_the_full_card_as_tooltip(
    make_window: WindowFactory, qtbot: QtBot, puppet_model: Path
) -> None:
    window = make_window(spec=_spec(puppet_model))
    qtbot.waitUntil(lambda: window.session.model is not None, timeout=WAIT_MS)
    label = window.status.model
    assert label.text().endswith("— Tiny test puppets: cartoon faces only.")
    assert label.toolTip().splitlines() == [
        "Tiny test puppets: cartoon faces only.",
        "data: nothing (random weights)",
        "size: 64 px",
        "limits: not for real people",
    ]


def test_model_menu_lists_each_bundled_model_with_its_summary(
    make_window: WindowFactory, qtbot: QtBot, tiny_spec: ModelSpec
) -> None:
    bundled = bundled_models()
    assert {"puppets-faces-128", "faces-mix-128"} <= set(bundled)
    window = make_window(spec=tiny_spec)
    for name, path in bundled.items():
        card = read_model_card(path)
        assert card is not None
        action = window.actions[f"model_{name}"]
        assert action.text() == f"{name} — {card.summary}"
        assert "limits:" in action.toolTip()
    qtbot.waitUntil(lambda: window.session.model is not None, timeout=WAIT_MS)
    window.actions["model_faces-mix-128"].trigger()  # choosing one loads it
    qtbot.waitUntil(
        lambda: window.session.model.info.name == "faces-mix-128.safetensors", timeout=WAIT_MS
    )
    assert window.session.model.info.card is not None
    assert window.session.model.info.card.real_faces


def test_real_photo_with_a_puppets_model_is_noted_once_with_the_way_out(
    make_window: WindowFactory,
    media: Media,
    qtbot: QtBot,
    photo: Path,
    puppet_model: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(source_kind, "_face_found", lambda image: True)  # "a face is found"
    window = make_window(photo, spec=_spec(puppet_model))
    qtbot.waitUntil(lambda: len(_real_face_notes(window)) == 1, timeout=WAIT_MS)
    note = _real_face_notes(window)[0]
    assert "portrait.png looks like a real photo" in note
    assert model_cards.REAL_FACE_WAY_OUT in note
    assert "real-faces-128" in note and "Learn My Face" in note and "FOMM" in note
    assert note in window.messages.messages("warning")  # kept in the message log too
    window.controller.open_source(media["other"])  # another source, same model: not again
    _wait_source(qtbot, window, media["other"])
    window.controller.open_source(photo)
    window.controller.open_model_file(puppet_model)
    settle(qtbot, window.controller.engine)  # the source and the model reloaded
    assert window.session.source is not None and window.session.source.real_photo
    assert len(_real_face_notes(window)) == 1


def test_no_note_when_the_source_is_not_a_real_photo(
    make_window: WindowFactory,
    media: Media,
    qtbot: QtBot,
    puppet_model: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(source_kind, "_face_found", lambda image: True)
    window = make_window(media["source"], spec=_spec(puppet_model))  # a cartoon face
    _wait_source(qtbot, window, media["source"])
    assert window.session.source is not None and not window.session.source.real_photo
    assert _real_face_notes(window) == []


def test_a_long_card_summary_does_not_widen_the_window(
    make_window: WindowFactory, qtbot: QtBot, tmp_path: Path
) -> None:
    card = dict(PUPPET_CARD, summary="A very long summary of what this model is for. " * 8)
    window = make_window(spec=_spec(_model_with_card(tmp_path, card)))
    qtbot.waitUntil(lambda: window.session.model is not None, timeout=WAIT_MS)
    assert window.status.model.text().endswith(card["summary"])  # the whole text is kept
    assert window.status.minimumSizeHint().width() < 1024  # a small screen still fits it
