"""Known-answer test of the per-region follow on a `faces-photo` clip whose motion is known.

A real portrait (matplotlib's Grace Hopper) is animated through its face mesh with a jaw,
blinks, yaw, pitch and roll set per frame; the MediaPipe reference measured on the frames
must follow each known track, and a copy with half the jaw opening, or delayed by half a jaw
period, must give the known range ratio and correlation.
"""

from __future__ import annotations

import numpy as np
import pytest

from flowmark_core.metrics.reference_mesh import MediaPipeReference, mediapipe_available
from flowmark_core.metrics.region_follow import (
    REGIONS,
    region_follow,
    region_signals,
    signal_follow,
)
from tests.portraits import grace_hopper

FRAMES = 40
T = np.arange(FRAMES)
JAW = 0.5 - 0.5 * np.cos(2 * np.pi * T / 20)  # two openings, closed at frames 0, 20
BLINK = 0.45 - 0.45 * np.cos(2 * np.pi * T / 8)
YAW = 0.25 * np.sin(2 * np.pi * T / 40)
PITCH = 0.12 * np.sin(2 * np.pi * T / 10)
ROLL = 0.1 * np.cos(2 * np.pi * T / 40)


def _portrait() -> np.ndarray:
    return grace_hopper()


def _clip(jaw_scale: float) -> list[np.ndarray]:
    from flowmark_core.data.synthetic.face_mesh_fit import fit_faces
    from flowmark_core.data.synthetic.faces_photo import PhotoAppearance, PhotoRenderer
    from flowmark_core.data.synthetic.mesh_animation import Expression, Pose

    face = fit_faces(_portrait(), "grace_hopper.jpg")[0]
    plain = PhotoAppearance(0, 0.25, (0.5, 0.42), False, 0.0, 1.0, 1.0, 0.0, 0.0, False, 0)
    renderer = PhotoRenderer(face, plain, 256)
    frames = []
    for t in range(FRAMES):
        pose = Pose(yaw=YAW[t], pitch=PITCH[t], roll=ROLL[t])
        expression = Expression((BLINK[t], BLINK[t]), jaw_scale * JAW[t], 0.0)
        frames.append(renderer.render(pose, expression, (0.0, 0.0))[0])
    return frames


@pytest.fixture(scope="module")
def tracks() -> tuple[np.ndarray, np.ndarray]:
    """Reference landmarks of the clip and of its copy with half the jaw opening."""
    why = mediapipe_available()
    if why is not None:
        pytest.skip(why)
    with MediaPipeReference() as reference:
        return reference.track(_clip(1.0)), reference.track(_clip(0.5))


def test_each_measured_signal_follows_its_known_motion(tracks) -> None:
    signals = region_signals(tracks[0])
    known = {"mouth": JAW, "eyes": 1.0 - BLINK, "yaw": YAW, "pitch": PITCH, "roll": ROLL}
    least = {"mouth": 0.95, "eyes": 0.5, "yaw": 0.95, "pitch": 0.9, "roll": 0.9}
    for name in REGIONS:
        assert signal_follow(known[name], signals[name]).r >= least[name], name


def test_the_clip_against_itself_follows_perfectly(tracks) -> None:
    follow = region_follow(tracks[0], tracks[0])
    assert follow.face_found == 1.0 and follow.frames == FRAMES
    for name in REGIONS:
        assert follow.regions[name].r == pytest.approx(1.0), name
        assert follow.regions[name].range_ratio == pytest.approx(1.0), name


def test_half_the_jaw_opening_gives_half_the_mouth_range_and_the_same_head(tracks) -> None:
    follow = region_follow(tracks[0], tracks[1])
    mouth = follow.regions["mouth"]
    assert mouth.r >= 0.95
    assert 0.4 <= mouth.range_ratio <= 0.6
    for name in ("yaw", "roll"):
        assert follow.regions[name].r >= 0.97, name
        assert 0.9 <= follow.regions[name].range_ratio <= 1.1, name


def test_a_copy_delayed_by_half_a_jaw_period_moves_its_mouth_against_the_driver(tracks) -> None:
    delayed = np.roll(tracks[0], 10, axis=0)  # the jaw's period is 20 frames
    follow = region_follow(tracks[0], delayed)
    assert follow.regions["mouth"].r <= -0.85
    assert 0.9 <= follow.regions["mouth"].range_ratio <= 1.1
