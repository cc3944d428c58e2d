"""Photo or drawing, and the bundled model each gets: known answers on real portraits, the
synthetic cartoon faces and the bundled sample drawing."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pytest

from flowmark_core.animate import source_kind
from flowmark_core.animate.source_kind import (
    PHOTO_MIN_COLOURS,
    choice_for_kind,
    choose_model,
    colour_count,
    looks_like_real_photo,
)
from flowmark_core.data.real_media import real_media_dir
from flowmark_core.data.synthetic import render_clip
from flowmark_core.io.images import read_image, write_image
from flowmark_core.resources import (
    DEFAULT_MODEL_NAME,
    PHOTO_MODEL_NAME,
    bundled_models,
    sample_source,
)

GRACE_HOPPER = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"


@pytest.fixture(autouse=True)
def photo_model_bundled() -> None:
    if PHOTO_MODEL_NAME not in bundled_models():
        pytest.skip(f"{PHOTO_MODEL_NAME} is not bundled in this checkout")


@pytest.mark.parametrize("path", [GRACE_HOPPER, real_media_dir() / "astronaut.png"])
def test_a_real_portrait_gets_the_photo_model(path: Path) -> None:
    if not path.is_file():
        pytest.skip(f"{path} is absent (flowmark data fetch-real)")
    choice = choose_model(path, read_image(path))
    assert choice.photo and choice.model == PHOTO_MODEL_NAME
    assert choice.message("choose with --model") == (
        f"{path.name} looks like a photo: using {PHOTO_MODEL_NAME} (choose with --model)"
    )


@pytest.mark.parametrize("seed", [0, 3, 7])
def test_a_cartoon_face_gets_the_default(seed: int, tmp_path: Path) -> None:
    face = render_clip("faces", seed, seed + 1, 1, 256).frames[0]
    path = tmp_path / f"cartoon-{seed}.png"
    write_image(path, face)
    assert colour_count(face) < PHOTO_MIN_COLOURS  # flat-shaded
    choice = choose_model(path, read_image(path))
    assert not choice.photo and choice.model == DEFAULT_MODEL_NAME
    assert "does not look like a photo" in choice.reason


def test_the_bundled_sample_drawing_gets_the_default() -> None:
    choice = choose_model(sample_source(), read_image(sample_source()))
    assert not choice.photo and choice.model == DEFAULT_MODEL_NAME


def test_photo_is_decided_by_sample_colours_and_face(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    noisy = np.random.default_rng(0).integers(0, 256, (256, 256, 3), dtype=np.uint8)
    photo = tmp_path / "portrait.png"
    assert colour_count(noisy) >= PHOTO_MIN_COLOURS
    monkeypatch.setattr(source_kind, "_face_found", lambda image: True)
    assert looks_like_real_photo(photo, noisy)
    assert not looks_like_real_photo(sample_source(), noisy)  # the sample is never a photo
    monkeypatch.setattr(source_kind, "_face_found", lambda image: False)
    assert not looks_like_real_photo(photo, noisy)  # no face found


def test_without_the_photo_model_a_photo_gets_the_default_and_is_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(source_kind, "photo_model_name", lambda: DEFAULT_MODEL_NAME)
    choice = choice_for_kind("face.jpg", True)
    assert choice.photo and choice.model == DEFAULT_MODEL_NAME
    assert f"{PHOTO_MODEL_NAME} is not installed" in choice.reason
