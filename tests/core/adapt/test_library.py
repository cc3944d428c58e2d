"""The model library: where it is, what it lists, and adaptations that
hold frames out for a score, cancel without keeping, or stop too early to keep."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowmark_core.adapt import library
from flowmark_core.adapt.library import (
    LIBRARY_ENV,
    library_dir,
    library_models,
    new_model_path,
    platform_data_dir,
)
from flowmark_core.adapt.session import AdaptRequest, adapt_video
from flowmark_core.checkpoints import load_model
from flowmark_core.cli.main import main
from flowmark_core.data.synthetic import render_clip
from flowmark_core.errors import Cancelled
from tests.core.adapt.conftest import write_frames


@pytest.fixture(scope="module")
def take(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """28 frames: 20 to learn from, the last 8 held out."""
    clip = render_clip("faces", 21, 22, 28, 64)
    return write_frames(tmp_path_factory.mktemp("take") / "take", clip.frames)


def _request(take: Path, model: Path, out: Path, **kw: object) -> AdaptRequest:
    base = {"model": str(model), "steps": 3, "seconds": None, "face_crop": False}
    return AdaptRequest(take, out, **{**base, **kw})  # type: ignore[arg-type]


def test_the_library_folder_follows_the_platform_rules(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(LIBRARY_ENV, raising=False)
    monkeypatch.setattr(library.sys, "platform", "linux")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert platform_data_dir() == tmp_path / "data" / "flowmark" / "flowmark-gui"
    assert library_dir() == tmp_path / "data" / "flowmark" / "flowmark-gui" / "models"
    assert library_dir(tmp_path / "qt") == tmp_path / "qt" / "models"  # the app's own path
    monkeypatch.setenv(LIBRARY_ENV, str(tmp_path / "shared"))
    assert library_dir(tmp_path / "qt") == tmp_path / "shared"


def test_new_names_never_take_an_existing_file(tmp_path: Path) -> None:
    first = new_model_path(tmp_path, "Anna's take")
    assert first.name == "anna-s-take.safetensors"
    first.write_bytes(b"taken")
    assert new_model_path(tmp_path, "Anna's take").name == "anna-s-take-2.safetensors"


def test_an_adaptation_with_held_out_frames_is_scored_and_listed(
    tiny_model: Path, take: Path, tmp_path: Path
) -> None:
    out = new_model_path(tmp_path, "Anna")
    result = adapt_video(_request(take, tiny_model, out, held_out=8, name="Anna", person="Anna"))
    assert result.kept and result.frames == 20
    assert result.held_out_l1 is not None and result.base_l1 is not None
    assert result.held_out_l1 > 0 and result.base_l1 > 0
    (entry,) = library_models(tmp_path)
    assert (entry.name, entry.person, entry.steps, entry.take) == ("Anna", "Anna", 3, "take")
    assert entry.held_out_l1 == pytest.approx(result.held_out_l1)
    assert any("held-out error" in line for line in entry.card_lines())
    load_model(entry.path)


def test_cancel_keeps_nothing(tiny_model: Path, take: Path, tmp_path: Path) -> None:
    steps: list[int] = []
    with pytest.raises(Cancelled):
        adapt_video(
            _request(take, tiny_model, tmp_path / "x.safetensors", steps=50),
            on_step=lambda step, _s, _f: steps.append(step),
            should_cancel=lambda: len(steps) >= 2,
        )
    assert steps == [1, 2] and list(tmp_path.iterdir()) == []


def test_stop_and_keep_below_the_minimum_keeps_nothing(
    tiny_model: Path, take: Path, tmp_path: Path
) -> None:
    steps: list[int] = []
    result = adapt_video(
        _request(take, tiny_model, tmp_path / "x.safetensors", steps=50, min_steps=10),
        on_step=lambda step, _s, _f: steps.append(step),
        should_stop=lambda: len(steps) >= 2,
    )
    assert not result.kept and result.steps == 2
    assert "fewer than the 10" in result.note and list(tmp_path.iterdir()) == []


def test_held_out_frames_need_a_long_enough_take(
    tiny_model: Path, take: Path, tmp_path: Path
) -> None:
    with pytest.raises(Exception, match="too short to keep its last 20 frames"):
        adapt_video(_request(take, tiny_model, tmp_path / "x.safetensors", held_out=20))


def test_flowmark_adapt_saves_to_the_library_without_o(
    tiny_model: Path,
    take: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "library"
    monkeypatch.setenv(LIBRARY_ENV, str(folder))
    args = ["adapt", str(take), "--model", str(tiny_model), "--steps", "2", "--no-face-crop"]
    assert main([*args, "--name", "Bo", "--held-out", "8"]) == 0
    out = capsys.readouterr().out
    assert str(folder / "bo.safetensors") in out and "held-out error" in out
    assert [m.name for m in library_models(folder)] == ["Bo"]
