"""With no --model, the commands that animate a source image pick the bundled model for it
(the photo model for a real photo, the default for a drawing) and say so in one note line;
an explicit --model always wins. `generate` keeps a model whose motion prior is bundled."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

from flowmark_core.cli.generate_cmd import model_with_prior_for
from flowmark_core.cli.main import main
from flowmark_core.data.synthetic import render_clip
from flowmark_core.io.images import read_image, write_image
from flowmark_core.io.video_reader import open_video
from flowmark_core.io.video_writer import VideoWriter
from flowmark_core.resources import DEFAULT_MODEL_NAME, PHOTO_MODEL_NAME, bundled_models

GRACE_HOPPER = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
HINT = "(choose with --model)"


@pytest.fixture(autouse=True)
def both_models_bundled() -> None:
    if not {DEFAULT_MODEL_NAME, PHOTO_MODEL_NAME} <= set(bundled_models()):
        pytest.skip(f"{DEFAULT_MODEL_NAME} and {PHOTO_MODEL_NAME} are not both bundled")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A real portrait, a cartoon face and a 3-frame driving clip of cartoon faces."""
    root = tmp_path_factory.mktemp("choice")
    clip = render_clip("faces", 7, 8, 3, 128).frames
    write_image(root / "cartoon.png", render_clip("faces", 3, 4, 1, 256).frames[0])
    write_image(root / "portrait.png", read_image(GRACE_HOPPER))
    with VideoWriter(root / "drive.mp4", fps=10) as writer:
        for frame in clip:
            writer.write(frame)
    return {
        "photo": root / "portrait.png",
        "cartoon": root / "cartoon.png",
        "driving": root / "drive.mp4",
    }


def _notes(err: str) -> list[str]:
    return [line for line in err.splitlines() if "flowmark: note: " in line and "using" in line]


def _animate(files: dict[str, Path], source: str, out: Path, *extra: str) -> int:
    argv = ["animate", str(files[source]), str(files["driving"]), "-o", str(out), "--size", "64"]
    return main([*argv, "--precision", "float32", *extra])


def test_animate_a_photo_without_model_uses_the_photo_model(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _animate(files, "photo", tmp_path / "out.mp4") == 0
    said = f"flowmark: note: portrait.png looks like a photo: using {PHOTO_MODEL_NAME} {HINT}"
    assert _notes(capsys.readouterr().err) == [said]
    assert len(list(open_video(tmp_path / "out.mp4"))) == 3


def test_animate_a_drawing_without_model_uses_the_default(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _animate(files, "cartoon", tmp_path / "out.mp4") == 0
    notes = _notes(capsys.readouterr().err)
    assert len(notes) == 1
    assert "cartoon.png does not look like a photo" in notes[0]
    assert notes[0].endswith(f"using {DEFAULT_MODEL_NAME} {HINT}")


def test_an_explicit_model_always_wins(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _animate(files, "photo", tmp_path / "out.mp4", "--model", DEFAULT_MODEL_NAME) == 0
    assert _notes(capsys.readouterr().err) == []


def test_parts_of_a_photo_use_the_photo_model(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["parts", str(files["photo"]), "-o", str(tmp_path / "parts.png")]) == 0
    notes = _notes(capsys.readouterr().err)
    assert notes == [
        f"flowmark: note: portrait.png looks like a photo: using {PHOTO_MODEL_NAME} {HINT}"
    ]


def test_reconstruct_chooses_by_the_first_frame(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "rec.mp4"
    assert (
        main(["reconstruct", str(files["driving"]), "-o", str(out), "--precision", "float32"]) == 0
    )
    notes = _notes(capsys.readouterr().err)
    assert len(notes) == 1 and "drive.mp4's first frame does not look like a photo" in notes[0]
    assert notes[0].endswith(f"using {DEFAULT_MODEL_NAME} {HINT}")


def test_help_says_how_the_model_is_chosen(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["animate", "--help"]) == 0
    text = "".join(capsys.readouterr().out.split())  # argparse may wrap at any hyphen
    assert f"chosenforSOURCE:{PHOTO_MODEL_NAME}" in text
    assert DEFAULT_MODEL_NAME in text


def test_generate_keeps_a_model_with_a_bundled_prior(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    photo = read_image(files["photo"])
    prior = bundled_models()[PHOTO_MODEL_NAME].parent / "priors" / f"{PHOTO_MODEL_NAME}.safetensors"
    if prior.is_file():
        assert model_with_prior_for(photo, str(files["photo"])) == PHOTO_MODEL_NAME
    else:
        assert model_with_prior_for(photo, str(files["photo"])) is None  # the default
        said = capsys.readouterr().err
        assert f"{PHOTO_MODEL_NAME} has no bundled motion prior: using {DEFAULT_MODEL_NAME}" in said
    cartoon = read_image(files["cartoon"])
    assert model_with_prior_for(cartoon, str(files["cartoon"])) is None
    assert capsys.readouterr().err == ""  # a drawing: the default, unsaid


def test_generate_uses_the_photo_model_once_its_prior_is_bundled(
    files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    models = tmp_path / "res" / "models"
    (models / "priors").mkdir(parents=True)
    for name in (DEFAULT_MODEL_NAME, PHOTO_MODEL_NAME):
        (models / f"{name}.safetensors").symlink_to(bundled_models()[name])
        (models / "priors" / f"{name}.safetensors").write_bytes(b"")  # only its presence counts
    monkeypatch.setenv("FLOWMARK_RESOURCES", str(tmp_path / "res"))
    photo = read_image(files["photo"])
    assert model_with_prior_for(photo, str(files["photo"])) == PHOTO_MODEL_NAME
