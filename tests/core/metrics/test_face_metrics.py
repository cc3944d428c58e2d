"""Known-answer tests of AKD, MKR, AED and `evaluate_face_metrics` (with a fake backend)."""

from __future__ import annotations

import numpy as np
import pytest

from flowmark_core.metrics import FaceBackend, aed, akd, evaluate_face_metrics, mkr

BASE = np.stack([np.linspace(10, 60, 68), np.linspace(20, 50, 68)], axis=-1)


class BrightnessBackend:
    """Fake backend: a face wherever the frame is not black; landmarks shifted right by the
    frame's mean value (so a brighter frame moves every landmark), embedding = that value."""

    def landmarks(self, image: np.ndarray) -> np.ndarray | None:
        level = float(np.mean(image))
        return None if level == 0 else BASE + np.array([level, 0.0])

    def embedding(self, image: np.ndarray) -> np.ndarray | None:
        level = float(np.mean(image))
        return None if level == 0 else np.full(128, level / np.sqrt(128))


def test_fake_backend_satisfies_protocol() -> None:
    assert isinstance(BrightnessBackend(), FaceBackend)


def test_identical_detections_give_zero() -> None:
    frames = [BASE, BASE + 1.0, None]
    assert akd(frames, list(frames)) == 0.0
    assert mkr(frames, list(frames)) == 0.0
    emb = [np.ones(128), None]
    assert aed(emb, list(emb)) == 0.0


def test_known_shift_gives_known_akd() -> None:
    real = [BASE, BASE]
    gen = [BASE + np.array([3.0, 4.0]), BASE + np.array([3.0, 4.0])]
    assert akd(real, gen) == pytest.approx(5.0)


def test_mkr_counts_faces_missed_in_generated_frames() -> None:
    real = [BASE, BASE, BASE, BASE, None]
    gen = [BASE, None, BASE, BASE, BASE]  # one of four real faces missed
    assert mkr(real, gen) == pytest.approx(0.25)
    assert akd(real, gen) == 0.0  # AKD only over frames detected in both


def test_mkr_counts_single_missing_landmarks() -> None:
    gen = BASE.copy()
    gen[:17] = np.nan  # jaw line missed
    assert mkr([BASE], [gen]) == pytest.approx(17 / 68)


def test_undefined_metrics_are_nan() -> None:
    assert np.isnan(akd([None], [BASE]))
    assert np.isnan(mkr([None], [BASE]))
    assert np.isnan(aed([None], [np.ones(3)]))


def test_aed_of_known_embeddings() -> None:
    assert aed([np.zeros(3), np.zeros(3)], [np.array([3.0, 4.0, 0.0]), None]) == 5.0


def test_evaluate_face_metrics_streams_frames() -> None:
    backend = BrightnessBackend()
    real = [np.full((8, 8, 3), v, np.uint8) for v in (10, 20, 30)]
    same = evaluate_face_metrics(iter(real), iter(real), backend)
    assert same == {
        "akd": 0.0,
        "mkr": 0.0,
        "aed": 0.0,
        "frames": 3.0,
        "frames_with_face_in_both": 3.0,
    }
    gen = [np.full((8, 8, 3), v, np.uint8) for v in (13, 0, 33)]  # +3 brightness, one miss
    result = evaluate_face_metrics(real, gen, backend)
    assert result["akd"] == pytest.approx(3.0)
    assert result["mkr"] == pytest.approx(1 / 3)
    assert result["aed"] == pytest.approx(3.0)
    with pytest.raises(ValueError, match="frame count"):
        evaluate_face_metrics(real, gen[:2], backend)
