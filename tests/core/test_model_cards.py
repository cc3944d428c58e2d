"""Model cards: side file beside a bundled model, or `card` in a checkpoint's metadata."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowmark_core.cli.main import main
from flowmark_core.model_cards import card_path, read_model_card
from flowmark_core.resources import DEFAULT_MODEL_NAME, bundled_models


def test_the_side_file_wins_over_the_metadata(tmp_path: Path) -> None:
    model = tmp_path / "m.safetensors"
    card_path(model).write_text(
        json.dumps({"summary": "side", "resolution": "64 px", "real_faces": True})
    )
    card = read_model_card(model, {"card": "from metadata"})
    assert card is not None and card.summary == "side" and card.real_faces
    assert card.lines() == ["side", "size: 64 px"]


def test_a_metadata_string_is_a_card_and_a_broken_side_file_is_ignored(tmp_path: Path) -> None:
    model = tmp_path / "m.safetensors"
    card_path(model).write_text("{not json")
    card = read_model_card(model, {"card": "Adapted from x"})
    assert card is not None and card.summary == "Adapted from x" and not card.real_faces
    assert read_model_card(tmp_path / "none.safetensors", {}) is None


def test_every_bundled_model_has_a_card_and_models_shows_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for path in bundled_models().values():
        card = read_model_card(path)
        assert card is not None and card.data and card.resolution and card.limits
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    default = read_model_card(bundled_models()[DEFAULT_MODEL_NAME])
    assert default is not None and f"    {default.summary}" in out
