"""One fixed box per piece of a shot, and the drop rules, on known per-frame numbers."""

import numpy as np
import pytest

from flowmark_core.data.prepare.segments import SegmentRules, plan_segments, split_shot


def _boxes(t: int, box: tuple[float, float, float, float]) -> np.ndarray:
    return np.tile(np.array(box, dtype=np.float64), (t, 1))


RULES = SegmentRules(size=64, min_frames=10, max_frames=100, min_sharpness=15.0)


def test_a_still_face_gets_a_centred_box_with_the_margin() -> None:
    boxes = _boxes(40, (100, 80, 40, 40))
    segs = plan_segments([(0, 40)], boxes, np.full(40, 50.0), (320, 240), RULES)
    assert len(segs) == 1 and segs[0].kept
    box = segs[0].box
    assert box.size == 76  # 40 + 0.9 * 40
    assert (box.x, box.y) == (82, 58)  # centre (120, 100) lifted by 0.1 * 40 px


def test_the_box_covers_the_head_motion_and_stays_fixed() -> None:
    boxes = _boxes(50, (100, 80, 40, 40))
    boxes[:, 0] += np.linspace(0, 60, 50)  # the head moves 60 px right over the shot
    seg = plan_segments([(0, 50)], boxes, np.full(50, 50.0), (320, 240), RULES)[0]
    assert seg.box.x <= np.percentile(boxes[:, 0], 5)
    assert seg.box.x + seg.box.size >= np.percentile(boxes[:, 0] + 40, 95)


def test_the_box_is_shifted_into_the_frame_and_capped_at_its_short_side() -> None:
    seg = plan_segments(
        [(0, 20)], _boxes(20, (0, 0, 150, 150)), np.full(20, 50.0), (320, 200), RULES
    )[0]
    assert seg.box.size == 200 and seg.box.x >= 0 and seg.box.y == 0


@pytest.mark.parametrize(
    ("frames", "found", "side", "sharp", "reason"),
    [
        (5, 5, 40, 50.0, "too short"),
        (40, 20, 40, 50.0, "face in 50% of frames"),
        (40, 40, 10, 50.0, "face too small"),
        (40, 40, 40, 3.0, "blurred"),
    ],
)
def test_pieces_are_dropped_with_their_reason(frames, found, side, sharp, reason) -> None:
    boxes = _boxes(frames, (100, 80, side, side))
    boxes[found:] = np.nan
    seg = plan_segments([(0, frames)], boxes, np.full(frames, sharp), (320, 240), RULES)[0]
    assert not seg.kept and seg.box is None
    assert seg.reason.startswith(reason)


def test_a_long_shot_is_cut_into_near_equal_pieces_each_with_a_box() -> None:
    assert split_shot(0, 250, 100) == [(0, 83), (83, 167), (167, 250)]
    boxes = _boxes(250, (100, 80, 40, 40))
    segs = plan_segments([(0, 250)], boxes, np.full(250, 50.0), (320, 240), RULES)
    assert [(s.start, s.end) for s in segs] == [(0, 83), (83, 167), (167, 250)]
    assert all(s.kept and s.shot == 0 for s in segs)
