"""Shot cuts: found at the frame a scene changes, not on drift or motion."""

import numpy as np

from flowmark_core.data.prepare.shots import ShotCutDetector, shot_ranges


def _scene(colour: tuple[int, int, int], t: int, size: int = 64) -> np.ndarray:
    frame = np.zeros((size, size, 3), np.uint8)
    frame[:] = colour
    x = 10 + t % 30  # a moving square: motion within the shot
    frame[20:40, x : x + 12] = (240, 240, 240)
    return frame


def test_a_scene_change_is_the_only_cut() -> None:
    detector = ShotCutDetector()
    frames = [_scene((30 + t, 60, 120), t) for t in range(25)]  # slow brightness drift
    frames += [_scene((200, 40, 30), t) for t in range(25)]  # another scene
    flags = [detector.push(f) for f in frames]
    assert detector.cuts == [25]
    assert flags.index(True) == 25 and sum(flags) == 1


def test_a_still_video_has_no_cut() -> None:
    detector = ShotCutDetector()
    for _ in range(20):
        detector.push(_scene((90, 90, 90), 0))
    assert detector.cuts == []


def test_shot_ranges_cover_the_video() -> None:
    assert shot_ranges([25, 40], 60) == [(0, 25), (25, 40), (40, 60)]
    assert shot_ranges([], 10) == [(0, 10)]
    assert shot_ranges([0, 10], 10) == [(0, 10)]
