"""The dlib face backend on a real face photo, and its install hint when dlib is missing."""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from flowmark_core.errors import FlowmarkError
from flowmark_core.metrics import face_backend
from flowmark_core.metrics.face_backend import DlibFaceBackend

FACE = Path(__file__).parent / "data" / "astronaut_face_128.jpg"


@pytest.fixture(scope="module")
def backend() -> DlibFaceBackend:
    pytest.importorskip("dlib", reason='dlib not installed (pip install "flowmark[eval]")')
    try:
        return DlibFaceBackend()
    except FlowmarkError as exc:
        pytest.skip(f"dlib face models not installed: {exc}")


def load_face() -> np.ndarray:
    return cv2.cvtColor(cv2.imread(str(FACE)), cv2.COLOR_BGR2RGB)


def test_dlib_finds_68_landmarks_and_128d_embedding(backend: DlibFaceBackend) -> None:
    image = load_face()  # 128 px: detection runs on an upscaled copy
    landmarks = backend.landmarks(image)
    embedding = backend.embedding(image)
    assert landmarks is not None and landmarks.shape == (68, 2)
    assert np.all((landmarks > 0) & (landmarks < 128))
    assert embedding is not None and embedding.shape == (128,)
    assert 0.1 < np.linalg.norm(embedding) < 10.0


def test_dlib_landmarks_follow_a_known_shift(backend: DlibFaceBackend) -> None:
    image = load_face()
    moved = np.zeros_like(image)
    moved[:, 4:] = image[:, :-4]  # content moves 4 px right
    before = backend.landmarks(image)
    after = backend.landmarks(moved)
    assert before is not None and after is not None
    assert np.median(after[:, 0] - before[:, 0]) == pytest.approx(4.0, abs=1.0)
    assert np.median(np.abs(after[:, 1] - before[:, 1])) < 1.0


def test_dlib_returns_none_without_a_face(backend: DlibFaceBackend) -> None:
    blank = np.full((128, 128, 3), 90, np.uint8)
    assert backend.landmarks(blank) is None
    assert backend.embedding(blank) is None


def test_missing_dlib_raises_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "dlib", None)  # makes `import dlib` fail
    with pytest.raises(FlowmarkError, match=r'pip install "flowmark\[eval\]"'):
        DlibFaceBackend()


def test_missing_model_files_raise_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(face_backend.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(FlowmarkError, match=r'pip install "flowmark\[eval\]"'):
        face_backend.dlib_model_dir()
