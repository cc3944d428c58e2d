"""`flowmark data synth --family faces-photo` with portraits in which no face is found."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from flowmark_core.cli.main import main
from flowmark_core.data.synthetic.face_mesh_fit import PORTRAITS, portrait_faces
from flowmark_core.metrics.reference_mesh import mediapipe_available


def test_portraits_without_a_face_are_one_line_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    why = mediapipe_available()
    if why is not None:
        pytest.skip(why)
    cache = tmp_path / "media"
    cache.mkdir()
    rng = np.random.default_rng(0)
    for name in PORTRAITS:  # noise "portraits": the face mesh finds nothing in them
        cv2.imwrite(str(cache / name), (rng.random((96, 96, 3)) * 255).astype(np.uint8))
    monkeypatch.setenv("FLOWMARK_REAL_MEDIA", str(cache))
    portrait_faces.cache_clear()  # meshed once per process: forget the real portraits
    out = tmp_path / "set"
    try:
        args = ["data", "synth", "--family", "faces-photo", str(out), "--videos", "2"]
        code = main([*args, "--frames", "4", "--size", "64"])
    finally:
        portrait_faces.cache_clear()  # the next test meshes the real portraits again
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and "no face found" in err[0], err
    assert not out.exists()
