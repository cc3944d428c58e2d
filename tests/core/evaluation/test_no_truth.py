"""`flowmark evaluate` on a folder of videos without ground truth, end to end."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from flowmark_core.cli.main import main
from flowmark_core.evaluation.no_truth import is_clip_folder
from flowmark_core.metrics.reference_follow import warped_still_path
from flowmark_core.metrics.reference_mesh import mediapipe_available
from tests.portraits import grace_hopper_path


def _clip_folder(dataset: Path, root: Path) -> Path:
    """The tiny data set's test videos as plain frame folders (no landmarks.npz)."""
    clips = root / "clips"
    for video in sorted((dataset / "test").iterdir()):
        shutil.copytree(video, clips / video.name, ignore=shutil.ignore_patterns("*.npz"))
    return clips


def test_folder_of_videos_is_scored_without_ground_truth(dataset, checkpoints, tmp_path) -> None:
    clips = _clip_folder(dataset, tmp_path)
    assert is_clip_folder(clips) and not is_clip_folder(dataset)
    out = tmp_path / "out"
    args = ["evaluate", str(clips), "--model", str(checkpoints[0]), "--stabilize", "none"]
    code = main([*args, "flow", "--max-frames", "6", "--no-reference", "-o", str(out)])
    assert code == 0
    data = json.loads((out / "results.json").read_text())
    assert [r["stabilizer"] for r in data["rows"]] == ["none", "flow"]
    for row in data["rows"]:
        assert row["videos"] == 2 and row["frames"] == 12
        for key in ("l1", "identity_l1", "flow_residual", "acceleration"):
            assert math.isfinite(row[key]), key
        assert row["nme"] is None and row["ref_nmj"] is None
    assert "reference" in data["skipped"] and "landmarks" in data["skipped"]
    assert data["options"]["protocol"] == "no-truth"


def test_an_empty_folder_is_one_line_error(tmp_path, capsys) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["evaluate", str(tmp_path / "empty"), "-o", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no videos found" in err[0]


def _hopper_clip(root: Path, frames: int) -> Path:
    """matplotlib's portrait warped along a smooth path, as one clip folder (skips without)."""
    why = mediapipe_available()
    if why is not None:
        pytest.skip(why)
    path = grace_hopper_path()
    image = cv2.resize(cv2.imread(str(path)), (256, 300), interpolation=cv2.INTER_AREA)
    folder = root / "clips" / "hopper"
    folder.mkdir(parents=True)
    for t, mat in enumerate(warped_still_path(frames, image.shape[:2], seed=2)):
        frame = cv2.warpAffine(image, mat, (256, 300), borderMode=cv2.BORDER_REFLECT)
        cv2.imwrite(str(folder / f"{t:04d}.png"), frame)
    return folder


def test_reference_scores_a_real_portrait_clip(checkpoints, tmp_path) -> None:
    """A portrait shipped with matplotlib, warped along a smooth path: ref metrics exist."""
    folder = _hopper_clip(tmp_path, 24)
    out = tmp_path / "out"
    code = main(["evaluate", str(folder.parent), "--model", str(checkpoints[0]), "-o", str(out)])
    assert code == 0
    row = json.loads((out / "results.json").read_text())["rows"][0]
    assert row["frames"] == 24
    for key in ("ref_nme", "ref_nmj", "ref_floor_nmj", "ref_acceleration"):
        assert row[key] is not None and np.isfinite(row[key]), key
    assert 0 < row["ref_floor_nmj"] < 0.03
    # A random-weights model follows the face poorly, but within a face's size.
    assert 0 < row["ref_nme"] < 1.0


def test_no_reference_crops_as_a_scored_run_does(checkpoints, tmp_path) -> None:
    """Switching the reference's scores off keeps the mesh's crop: same L1, same baseline."""
    folder = _hopper_clip(tmp_path, 6)
    rows, notes, skipped = [], [], []
    for extra in ([], ["--no-reference"]):
        out = tmp_path / f"out{len(extra)}"
        args = ["evaluate", str(folder.parent), "--model", str(checkpoints[0]), "-o", str(out)]
        assert main([*args, *extra]) == 0
        data = json.loads((out / "results.json").read_text())
        rows.append(data["rows"][0])
        notes.append(data["notes"])
        skipped.append(data["skipped"])
    assert notes[0] == notes[1]
    assert rows[0]["identity_l1"] == rows[1]["identity_l1"]
    assert rows[0]["l1"] == pytest.approx(rows[1]["l1"], abs=1e-7)
    assert "reference" not in skipped[0] and "switched off" in skipped[1]["reference"]
