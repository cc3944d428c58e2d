"""`flowmark data prepare` end to end on small clips the test makes from a real portrait."""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import numpy as np
import pytest

from flowmark_core.cli.main import main
from flowmark_core.io.video_writer import VideoWriter
from flowmark_core.metrics.reference_mesh import mediapipe_available
from tests.portraits import grace_hopper


def _portrait() -> np.ndarray:
    return grace_hopper()


def _shot(face: np.ndarray, background: tuple[int, int, int], t: int, scale: float) -> np.ndarray:
    frame = np.zeros((240, 320, 3), np.uint8)
    frame[:] = background
    small = cv2.resize(face, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    h, w = small.shape[:2]
    x = 40 + t  # the head moves right by a pixel a frame
    frame[10 : 10 + h, x : x + w] = small[: 240 - 10, : 320 - x]
    return frame


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    why = mediapipe_available()
    if why is not None:
        pytest.skip(why)
    face = _portrait()
    root = tmp_path_factory.mktemp("videos")
    rng = np.random.default_rng(0)
    for source, person in (("src-a", "ann"), ("src-b", "ben"), ("src-c", "cat"), ("src-d", "dan")):
        (root / source).mkdir()
        with VideoWriter(root / source / f"{person}#talk.mp4", fps=25) as writer:
            for t in range(36):  # shot 0: the face on grey
                writer.write(_shot(face, (120, 120, 120), t, 0.38))
            for t in range(36):  # shot 1: closer, on a green backdrop
                writer.write(_shot(face, (30, 160, 40), t, 0.42))
            for _ in range(36):  # shot 2: no face at all
                noise = rng.integers(0, 255, (30, 40, 3), dtype=np.uint8)
                writer.write(cv2.resize(noise, (320, 240), interpolation=cv2.INTER_CUBIC))
    return root


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_prepare_cuts_shots_boxes_them_and_splits_by_source(
    clips: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "set"
    args = ["data", "prepare", str(clips), "-o", str(out), "--size", "64"]
    args += ["--test-sources", "src-a", "--min-test-sources", "1"]
    assert main(args) == 0
    rows = _rows(out / "manifest.tsv")
    # Two face shots per video kept, cut where the backdrop changes, one fixed box each.
    assert len(rows) == 8
    for row in rows:
        assert (int(row["start"]), int(row["end"])) in ((0, 36), (36, 72))
        frames = sorted((out / row["split"] / row["clip"]).glob("*.png"))
        assert len(frames) == 36
        assert cv2.imread(str(frames[0])).shape == (64, 64, 3)
    by_video: dict[str, set[tuple[str, str, str]]] = {}
    for row in rows:
        by_video.setdefault(row["video"] + row["shot"], set()).add(
            (row["box_x"], row["box_y"], row["box_side"])
        )
    assert all(len(boxes) == 1 for boxes in by_video.values())
    # The box leaves room for the 35 px the head moves: the face stays inside.
    for row in rows:
        assert float(row["face_fraction"]) == 1.0
        assert int(row["box_side"]) >= float(row["face_side"]) + 35
    splits = {row["identity"]: row["split"] for row in rows}
    assert splits == {"ann": "test", "ben": "train", "cat": "train", "dan": "train"}
    assert sorted(p.name.split("#")[0] for p in (out / "test").iterdir()) == ["ann", "ann"]
    skipped = _rows(out / "skipped.tsv")
    assert len(skipped) == 4 and all(r["reason"].startswith("face in 0%") for r in skipped)
    assert (
        "wrote 6 train clips (216 frames) and 2 test clips (72 frames)" in capsys.readouterr().err
    )

    # A rerun resumes: nothing is redone.
    assert main(args) == 0
    assert "(4 video(s) already done)" in capsys.readouterr().err
    assert _rows(out / "manifest.tsv") == rows

    # Other settings on the same folder: one line, exit 2, nothing changed.
    assert main([*args, "--min-frames", "20"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "prepared with other settings" in err[0] and "rules" in err[0]
    assert _rows(out / "manifest.tsv") == rows


def test_bad_inputs_are_one_line_exit_2_and_write_nothing(
    clips: Path, tmp_path: Path, capsys
) -> None:
    missing = tmp_path / "nope"
    assert main(["data", "prepare", str(missing), "-o", str(tmp_path / "a")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nope: no such file or folder" in err[0]
    assert not (tmp_path / "a").exists()

    text = tmp_path / "notes.txt"
    text.write_text("hello")
    assert main(["data", "prepare", str(text), "-o", str(tmp_path / "b")]) == 2
    assert "not a video" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()

    mixed = tmp_path / "mixed"
    mixed.mkdir()
    for source in ("src-a", "src-b", "src-c", "src-d"):
        (mixed / source).symlink_to(clips / source)
    (mixed / "src-e").mkdir()
    (mixed / "src-e" / "cut.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 not really a video")
    out = tmp_path / "c"
    assert main(["data", "prepare", str(mixed), "-o", str(out), "--size", "64"]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if "cut.mp4" in line]
    assert len(lines) == 1 and lines[0].startswith("flowmark: skipped: ")
    assert len(_rows(out / "manifest.tsv")) == 8

    broken = tmp_path / "broken"
    for source in ("s1", "s2"):
        (broken / source).mkdir(parents=True)
        (broken / source / "cut.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 not a video")
    out = tmp_path / "d"
    assert main(["data", "prepare", str(broken), "-o", str(out), "--min-test-sources", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert sum("skipped:" in line for line in err) == 2
    assert "no clip was kept from 2 video(s)" in err[-1]
    assert not list(out.glob("*/*"))

    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "mine.txt").write_text("keep")
    assert main(["data", "prepare", str(clips), "-o", str(occupied)]) == 2
    assert "not made by `flowmark data prepare`" in capsys.readouterr().err
    assert (occupied / "mine.txt").read_text() == "keep"

    assert main(["data", "prepare", str(clips), "-o", str(clips / "src-a" / "out")]) == 2
    assert "must not be inside the input" in capsys.readouterr().err
