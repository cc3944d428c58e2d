"""`--stabilizer-param KEY=VALUE`: reaches the stabiliser; bad items are one-line errors."""

from pathlib import Path

import numpy as np
import pytest

from flowmark_core.cli.main import main


def _keypoints(media: dict[str, Path], out: Path, *extra: str) -> int:
    args = ["keypoints", str(media["driving"]), "-o", str(out), "--model", str(media["model"])]
    return main([*args, *extra])


def test_a_parameter_reaches_the_stabilizer(media: dict[str, Path], tmp_path: Path) -> None:
    default, sharp = tmp_path / "default.npz", tmp_path / "sharp.npz"
    assert _keypoints(media, default, "--stabilize", "one-euro") == 0
    # A cutoff far above the frame rate makes One Euro pass the detections through unchanged.
    args = ["--stabilize", "one-euro", "--stabilizer-param", "min_cutoff=1e9"]
    assert _keypoints(media, sharp, *args, "--stabilizer-param", "beta=0") == 0
    a, b = np.load(default), np.load(sharp)
    np.testing.assert_array_equal(a["raw"], b["raw"])
    np.testing.assert_allclose(b["stable"], b["raw"], atol=1e-4)
    assert np.abs(a["stable"] - a["raw"]).max() > 1e-3  # the default setting does smooth
    assert tuple(a["video_size"]) == (80, 80)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--stabilizer-param", "process_noise"], "expected KEY=VALUE"),
        (["--stabilize", "flow", "--stabilizer-param", "gate=wide"], "expected a number"),
        (["--stabilize", "flow", "--stabilizer-param", "gate=nan"], "finite"),
        (["--stabilizer-param", "gate=2"], "has no parameter 'gate'; it takes no parameters"),
        (["--stabilize", "flow", "--stabilizer-param", "nosuch=1"], "allowed: measurement_noise"),
        (["--stabilize", "flow", "--stabilizer-param", "gate=-1"], "gate must be > 0"),
    ],
)
def test_bad_parameters_are_one_line_errors(
    media: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], extra, message
) -> None:
    out = tmp_path / "t.npz"
    assert _keypoints(media, out, *extra) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
    assert not out.exists()
