"""DeepLabCut CSV: single- and multi-animal headers, likelihood, empty cells missing."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from flowmark_core.landmarks.formats import detect_format, read_track, write_track

SINGLE = """scorer,DLC_resnet50,DLC_resnet50,DLC_resnet50,DLC_resnet50,DLC_resnet50,DLC_resnet50
bodyparts,snout,snout,snout,tail,tail,tail
coords,x,y,likelihood,x,y,likelihood
0,10.0,20.0,0.99,30.0,40.0,0.5
1,11.0,21.0,0.98,,,0.01
"""
MULTI = """scorer,S,S,S,S,S,S
individuals,mouse1,mouse1,mouse1,mouse2,mouse2,mouse2
bodyparts,snout,snout,snout,snout,snout,snout
coords,x,y,likelihood,x,y,likelihood
0,1.0,2.0,0.9,5.0,6.0,0.8
"""


def test_single_animal_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "videoDLC.csv"
    path.write_text(SINGLE)
    assert detect_format(path) == "deeplabcut"
    track = read_track(path)
    assert track.names == ("snout", "tail")
    assert track.points[0].tolist() == [[10.0, 20.0], [30.0, 40.0]]
    assert np.isnan(track.points[1, 1]).all()
    np.testing.assert_allclose(track.confidence, [[0.99, 0.5], [0.98, 0.01]])
    out = tmp_path / "smoothed.csv"
    write_track(track.with_points(track.points + 1.0), out)
    lines = out.read_text().splitlines()
    assert lines[:3] == SINGLE.splitlines()[:3]
    assert lines[4] == "1,12.0000,22.0000,0.98,,,0.01"
    np.testing.assert_allclose(read_track(out).points, track.points + 1.0)


def test_multi_animal_groups(tmp_path: Path) -> None:
    path = tmp_path / "ma.csv"
    path.write_text(MULTI)
    track = read_track(path)
    assert track.names == ("mouse1/snout", "mouse2/snout")
    assert track.groups == {"mouse1": (0,), "mouse2": (1,)}
    assert track.points[0, 1].tolist() == [5.0, 6.0]
