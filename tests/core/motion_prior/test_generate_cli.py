"""`flowmark generate` end to end: frame count and size, grid / separate files, seeds,
the bad-input rules (one line, exit 2, nothing written)."""

from pathlib import Path

import numpy as np
import pytest

from flowmark_core.cli.main import main
from flowmark_core.io.images import read_image, write_image
from flowmark_core.io.video_reader import open_video
from flowmark_core.resources import sample_source


@pytest.fixture(scope="module")
def still(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("still") / "face.png"
    write_image(path, (np.random.default_rng(0).random((70, 90, 3)) * 255).astype(np.uint8))
    return path


def _frames(path: Path) -> list[np.ndarray]:
    return [np.asarray(f) for f in open_video(path)]


def _generate(image: Path, out: Path, model: Path, *extra: str) -> int:
    """`flowmark generate IMAGE -o OUT --model MODEL [extra]`; the exit status."""
    return main(["generate", str(image), "-o", str(out), "--model", str(model), *extra])


def test_grid_of_samples_has_the_right_length_and_size(
    generation_files: dict[str, Path], still: Path, tmp_path: Path
) -> None:
    out = tmp_path / "g.mp4"
    assert _generate(still, out, generation_files["model"], "--frames", "6", "--samples", "4") == 0
    frames = _frames(out)
    assert len(frames) == 6 and frames[0].shape == (128, 128, 3)  # 2 x 2 grid of 64 px


def test_separate_files_and_gif(
    generation_files: dict[str, Path], still: Path, tmp_path: Path
) -> None:
    out = tmp_path / "s.gif"
    prior = ["--prior", str(generation_files["prior"]), "--frames", "3", "--samples", "2"]
    strip = ["--strip", str(tmp_path / "sheet.png"), "--strip-every", "2"]
    code = _generate(still, out, generation_files["model"], *prior, "--separate", *strip)
    assert code == 0
    assert not out.exists()
    sheet = read_image(tmp_path / "sheet.png")  # 2 samples x frames 0 and 2, 2 px gaps
    assert sheet.shape == (2 * 64 + 2, 2 * 64 + 2, 3)
    for name in ("s-1.gif", "s-2.gif"):
        frames = _frames(tmp_path / name)
        assert len(frames) == 3 and frames[0].shape == (64, 64, 3)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--frames", "0"], "--frames: expected an integer in 2..257, got 0"),
        (["--frames", "100000"], "--frames: expected an integer in 2..257, got 100000"),
        (["--samples", "0"], "--samples: expected an integer in 1..16, got 0"),
    ],
)
def test_bad_numbers_are_one_line_exit_2(
    generation_files: dict[str, Path],
    still: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    out = tmp_path / "bad.mp4"
    code = _generate(still, out, generation_files["model"], *extra)
    err = capsys.readouterr().err.strip()
    assert code == 2 and message in err and len(err.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_video_is_not_an_image(
    generation_files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"not decoded: the extension decides")
    code = _generate(video, tmp_path / "o.mp4", generation_files["model"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "is a video" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "o.mp4").exists()


def test_prior_for_another_keypoint_count(
    generation_files: dict[str, Path],
    still: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "o.mp4"
    code = _generate(
        still, out, generation_files["model"], "--prior", str(generation_files["other_prior"])
    )
    err = capsys.readouterr().err.strip()
    assert code == 2 and "trained for 3 keypoints" in err and "has 4" in err
    assert len(err.splitlines()) == 1 and not out.exists()


def test_bundled_sample_out_of_the_box(tmp_path: Path) -> None:
    """The default model ships with its prior: no --model, no --prior."""
    out = tmp_path / "out.mp4"
    assert (
        main(["generate", str(sample_source()), "-o", str(out), "--frames", "5", "--seed", "3"])
        == 0
    )
    frames = _frames(out)
    assert len(frames) == 5 and frames[0].shape == (128, 128, 3)
