"""`flowmark` end to end on small media: outputs exist with the right frame count and size."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from flowmark_core.cli.main import main
from flowmark_core.io.video_reader import open_video


def test_animate_writes_every_frame_at_source_size(media: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    code = main(
        [
            "animate",
            str(media["source"]),
            str(media["driving"]),
            "-o",
            str(out),
            "--model",
            str(media["model"]),
            "--stabilize",
            "flow",
            "--adapt-scale",
        ]
    )
    assert code == 0
    video = open_video(out)
    frames = list(video)
    # Default: the source's size (80 px; the 64 px model's motion at full resolution).
    assert len(frames) == 9 and frames[0].shape == (80, 80, 3)
    assert abs(video.fps - 12) < 0.01


def test_animate_gif_with_size_and_find_best_frame(media: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out.gif"
    code = main(
        [
            "animate",
            str(media["source"]),
            str(media["driving"]),
            "-o",
            str(out),
            "--model",
            str(media["model"]),
            "--find-best-frame",
            "--size",
            "96",
            "--mode",
            "absolute",
            "--precision",
            "float32",
        ]
    )
    assert code == 0
    frames = list(open_video(out))
    assert len(frames) == 9 and frames[0].shape == (96, 96, 3)


def test_reconstruct_keypoints_parts(media: dict[str, Path], tmp_path: Path) -> None:
    assert (
        main(
            [
                "reconstruct",
                str(media["driving"]),
                "-o",
                str(tmp_path / "r.mp4"),
                "--model",
                str(media["model"]),
            ]
        )
        == 0
    )
    assert len(list(open_video(tmp_path / "r.mp4"))) == 9
    track = tmp_path / "t.npz"
    assert (
        main(
            [
                "keypoints",
                str(media["driving"]),
                "-o",
                str(track),
                "--model",
                str(media["model"]),
                "--stabilize",
                "one-euro",
            ]
        )
        == 0
    )
    data = np.load(track)
    assert data["raw"].shape == (9, 4, 2) and data["stable"].shape == (9, 4, 2)
    assert data["jacobian_raw"].shape == (9, 4, 2, 2)
    assert int(data["image_size"]) == 64 and abs(float(data["fps"]) - 12) < 0.01
    assert (data["raw"] >= 0).all() and (data["raw"] <= 63).all()
    parts = tmp_path / "parts.png"
    assert (
        main(["parts", str(media["source"]), "-o", str(parts), "--model", str(media["model"])]) == 0
    )
    assert parts.stat().st_size > 1000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["animate", "{driving}", "{driving}", "-o", "{out}"], "SOURCE .*expected an image"),
        (["animate", "{source}", "{source}", "-o", "{out}"], "DRIVING .*expected a video"),
        (["animate", "{source}", "{driving}", "-o", "{tmp}/x.avi2"], "unknown output extension"),
        (["animate", "{source}", "{tmp}/missing.mp4", "-o", "{out}"], "missing.mp4"),
        (
            [
                "animate",
                "{source}",
                "{driving}",
                "-o",
                "{out}",
                "--model",
                "{tmp}/nope.safetensors",
            ],
            "nope.safetensors",
        ),
        (["animate", "{source}", "{driving}", "-o", "{tmp}/no/such/dir/o.mp4"], "does not exist"),
        (["keypoints", "{driving}", "-o", "{tmp}/t.txt"], "expected an .npz"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    media: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    fill = {
        "source": media["source"],
        "driving": media["driving"],
        "out": tmp_path / "o.mp4",
        "tmp": tmp_path,
    }
    argv = [a.format(**fill) for a in args]
    if "--model" not in argv:
        argv += ["--model", str(media["model"])]
    code = main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2
    errors = [line for line in err.splitlines() if "error" in line]
    assert len(errors) == 1 and "Traceback" not in err
    import re

    assert re.search(message, err), err
    assert not (tmp_path / "o.mp4").exists()


def test_checkpoint_keypoint_count_differs_from_config(
    media: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("model:\n  num_kp: 7\n  image_size: 64\n")
    code = main(
        [
            "animate",
            str(media["source"]),
            str(media["driving"]),
            "-o",
            str(tmp_path / "o.mp4"),
            "--model",
            str(media["model"]),
            "--config",
            str(cfg),
        ]
    )
    assert code == 2
    assert "kp_detector" in capsys.readouterr().err


def test_ctrl_c_during_render_removes_partial_file_and_exits_130(
    media: dict[str, Path], tmp_path: Path
) -> None:
    long_video = tmp_path / "long.mp4"
    from flowmark_core.io.video_writer import VideoWriter

    frame = (np.random.default_rng(1).random((64, 64, 3)) * 255).astype(np.uint8)
    with VideoWriter(long_video, fps=25) as w:
        for t in range(3000):
            w.write(np.roll(frame, t, axis=0))
    out = tmp_path / "out.mp4"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flowmark_core.cli.main",
            "animate",
            str(media["source"]),
            str(long_video),
            "-o",
            str(out),
            "--model",
            str(media["model"]),
        ],
        stderr=subprocess.PIPE,
        env=dict(os.environ, OMP_NUM_THREADS="1"),
    )
    deadline = time.time() + 60
    try:
        while time.time() < deadline and not any(
            p.name.startswith(".out.") for p in tmp_path.iterdir()
        ):
            time.sleep(0.05)
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:  # never leave the child running past a failed test
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]


def test_models_lists_bundled(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models"]) == 0
    assert capsys.readouterr().out.strip()


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["animate", "--help"]) == 0
    assert "examples:" in capsys.readouterr().out
