"""Known answers of the face-mesh animation on a synthetic faces-photo driver.

The driver is matplotlib's Grace Hopper portrait animated through its fitted mesh
(`faces_photo.PhotoRenderer`) with a known jaw; the source is the same photo at another size
and framing. Needs mediapipe (skipped without it), not ../shared/data.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from flowmark_core.errors import InputFileError
from flowmark_core.metrics.reference_mesh import MediaPipeReference, mediapipe_available
from flowmark_core.metrics.region_follow import region_follow
from tests.portraits import grace_hopper

FRAMES = 16
JAW = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(FRAMES) / 8)  # closed at 0 and 8


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    why = mediapipe_available()
    if why is not None:
        pytest.skip(why)
    return grace_hopper()


def _driver(photo: np.ndarray, jaw: np.ndarray) -> list[np.ndarray]:
    from flowmark_core.data.synthetic.face_mesh_fit import fit_faces
    from flowmark_core.data.synthetic.faces_photo import PhotoAppearance, PhotoRenderer
    from flowmark_core.data.synthetic.mesh_animation import Expression, Pose

    face = fit_faces(photo, "grace_hopper.jpg")[0]
    plain = PhotoAppearance(0, 0.25, (0.5, 0.42), False, 0.0, 1.0, 1.0, 0.0, 0.0, False, 0)
    renderer = PhotoRenderer(face, plain, 224)
    return [
        renderer.render(Pose(), Expression((0.0, 0.0), float(j), 0.0), (0.0, 0.0))[0] for j in jaw
    ]


def _source(photo: np.ndarray) -> np.ndarray:
    """The photo's top 400 rows at 240 px wide: another size and framing than the driver's."""
    return cv2.resize(photo[:400], (240, 186), interpolation=cv2.INTER_AREA)


def test_a_driver_that_does_not_move_leaves_the_portrait_unchanged(photo) -> None:
    from flowmark_core.mesh_motion import MeshMotionAnimator

    source = _source(photo)
    still = _driver(photo, np.zeros(1)) * 8
    with MeshMotionAnimator() as animator:
        animator.set_source(source)
        results = list(animator.animate(still, fps=25.0))
    assert len(results) == 8 and all(r.face_found for r in results)
    for r in results:
        assert r.output.shape == source.shape
        diff = np.abs(r.output.astype(float) - source)
        assert diff.max() <= 1


def test_the_generated_mouth_opens_and_closes_with_the_drivers_jaw(photo) -> None:
    from flowmark_core.mesh_motion import MeshMotionAnimator

    driving = _driver(photo, JAW)
    with MeshMotionAnimator() as animator:
        animator.set_source(_source(photo))
        generated = [r.output for r in animator.animate(driving, fps=25.0)]
    with MediaPipeReference() as reference:
        follow = region_follow(reference.track(driving), reference.track(generated))
    assert follow.face_found == 1.0
    assert follow.regions["mouth"].r >= 0.9
    assert follow.regions["mouth"].range_ratio >= 0.5


def test_a_source_without_a_face_is_refused_naming_it(photo) -> None:
    from flowmark_core.mesh_motion import MeshMotionAnimator

    with MeshMotionAnimator() as animator, pytest.raises(InputFileError, match="grey.png"):
        animator.set_source(np.full((96, 96, 3), 128, np.uint8), "grey.png")
