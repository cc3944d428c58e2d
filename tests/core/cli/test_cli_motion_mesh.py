"""`flowmark animate --motion mesh` and `--motion hybrid`: the options, their refusals and the
no-face error (exit 2)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from flowmark_core.cli.main import build_parser, main
from flowmark_core.metrics.reference_mesh import mediapipe_available
from tests.portraits import grace_hopper_path


def _args(*extra: str) -> list[str]:
    return ["animate", "s.png", "d.mp4", "-o", "o.mp4", *extra]


def test_motion_defaults_to_auto_and_accepts_each_motion() -> None:
    parser = build_parser()
    assert parser.parse_args(_args()).motion == "auto"
    assert parser.parse_args(_args("--motion", "keypoints")).motion == "keypoints"
    assert parser.parse_args(_args("--motion", "mesh")).motion == "mesh"
    assert parser.parse_args(_args("--motion", "hybrid")).motion == "hybrid"
    with pytest.raises(SystemExit) as stop:
        parser.parse_args(_args("--motion", "landmarks"))
    assert stop.value.code == 2


@pytest.mark.parametrize(
    ("motion", "extra", "named"),
    [("mesh", ("--crop",), "--crop"), ("mesh", ("--mode", "absolute"), "--mode absolute"),
     ("mesh", ("--stabilize", "one-euro"), "--stabilize one-euro"),
     ("hybrid", ("--size", "256"), "--size")],
)  # fmt: skip
def test_options_a_motion_does_not_use_are_refused(media, capsys, motion, extra, named) -> None:
    out = media["root"] / "refused.mp4"
    code = main(["animate", str(media["source"]), str(media["driving"]), "-o", str(out),
                 "--motion", motion, *extra])  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert named in err[0] and f"--motion {motion}" in err[0]
    assert not out.exists()


def test_a_source_without_a_face_exits_2_naming_the_file(media, capsys) -> None:
    why = mediapipe_available()
    if why is not None:
        pytest.skip(why)
    out = media["root"] / "noface.mp4"
    code = main(["animate", str(media["source"]), str(media["driving"]), "-o", str(out),
                 "--motion", "mesh"])  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert str(media["source"]) in err[0] and "needs a face" in err[0]
    assert not out.exists()


def test_a_portrait_is_animated_by_a_face_clip(tmp_path: Path) -> None:
    why = mediapipe_available()
    if why is not None:
        pytest.skip(why)
    photo = grace_hopper_path()
    from flowmark_core.io.video_reader import open_video
    from flowmark_core.io.video_writer import VideoWriter

    image = cv2.imread(str(photo))[:, :, ::-1]
    source = tmp_path / "portrait.png"
    cv2.imwrite(str(source), cv2.resize(image[:400], (160, 124))[:, :, ::-1])
    driving = tmp_path / "driving.mp4"
    with VideoWriter(driving, fps=10) as writer:
        for t in range(5):  # the photo shifting sideways: the head moves
            writer.write(np.ascontiguousarray(np.roll(image[:480, :480], 4 * t, axis=1)))
    out = tmp_path / "out.mp4"
    assert main(["animate", str(source), str(driving), "-o", str(out), "--motion", "mesh"]) == 0
    frames = list(open_video(out))
    assert len(frames) == 5 and frames[0].shape[:2] == (124, 160)


def test_hybrid_needs_a_face_in_the_source(media, capsys) -> None:
    why = mediapipe_available()
    if why is not None:
        pytest.skip(why)
    out = media["root"] / "noface-hybrid.mp4"
    code = main(["animate", str(media["source"]), str(media["driving"]), "-o", str(out),
                 "--motion", "hybrid"])  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and sum("error" in line for line in err) == 1  # after the model's note
    assert str(media["source"]) in err[-1] and "--motion hybrid" in err[-1]
    assert not out.exists()


def test_a_portrait_is_animated_by_the_model_and_the_mesh(tmp_path: Path) -> None:
    why = mediapipe_available()
    if why is not None:
        pytest.skip(why)
    from flowmark_core.io.video_reader import open_video
    from flowmark_core.io.video_writer import VideoWriter

    image = cv2.imread(str(grace_hopper_path()))[:, :, ::-1]
    source = tmp_path / "portrait.png"
    cv2.imwrite(str(source), cv2.resize(image[:400], (160, 124))[:, :, ::-1])
    driving = tmp_path / "driving.mp4"
    with VideoWriter(driving, fps=10) as writer:
        for t in range(4):
            writer.write(np.ascontiguousarray(np.roll(image[:480, :480], 4 * t, axis=1)))
    out = tmp_path / "out.mp4"
    code = main(["animate", str(source), str(driving), "-o", str(out), "--motion", "hybrid"])
    assert code == 0
    frames = list(open_video(out))
    assert len(frames) == 4 and frames[0].shape[:2] == (124, 124)  # its centred square
