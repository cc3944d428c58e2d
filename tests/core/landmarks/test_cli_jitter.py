"""`flowmark jitter`: the noisy points are found, filters are scored, JSON and PNG written."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from flowmark_core.cli.main import main
from flowmark_core.landmarks.jitter_report import (
    high_frequency,
    peak_frames,
    point_acceleration,
    point_jitter,
    worst_points,
)
from tests.core.landmarks.conftest import TEXTURE_FRAMES

NOISY = (3, 7)


def _track(tmp_path: Path) -> Path:
    rng = np.random.default_rng(5)
    points = np.zeros((TEXTURE_FRAMES, 10, 2))
    points[:] = np.stack([np.linspace(10, 80, 10), np.full(10, 30.0)], axis=-1)
    for k, std in zip(NOISY, (2.0, 1.0)):
        points[:, k] += rng.normal(0.0, std, (TEXTURE_FRAMES, 2))
    rows = ["frame,point,x,y"]
    rows += [
        f"{t},p{k},{x:.4f},{y:.4f}"
        for t in range(TEXTURE_FRAMES)
        for k, (x, y) in enumerate(points[t])
    ]
    path = tmp_path / "track.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_point_acceleration_known_answer() -> None:
    t = np.arange(6, dtype=float)
    pts = np.stack([np.stack([t**2, 0 * t], -1), np.stack([t, t], -1)], axis=1)  # (6, 2, 2)
    np.testing.assert_allclose(point_acceleration(pts), [2.0, 0.0])


def test_smooth_motion_is_not_jitter() -> None:
    """A point on a parabola (fast, smooth) has no jitter; a still noisy one has its noise;
    a one-frame spike is found at its frame."""
    rng = np.random.default_rng(2)
    t = np.arange(60, dtype=float)
    pts = np.zeros((60, 3, 2))
    pts[:, 0, 0] = 0.05 * t**2  # accelerating smoothly
    pts[:, 1] = rng.normal(0.0, 1.0, (60, 2))
    pts[:, 2] = 5.0
    pts[30, 2, 0] += 4.0
    residual = high_frequency(pts, fps=25.0)
    jitter = point_jitter(residual)
    assert jitter[0] < 1e-6
    # white noise minus its 9-frame quadratic fit keeps about 1 - 0.255 of its variance
    assert 0.7 < jitter[1] / np.sqrt(2.0) < 1.0
    assert point_acceleration(pts)[0] > 0.09
    assert worst_points(jitter, 3) == [1, 2, 0]
    assert peak_frames(residual, [2]) == [30]


def test_report_and_plot(texture_clip: Path, tmp_path: Path, capsys) -> None:
    track = _track(tmp_path)
    out = tmp_path / "report.json"
    args = ["jitter", str(texture_clip), str(track), "--compare", "savgol,kalman", "-o", str(out)]
    assert main([*args, "--param", "savgol:window=7"]) == 0
    printed = capsys.readouterr().out
    assert "savgol" in printed and f"wrote {out}" in printed
    report = json.loads(out.read_text())
    assert list(report["filters"]) == ["none", "savgol", "kalman"]
    assert report["filters"]["savgol"]["params"] == {"window": 7, "order": 2}  # given + default
    assert [p["name"] for p in report["worst_points"][:2]] == ["p3", "p7"]
    assert report["worst_points"][2]["jitter_px"] == pytest.approx(0.0, abs=1e-4)
    raw = report["filters"]["none"]["metrics"]["all"]
    smooth = report["filters"]["savgol"]["metrics"]["all"]
    assert raw["lag"] == pytest.approx(0.0, abs=1e-9)
    assert smooth["acceleration"] < 0.5 * raw["acceleration"]
    assert smooth["nmj"] < raw["nmj"]
    png = out.with_suffix(".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and report["plot"] == "report.png"


@pytest.mark.parametrize(
    ("extra", "name", "message"),
    [
        (["--compare", "savgol,median"], "r.json", "--compare 'median': unknown filter"),
        (["--compare", "savgol"], "r.txt", "expected a .json report file"),
        (["--param", "median:window=3"], "r.json", "FILTER one of"),
        (["--param", "kalman:window=3"], "r.json", "filter 'kalman' has no parameter 'window'"),
    ],
)
def test_bad_options(texture_clip: Path, tmp_path: Path, capsys, extra, name, message) -> None:
    track = _track(tmp_path)
    out = tmp_path / name
    code = main(["jitter", str(texture_clip), str(track), "-o", str(out), *extra])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1, err
    assert not out.exists() and not out.with_suffix(".png").exists()
