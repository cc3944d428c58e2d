"""`flowmark smooth`: known answers through the whole command; bad inputs are one line,
exit 2, nothing written, the input untouched."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from flowmark_core.cli.main import main
from flowmark_core.cli.smooth_cmd import FILTER_NAMES, FORMAT_NAMES
from flowmark_core.landmarks.formats import FORMATS, read_track
from flowmark_core.stabilize.track_smoothing import FILTERS
from tests.core.landmarks.conftest import TEXTURE_FRAMES, TEXTURE_SIZE, pose_json


def _line_track(frames: int = TEXTURE_FRAMES) -> np.ndarray:
    t = np.arange(frames, dtype=np.float64)[:, None]
    k = np.arange(33, dtype=np.float64)[None, :]
    return np.stack([10.0 + k + 0.5 * t, 20.0 + 0.25 * t + 0 * k], axis=-1)


def _write_pose(path: Path, points: np.ndarray) -> Path:
    path.write_text(json.dumps(pose_json(points, TEXTURE_SIZE)))
    return path


def test_choice_lists_match() -> None:
    assert (*FILTERS, "auto") == FILTER_NAMES
    assert FORMAT_NAMES == FORMATS


def test_savgol_keeps_a_line_and_writes_the_same_layout(texture_clip: Path, tmp_path: Path):
    src = _write_pose(tmp_path / "pose.json", _line_track())
    before = src.read_bytes()
    out = tmp_path / "pose.smooth.json"
    code = main(["smooth", str(texture_clip), str(src), "--filter", "savgol", "-o", str(out)])
    assert code == 0 and src.read_bytes() == before
    doc = json.loads(out.read_text())
    assert isinstance(doc, list) and doc[0]["landmarks"][0]["z"] == 0.1
    smoothed = read_track(out, frame_size=TEXTURE_SIZE)
    np.testing.assert_allclose(smoothed.points, _line_track(), atol=1e-3)


def test_savgol_lowers_noise(texture_clip: Path, tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    noise = rng.normal(0.0, 1.0, (TEXTURE_FRAMES, 33, 2))
    src = _write_pose(tmp_path / "pose.json", _line_track() + noise)
    out = tmp_path / "out.json"
    args = ["smooth", str(texture_clip), str(src), "--filter", "savgol", "-o", str(out)]
    assert main([*args, "--param", "window=9", "--param", "order=2"]) == 0
    left = read_track(out, frame_size=TEXTURE_SIZE).points - _line_track()
    inner = slice(4, TEXTURE_FRAMES - 4)  # full windows: the centre coefficients apply
    ratio = left[inner].std() / noise[inner].std()
    # A 9-point quadratic Savitzky-Golay fit keeps sqrt(13629)/231 = 0.505 of white noise.
    assert 0.44 < ratio < 0.57


def test_flow_offline_keeps_still_points_still(texture_clip: Path, tmp_path: Path) -> None:
    still = np.broadcast_to(_line_track()[:1], (TEXTURE_FRAMES, 33, 2)).copy()
    src = tmp_path / "still.csv"
    rows = ["frame,point,x,y"]
    rows += [f"{t},{k},{x},{y}" for t in range(TEXTURE_FRAMES) for k, (x, y) in enumerate(still[t])]
    src.write_text("\n".join(rows) + "\n")
    out = tmp_path / "still.smooth.csv"
    args = ["smooth", str(texture_clip), str(src), "--filter", "flow-offline", "-o", str(out)]
    assert main(args) == 0
    np.testing.assert_allclose(read_track(out).points, still, atol=0.05)


def test_match_by_timestamp(texture_clip: Path, tmp_path: Path) -> None:
    src = tmp_path / "t.csv"
    rows = ["frame,point,x,y,timestamp"]
    for row, stamp in enumerate((0.4, 0.44, 0.52)):  # frames 10, 11, 13 at 25 fps
        rows += [f"{row},a,{5 + row},7,{stamp}", f"{row},b,{9 + row},3,{stamp}"]
    src.write_text("\n".join(rows) + "\n")
    out = tmp_path / "o.csv"
    base = ["smooth", str(texture_clip), str(src), "--filter", "none", "-o", str(out)]
    assert main([*base, "--match", "timestamp"]) == 0
    np.testing.assert_allclose(read_track(out).points, read_track(src).points)


def _bad_cases(tmp: Path) -> list[tuple[Path, str]]:
    wrong = tmp / "wrong.json"
    doc = pose_json(_line_track(), TEXTURE_SIZE)
    for frame in doc:
        frame["landmarks"] = frame["landmarks"][:32]
    wrong.write_text(json.dumps(doc))
    nan_rows = tmp / "nan.csv"
    nan_rows.write_text("frame,point,x,y\n0,a,nan,nan\n1,a,,\n")
    too_long = tmp / "long.csv"
    too_long.write_text("frame,point,x,y\n0,a,1,2\n40,a,1,2\n")
    unknown = tmp / "track.xyz"
    unknown.write_text("1 2 3\n")
    other_size = tmp / "size.json"
    sized = {
        "image_width": 640,
        "image_height": 480,
        "frames": pose_json(_line_track(), (640, 480)),
    }
    other_size.write_text(json.dumps(sized))
    return [
        (wrong, "32 landmarks per frame; expected 468 or 478"),
        (nan_rows, "no landmark in any frame"),
        (too_long, "has rows up to frame 40 (2 rows) but the video has 30 frames"),
        (unknown, "unknown track format '.xyz'"),
        (other_size, "made on 640x480 frames but the video is 96x64"),
    ]


@pytest.mark.parametrize("case", range(5))
def test_bad_tracks_are_one_line_exit_2(texture_clip: Path, tmp_path: Path, capsys, case: int):
    track, message = _bad_cases(tmp_path)[case]
    out = tmp_path / f"out{track.suffix if track.suffix != '.xyz' else '.csv'}"
    before = track.read_bytes()
    code = main(["smooth", str(texture_clip), str(track), "--filter", "savgol", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1, err
    assert str(track) in err
    assert not out.exists() and track.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporaries


@pytest.mark.parametrize(
    ("extra", "out_name", "message"),
    [
        ([], "pose.json", "is the input file"),
        ([], "out.csv", "mediapipe-json track is written to a .json file"),
        (["--param", "window"], "o.json", "--param 'window': expected KEY=VALUE"),
        (["--param", "span=3"], "o.json", "no parameter 'span'"),
        (["--region-strength", "mouth=0.5"], "o.json", "no such group"),
    ],
)
def test_bad_options(texture_clip: Path, tmp_path: Path, capsys, extra, out_name, message):
    src = _write_pose(tmp_path / "pose.json", _line_track())
    before = src.read_bytes()
    out = tmp_path / out_name
    code = main(
        ["smooth", str(texture_clip), str(src), "--filter", "savgol", "-o", str(out), *extra]
    )
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1, err
    assert src.read_bytes() == before and (out == src or not out.exists())


def _table(noisy_filter: str, clean_filter: str) -> dict:
    def winner(name: str, params: dict) -> dict:
        return {"name": name, "params": params, "nmj_change": -0.4, "nme_change": 0.0, "lag": 0.5}

    features = {"noise": 1.0, "jumps": 1.0, "missing": 1.0, "flicker": 1.0}
    return {
        "feature_spread": {"noise": 0.01, "jumps": 0.05, "missing": 0.1, "flicker": 0.01},
        "splits": {
            "clean": {
                "condition": {**dict.fromkeys(features, 0.0)},
                "winner": winner(clean_filter, {"window": 5}),
                "winner_causal": winner("one-euro", {}),
            },
            "noisy": {
                "condition": {"noise": 0.05, "jumps": 0.0, "missing": 0.0, "flicker": 0.0},
                "winner": winner(noisy_filter, {"window": 9}),
                "winner_causal": winner("kalman", {}),
            },
        },
    }


def test_auto_takes_the_nearest_split_and_says_why(
    texture_clip: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    from flowmark_core.stabilize import auto

    monkeypatch.setattr(auto, "load_table", lambda: _table("savgol", "savgol"))
    src = _write_pose(tmp_path / "pose.json", _line_track())  # a clean line: the clean split
    out = tmp_path / "auto.json"
    assert main(["smooth", str(texture_clip), str(src), "--filter", "auto", "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert "auto chose savgol" in captured.err and "'clean' train split" in captured.err
    assert "with savgol (window=5)" in captured.out
    np.testing.assert_allclose(
        read_track(out, frame_size=TEXTURE_SIZE).points, _line_track(), atol=1e-3
    )
