"""The MediaPipe face-mesh reference on a package-shipped portrait (matplotlib's Grace Hopper)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from flowmark_core.metrics.reference_follow import reference_noise_floor
from flowmark_core.metrics.reference_mesh import (
    REFERENCE_NAMES,
    MediaPipeReference,
    inter_ocular,
    mediapipe_available,
)
from tests.portraits import grace_hopper

# dlib 68-point index of the same anatomical point (iBUG 300-W numbering).
DLIB_MATCH = {
    "right_eye_outer": 36,
    "right_eye_inner": 39,
    "left_eye_inner": 42,
    "left_eye_outer": 45,
    "nose_base": 33,
    "mouth_right": 48,
    "mouth_left": 54,
    "chin": 8,
}


def _portrait() -> np.ndarray:
    return grace_hopper()


@pytest.fixture(scope="module")
def reference() -> MediaPipeReference:
    why = mediapipe_available()
    if why is not None:
        pytest.skip(why)
    with MediaPipeReference() as ref:
        yield ref


def _at(points: np.ndarray, name: str) -> np.ndarray:
    return points[REFERENCE_NAMES.index(name)]


def test_reference_finds_the_named_landmarks_in_anatomical_order(reference) -> None:
    image = _portrait()
    points = reference.landmarks(image)
    assert points is not None and points.shape == (len(REFERENCE_NAMES), 2)
    iod = inter_ocular(points)
    assert 100 < iod < 150  # the face is about a quarter of the 512 px wide portrait
    # The subject's right eye is on the image's left; brows above eyes above nose above mouth.
    assert _at(points, "right_eye_outer")[0] < _at(points, "right_eye_inner")[0]
    assert _at(points, "right_eye_inner")[0] < _at(points, "left_eye_inner")[0]
    assert _at(points, "left_eye_inner")[0] < _at(points, "left_eye_outer")[0]
    assert _at(points, "right_brow_outer")[1] < _at(points, "right_eye_outer")[1]
    assert _at(points, "right_eye_outer")[1] < _at(points, "nose_tip")[1]
    assert _at(points, "nose_base")[1] < _at(points, "upper_lip_top")[1]
    assert _at(points, "upper_lip_top")[1] < _at(points, "lower_lip_bottom")[1]
    assert _at(points, "lower_lip_bottom")[1] < _at(points, "chin")[1]


def test_reference_is_deterministic_per_frame(reference) -> None:
    image = _portrait()
    first = reference.landmarks(image)
    reference.landmarks(cv2.flip(image, 1))  # another frame in between must not matter
    np.testing.assert_array_equal(reference.landmarks(image), first)


def test_reference_agrees_with_dlib_within_a_tenth_of_the_eye_distance(reference) -> None:
    from flowmark_core.errors import FlowmarkError
    from flowmark_core.metrics import DlibFaceBackend

    image = _portrait()
    try:
        dlib_points = DlibFaceBackend().landmarks(image)
    except FlowmarkError as exc:
        pytest.skip(str(exc))
    points = reference.landmarks(image)
    iod = inter_ocular(points)
    for name, index in DLIB_MATCH.items():
        assert np.linalg.norm(_at(points, name) - dlib_points[index]) / iod < 0.1, name


def test_reference_noise_floor_on_a_warped_portrait_is_below_two_percent(reference) -> None:
    image = cv2.resize(_portrait(), (256, 300), interpolation=cv2.INTER_AREA)
    floor = reference_noise_floor(image, reference.landmarks, frames=16, seed=1)
    assert floor.frames_found == 16
    assert 0.0 < floor.nmj < 0.02
    assert floor.nme < 0.03


def test_reference_says_none_without_a_face(reference) -> None:
    assert reference.landmarks(np.full((200, 200, 3), 127, np.uint8)) is None
