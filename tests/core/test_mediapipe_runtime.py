"""MediaPipe's native log lines do not reach the terminal; other stderr lines still do."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from flowmark_core.mediapipe_runtime import NATIVE_LOG_LINE
from flowmark_core.metrics.reference_mesh import mediapipe_available

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
