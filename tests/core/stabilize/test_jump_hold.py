"""Known-answer tests of the detector-jump hold: the appearance support and the hold's state."""

from __future__ import annotations

import math

import numpy as np
import pytest

from flowmark_core.stabilize.jump_hold import (
    JumpHold,
    content_support,
    to_working_px,
)

SIZE = 64
LEFT, RIGHT = np.array([[16.0, 32.0]]), np.array([[48.0, 32.0]])


def halves(left: float, right: float) -> np.ndarray:
    """A grey frame whose left half is `left` and right half `right`."""
    frame = np.full((SIZE, SIZE), left, np.uint8)
    frame[:, SIZE // 2 :] = right
    return frame


def test_working_px_keep_pixel_centres() -> None:
    # Halving: the centre of image px 1 (between working px 0 and 1) is working px 0.25.
    scale = np.array([0.5, 0.5])
    assert to_working_px(np.array([[1.0, 3.0]]), scale).tolist() == [[0.25, 1.25]]
    assert to_working_px(np.array([[5.0, 7.0]]), np.ones(2)).tolist() == [[5.0, 7.0]]


@pytest.mark.parametrize(
    ("right", "expected"),
    [
        # D_pred = 0, D_det = 81 d², floor = 2 · 81 · 4²: c = 2 d² / (d² + 32).
        (104, ((2 * 16 / 48) - 0.4) / 0.8),  # d = 4: c = 2/3, a = 1/3
        (140, 1.0),  # d = 40: c = 1.96, clipped
        (101, 0.0),  # d = 1: c = 2/33, below 0.4
    ],
)
def test_support_from_the_patch_contrast(right: int, expected: float) -> None:
    before, after = halves(100, 100), halves(100, right)
    support = content_support(before, after, LEFT, LEFT, RIGHT)
    assert support.tolist() == pytest.approx([expected], abs=1e-6)


def test_no_support_where_the_detection_shows_the_content() -> None:
    # The content moved to where the detector says: c < 0.
    support = content_support(halves(100, 100), halves(140, 100), LEFT, LEFT, RIGHT)
    assert support.tolist() == [0.0]


def step(hold: JumpHold, *, jump: float, distance: float, failed: bool = False) -> float:
    """One frame of one keypoint with full appearance support and reliable flow."""
    carried = LEFT
    detected = carried + np.array([[jump, 0.0]])
    out = hold.step(
        before=halves(100, 100),
        after=halves(100, 140),
        to_work=np.ones(2),
        previous=LEFT,
        carried=carried,
        reliable=np.ones(1),
        detected=detected,
        distance=np.array([distance]),
        prior_var=np.array([3.0]),
        measurement_var=np.ones(1),
        failed=np.array([failed]),
    )
    return float(out[0])


def test_a_jump_of_gate_standard_deviations_is_39_percent_held() -> None:
    # sqrt(2 R + q²) = sqrt(2 + 2) = 2: a jump of 32 px is 16 deviations = 2 gates.
    hold = JumpHold(gate=8.0, max_hold=4, flow_var=2.0)
    hold.start(1)
    assert step(hold, jump=32.0, distance=0.0) == pytest.approx(1.0 - math.exp(-2.0))
    assert hold.frames_held is not None and hold.frames_held.tolist() == [1]
    hold.start(1)
    assert step(hold, jump=16.0, distance=0.0) == pytest.approx(1.0 - math.exp(-0.5))
    assert hold.frames_held.tolist() == [0]  # 0.39 is not "held"


def test_a_started_hold_continues_while_the_detection_stays_away() -> None:
    hold = JumpHold(gate=1.0, max_hold=10, flow_var=2.0)
    hold.start(1)
    first = step(hold, jump=32.0, distance=0.0)
    assert first == pytest.approx(1.0)
    # No new jump; the detection is 2 sqrt(P + R) = 4 px from the prediction: h = h₋₁ (1 - e⁻²).
    assert step(hold, jump=0.0, distance=4.0) == pytest.approx(first * (1.0 - math.exp(-2.0)))


def test_a_hold_ends_after_max_hold_frames_and_may_start_again() -> None:
    hold = JumpHold(gate=1.0, max_hold=2, flow_var=2.0)
    hold.start(1)
    holds = [step(hold, jump=32.0, distance=32.0) for _ in range(4)]
    assert holds == pytest.approx([1.0, 1.0, 0.0, 1.0])


def test_no_hold_where_the_flow_failed_but_the_count_goes_on() -> None:
    hold = JumpHold(gate=1.0, max_hold=2, flow_var=2.0)
    hold.start(1)
    assert step(hold, jump=32.0, distance=0.0, failed=True) == 0.0
    assert hold.frames_held is not None and hold.frames_held.tolist() == [1]
    assert hold.last is not None and hold.last.tolist() == [0.0]
    hold.reset()
    assert hold.last is None and hold.frames_held is None
