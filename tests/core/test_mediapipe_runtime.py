"""MediaPipe's native log lines do not reach the terminal; other stderr lines still do."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import cv2
import numpy as np
import pytest

from flowmark_core.io.video_writer import VideoWriter
from flowmark_core.mediapipe_runtime import NATIVE_LOG_LINE
from flowmark_core.metrics.reference_mesh import mediapipe_available
from tests.portraits import grace_hopper_path

SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np
    from flowmark_core.metrics.reference_mesh import import_mediapipe
    from flowmark_core.mediapipe_runtime import quiet_native_stderr

    mp = import_mediapipe()
    image = np.full((120, 160, 3), 128, np.uint8)
    with mp.solutions.face_mesh.FaceMesh(refine_landmarks=True) as mesh:
        mesh.process(image)
    with mp.solutions.hands.Hands() as hands:
        hands.process(image)
    with quiet_native_stderr():
        print("a line of our own", file=sys.stderr)
    print("done", file=sys.stderr)
    """
)


def test_native_lines_are_filtered_errors_kept() -> None:
    assert NATIVE_LOG_LINE.match(
        "W0000 00:00:1796545885.764504    3324 inference_feedback_manager.cc:114] Feedback"
    )
    assert NATIVE_LOG_LINE.match("I0512 10:11:12.123456  77 gl_context.cc:357] GL version")
    assert NATIVE_LOG_LINE.match("INFO: Created TensorFlow Lite XNNPACK delegate for CPU.")
    assert not NATIVE_LOG_LINE.match("E0000 00:00:1.5  12 graph.cc:10] a real error")
    assert not NATIVE_LOG_LINE.match("Traceback (most recent call last):")


def _portrait_video(path: Path) -> None:
    photo = grace_hopper_path()
    image = cv2.resize(cv2.imread(str(photo))[:, :, ::-1], (256, 256))
    with VideoWriter(path, fps=25) as writer:
        for t in range(5):
            writer.write(np.ascontiguousarray(np.roll(image, 2 * t, axis=1)))


def test_flowmark_track_prints_nothing_on_stderr(tmp_path: Path) -> None:
    """The solution's graph logs from its own threads while the command opens the video
    (after construction, before the first frame): those lines must stay hidden too."""
    why = mediapipe_available()
    if why is not None:
        pytest.skip(why)
    video = tmp_path / "face.mp4"
    _portrait_video(video)
    out = tmp_path / "face.csv"
    command = [sys.executable, "-m", "flowmark_core.cli.main", "track", str(video)]
    done = subprocess.run(
        [*command, "--detector", "mediapipe-face", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.startswith("wrote 5 frames x 478 points (5 frames with landmarks)")


def test_subprocess_stderr_has_no_mediapipe_log_lines() -> None:
    why = mediapipe_available()
    if why is not None:
        pytest.skip(why)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines == ["a line of our own", "done"]
