"""Relative transfer between face meshes: known answers without MediaPipe."""

from __future__ import annotations

import numpy as np
import pytest

from flowmark_core.data.synthetic.mesh_animation import LOWER_INNER_LIP, UPPER_INNER_LIP
from flowmark_core.mesh_motion.transfer import (
    EYE_OUTER,
    DriverReference,
    FaceFrame,
    as_complex,
    as_points,
    driver_motion,
    mouth_gap,
    transfer,
)

POINTS = 478


def _mesh(seed: int, iod: float, centre: tuple[float, float], angle: float = 0.0) -> np.ndarray:
    """A random 478-point "face" whose outer eye corners are `iod` apart, tilted by `angle`."""
    rng = np.random.default_rng(seed)
    unit = rng.uniform(-0.9, 0.9, (POINTS, 2))
    unit[EYE_OUTER[0]], unit[EYE_OUTER[1]] = (-0.5, 0.0), (0.5, 0.0)
    z = as_complex(unit) * iod * np.exp(1j * angle) + complex(*centre)
    return as_points(z)


def _similarity(points: np.ndarray, zoom_turn: complex, shift: complex) -> np.ndarray:
    return as_points(as_complex(points) * zoom_turn + shift)


def test_a_driver_that_does_not_move_leaves_the_source_mesh_unchanged() -> None:
    driver, source = _mesh(0, 50.0, (100, 90)), _mesh(1, 80.0, (300, 200), 0.2)
    moved = transfer(source, driver_motion(driver, driver.copy()))
    np.testing.assert_allclose(moved, source, atol=1e-9)


def test_the_drivers_head_turn_zoom_and_shift_reach_the_source_in_its_own_units() -> None:
    driver, source = _mesh(0, 50.0, (100, 90)), _mesh(1, 80.0, (300, 200), 0.3)
    d_frame, s_frame = FaceFrame.of(driver), FaceFrame.of(source)
    zoom_turn = 1.1 * np.exp(0.15j)
    # Turn and zoom about the driver's eye midpoint, then shift by 0.25 IOD along its eye line.
    moved_driver = _similarity(driver, zoom_turn, d_frame.origin * (1 - zoom_turn) + 12.5)
    moved = transfer(source, driver_motion(driver, moved_driver))
    expected = _similarity(
        source, zoom_turn, s_frame.origin * (1 - zoom_turn) + 0.25 * s_frame.axis
    )
    np.testing.assert_allclose(moved, expected, atol=1e-6)


def test_an_expression_moves_the_source_by_the_same_inter_ocular_share_along_its_own_face() -> None:
    driver, source = _mesh(0, 50.0, (100, 90)), _mesh(1, 80.0, (300, 200), np.pi / 2)
    lip = 14  # lower inner lip; moved 0.2 IOD down the driver's face
    opened = driver.copy()
    opened[lip, 1] += 0.2 * 50.0
    moved = transfer(source, driver_motion(driver, opened))
    # The source is turned 90 degrees: "down its face" is -x in the image, 0.2 x 80 px.
    np.testing.assert_allclose(moved[lip] - source[lip], [-16.0, 0.0], atol=0.5)
    others = np.delete(np.arange(POINTS), lip)
    assert np.abs(moved[others] - source[others]).max() < 0.5


def test_a_mesh_without_eye_distance_has_no_face_frame() -> None:
    with pytest.raises(ValueError):
        FaceFrame.of(np.zeros((POINTS, 2)))


def _with_gap(mesh: np.ndarray, gap_px: float) -> np.ndarray:
    out = mesh.copy()
    out[list(UPPER_INNER_LIP), 1] = 150.0
    out[list(LOWER_INNER_LIP[1:-1]), 1] = 150.0 + gap_px
    out[list(LOWER_INNER_LIP[::10]), 1] = 150.0  # the corners are shared
    return out


def test_a_driver_that_starts_with_an_open_mouth_still_closes_the_portraits() -> None:
    driver = _with_gap(_mesh(0, 50.0, (100, 90)), 10.0)  # opened 0.2 IOD at the start
    source = _with_gap(_mesh(1, 80.0, (300, 200)), 0.0)  # a closed mouth
    closed, wide = _with_gap(driver, 0.0), _with_gap(driver, 15.0)
    assert mouth_gap(driver) == pytest.approx(0.2)
    # Offline: the clip's most closed mouth is the floor from the first frame on.
    reference = DriverReference(driver, floor=mouth_gap(closed))
    for frame, expected in ((driver, 0.2), (closed, 0.0), (wide, 0.3)):
        moved = transfer(source, driver_motion(reference.update(frame), frame))
        assert mouth_gap(moved) == pytest.approx(expected, abs=0.01)
    # Streamed: the first frame is the floor until the mouth closes further.
    reference = DriverReference(driver)
    for frame, expected in ((driver, 0.0), (closed, 0.0), (wide, 0.3)):
        moved = transfer(source, driver_motion(reference.update(frame), frame))
        assert mouth_gap(moved) == pytest.approx(expected, abs=0.01)
