"""Known answers of the face-mesh animation on a synthetic faces-photo driver.

The driver is matplotlib's Grace Hopper portrait animated through its fitted mesh with a
known jaw; the source is the same photo at another size and framing (conftest). Needs
mediapipe (skipped without it), not ../shared/data.
"""

from __future__ import annotations

import numpy as np
import pytest

from flowmark_core.errors import InputFileError
from tests.core.mesh_motion.synthetic_driver import (
    JAW,
    assert_mouth_follows,
    jaw_driver,
    other_framing,
)


def test_a_driver_that_does_not_move_leaves_the_portrait_unchanged(photo) -> None:
    from flowmark_core.mesh_motion import MeshMotionAnimator

    source = other_framing(photo)
    still = jaw_driver(photo, np.zeros(1)) * 8
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

    driving = jaw_driver(photo, JAW)
    with MeshMotionAnimator() as animator:
        animator.set_source(other_framing(photo))
        generated = [r.output for r in animator.animate(driving, fps=25.0)]
    assert_mouth_follows(driving, generated)


def test_a_source_without_a_face_is_refused_naming_it(photo) -> None:
    from flowmark_core.mesh_motion import MeshMotionAnimator

    with MeshMotionAnimator() as animator, pytest.raises(InputFileError, match="grey.png"):
        animator.set_source(np.full((96, 96, 3), 128, np.uint8), "grey.png")
