"""Format detection and the one-line errors of unknown or unreadable inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowmark_core.errors import InputFileError, OutputFileError
from flowmark_core.landmarks.formats import (
    FORMATS,
    check_output,
    detect_format,
    output_format,
    read_track,
)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("t.xyz", "1,2", "unknown track format '.xyz'"),
        ("t.csv", "a,b,c\n1,2,3\n", "matches no known track layout"),
        ("t.json", '{"a": 1}', "neither MediaPipe landmarks nor OpenPose"),
        ("t.json", "{", "is not valid JSON"),
        ("t.h5", "", "not read"),
    ],
)
def test_unknown_inputs(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputFileError, match=message) as info:
        detect_format(path)
    assert "\n" not in str(info.value)


def test_unknown_format_name_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="--format 'dlib': unknown"):
        read_track(tmp_path / "x.csv", format="dlib")
    with pytest.raises(InputFileError, match="no such file"):
        read_track(tmp_path / "x.csv")
    assert "openface" in FORMATS and "mediapipe-json" in FORMATS


def test_output_rules(tmp_path: Path) -> None:
    assert output_format(tmp_path / "a.JSON") == "mediapipe-json"
    with pytest.raises(OutputFileError, match=r"expected a \.csv, \.json or \.npz"):
        output_format(tmp_path / "a.txt")
    with pytest.raises(OutputFileError, match="openface track is written to a .csv"):
        check_output(tmp_path / "a.json", "openface")
