"""Known answers of the hybrid motion: a model's frames given the driver's expression.

The pose arithmetic is checked on exact similarities; the frame loop with a stand-in model
that renders the source unchanged (so whatever moves comes from the mesh) and the synthetic
faces-photo driver of conftest (Grace Hopper with a known jaw). The loop needs mediapipe
(skipped without it), not ../shared/data.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import pytest

from flowmark_core.animate.results import FrameResult
from flowmark_core.mesh_motion.hybrid import expression_target, head_in_frame
from flowmark_core.mesh_motion.transfer import (
    DriverMotion,
    FaceFrame,
    HeadMotion,
    as_complex,
    as_points,
)
from tests.core.mesh_motion.synthetic_driver import (
    JAW,
    assert_mouth_follows,
    jaw_driver,
    other_framing,
)


def _mesh(seed: int = 0) -> np.ndarray:
    """478 points spread over a 200 px face, the outer eye corners 80 px apart."""
    points = np.random.default_rng(seed).uniform(100, 300, (478, 3))
    points[33, :2], points[263, :2] = (160, 180), (240, 180)
    return points


def test_the_head_of_an_exactly_moved_mesh_is_found() -> None:
    portrait = _mesh()
    z, t = 1.1 * np.exp(0.2j), 12 - 7j
    rendered = as_points(z * as_complex(portrait[:, :2]) + t)
    head = head_in_frame(portrait, rendered)
    moved = head.apply(FaceFrame.of(portrait), as_complex(portrait[:, :2]))
    np.testing.assert_allclose(as_points(moved), rendered, atol=1e-9)


def test_no_expression_gives_the_portrait_posed_as_rendered() -> None:
    portrait = _mesh()
    z, t = 0.9 * np.exp(-0.1j), -5 + 3j
    rendered = as_points(z * as_complex(portrait[:, :2]) + t)
    still = DriverMotion(HeadMotion(1 + 0j, 0j), np.zeros(478, complex))
    np.testing.assert_allclose(expression_target(portrait, rendered, still), rendered, atol=1e-9)


def test_an_expression_is_added_in_the_rendered_faces_scale_and_turn() -> None:
    portrait = _mesh()
    z = 2.0 * np.exp(0.5j)
    rendered = as_points(z * as_complex(portrait[:, :2]))
    expression = np.zeros(478, complex)
    expression[14] = 0.25j  # one vertex a quarter of the eye distance down the face
    target = expression_target(portrait, rendered, DriverMotion(HeadMotion(1 + 0j, 0j), expression))
    shift = as_complex(target[14:15])[0] - as_complex(rendered[14:15])[0]
    # down the portrait's face (80 px eye distance) = 20 px along +y, then turned and scaled.
    assert shift == pytest.approx(z * 20j, abs=1e-9)


class _StillModel:
    """A stand-in keypoint animator that renders the source as it is, every frame."""

    paste_box = None
    full_resolution = True

    def set_source(self, image: np.ndarray) -> None:
        self.image = image

    @property
    def source_picture(self) -> tuple[np.ndarray, None]:
        return self.image, None

    def animate(
        self, frames: Iterable[np.ndarray], find_best: bool = False, fps: float | None = None
    ) -> Iterator[FrameResult]:
        empty = np.zeros((0, 2))
        for i, frame in enumerate(frames):
            yield FrameResult(
                i, self.image.copy(), frame, empty, empty, None, None, empty, None, None, None
            )


def _hybrid(photo: np.ndarray, jaw: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    from flowmark_core.mesh_motion import HybridMotionAnimator

    driving = jaw_driver(photo, jaw)
    with HybridMotionAnimator(_StillModel()) as hybrid:  # type: ignore[arg-type]
        hybrid.set_source(other_framing(photo))
        return driving, [r.output for r in hybrid.animate(driving, fps=25.0)]


def test_a_still_driver_leaves_the_models_frames_as_they_are(photo) -> None:
    _, generated = _hybrid(photo, np.zeros(6))
    source = other_framing(photo).astype(float)
    for frame in generated:
        assert frame.shape == source.shape
        assert np.abs(frame - source).max() <= 1


def test_a_still_models_mouth_follows_the_drivers_jaw(photo) -> None:
    driving, generated = _hybrid(photo, JAW)
    assert_mouth_follows(driving, generated)


def test_find_best_needs_the_whole_clip(photo) -> None:
    from flowmark_core.mesh_motion import HybridMotionAnimator

    with HybridMotionAnimator(_StillModel()) as hybrid:  # type: ignore[arg-type]
        hybrid.set_source(other_framing(photo))
        with pytest.raises(ValueError, match="whole_clip"):
            hybrid.animate([], whole_clip=False, find_best=True)


def test_a_model_size_animator_is_refused() -> None:
    from flowmark_core.mesh_motion import HybridMotionAnimator

    model = _StillModel()
    model.full_resolution = False
    with pytest.raises(ValueError, match="full_resolution"):
        HybridMotionAnimator(model)  # type: ignore[arg-type]
