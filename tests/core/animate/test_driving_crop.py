"""The driving crop is fixed (issues 12, 13): one box per clip, recorded in the track and
reused by render_from_track; a stream keeps its box until the face leaves it.

The face is a real one the Haar cascade finds (the astronaut crop of tests/core/metrics/data)
pasted into a grey frame at known offsets."""

from pathlib import Path

import numpy as np
import pytest

from flowmark_core.animate import Animator
from flowmark_core.animate.clip_box import clip_box
from flowmark_core.animate.face_crop import FaceCropper, crop, whole_image_box
from flowmark_core.animate.track_file import load_track, save_track, track_arrays
from flowmark_core.io.images import read_image

FACE = Path(__file__).parents[1] / "metrics" / "data" / "astronaut_face_128.jpg"
STEP = 3  # px the face moves right per frame


def face_frame(dx: int, dy: int = 0) -> np.ndarray:
    """A 200x280 grey frame with the 128 px face at (40 + dx, 36 + dy)."""
    frame = np.full((200, 280, 3), 120, np.uint8)
    frame[36 + dy : 164 + dy, 40 + dx : 168 + dx] = read_image(FACE)
    return frame


@pytest.fixture(scope="module")
def clip() -> list[np.ndarray]:
    return [face_frame(STEP * t) for t in range(7)]


@pytest.fixture
def animator() -> Animator:
    """The bundled face model (its keypoints follow a face), face crop on."""
    return Animator.from_checkpoint("puppets-faces-128", precision="float32", face_crop=True)


def test_head_translation_reaches_the_driving_keypoints(
    animator: Animator, clip: list[np.ndarray]
) -> None:
    """The face moves 18 px right: the keypoints' mean moves by about 18 px scaled to the
    crop (a crop that follows the head kept it near 0), in `track` and in `animate`."""
    track = animator.track(clip)
    box = track.crop_box
    assert box is not None
    expected = STEP * np.arange(len(clip)) * animator.size / box.size
    moved = track.raw.mean(axis=1) - track.raw[0].mean(axis=0)
    assert np.all(np.diff(moved[:, 0]) > 0)  # right, every frame
    assert 0.6 * expected[-1] < moved[-1, 0] < 1.2 * expected[-1]
    assert abs(moved[-1, 1]) < 0.1 * expected[-1]  # and not up or down
    animator.set_source(clip[0])
    rendered = np.stack([r.kp_raw for r in animator.animate(clip)])
    assert np.allclose(rendered, track.raw, atol=1e-4)  # the CLI's path crops the same


def test_every_frame_of_a_track_is_cut_with_one_box(
    animator: Animator, clip: list[np.ndarray]
) -> None:
    """What the model saw of each frame (animate and render_from_track) is that frame cut
    with the track's one box."""
    track = animator.track(clip)
    box = track.crop_box
    assert box is not None
    assert box == clip_box(clip, FaceCropper())[0]
    animator.set_source(clip[0])
    seen = [r.driving for r in animator.animate(clip)]
    for frame, driving in zip(clip, seen, strict=True):
        assert np.array_equal(driving, crop(frame, box, animator.size))
    for i, frame in enumerate(clip):
        result = animator.render_from_track(frame, track, i)
        assert np.array_equal(result.driving, crop(frame, box, animator.size))


def test_render_from_track_does_not_depend_on_what_was_rendered_before(
    animator: Animator, clip: list[np.ndarray]
) -> None:
    track = animator.track(clip)
    animator.set_source(clip[0])
    animator.reference_from_track(track, 0)
    in_order = [animator.render_from_track(f, track, i) for i, f in enumerate(clip)][-1]
    alone = Animator.from_checkpoint("puppets-faces-128", precision="float32", face_crop=True)
    alone.set_source(clip[0])
    alone.reference_from_track(track, 0)
    last = alone.render_from_track(clip[-1], track, len(clip) - 1)
    assert np.array_equal(last.driving, in_order.driving)
    assert np.array_equal(last.output, in_order.output)


def test_a_saved_track_keeps_its_box(
    animator: Animator, clip: list[np.ndarray], tmp_path: Path
) -> None:
    track = animator.track(clip[:3])
    save_track(tmp_path / "track.npz", track)
    loaded = load_track(tmp_path / "track.npz")
    assert loaded.crop_box == track.crop_box is not None
    assert np.array_equal(loaded.raw, track.raw) and np.array_equal(loaded.stable, track.stable)
    assert (loaded.image_size, loaded.fps, loaded.stabilizer) == (128, 25.0, "none")
    older = {k: v for k, v in track_arrays(track).items() if k != "crop_box"}
    np.savez(tmp_path / "older.npz", **older)  # a track written before boxes were kept
    assert load_track(tmp_path / "older.npz").crop_box is None


def test_clip_box_is_the_median_of_the_first_faces_and_keeps_every_frame() -> None:
    frames = [np.full((200, 280, 3), 120, np.uint8)] * 2 + [face_frame(d) for d in (0, 6, 30)]
    cropper = FaceCropper()
    box, stream = clip_box(frames, cropper, detections=3)
    assert box == cropper.detect(frames[3])  # the median of the boxes at dx = 0, 6, 30
    assert all(a is b for a, b in zip(stream, frames, strict=True))
    blank = [np.zeros((90, 120, 3), np.uint8)] * 3
    assert clip_box(blank, cropper)[0] == whole_image_box(blank[0])
    assert clip_box([], cropper)[0] is None


def test_stream_keeps_its_box_until_the_face_leaves_it(animator: Animator) -> None:
    """Small moves keep the first box (the motion reaches the keypoints); a move out of the
    box's central part chooses a new box and restarts the reference (the output returns to
    the source's pose instead of jumping)."""
    cropper = FaceCropper()
    animator.set_source(face_frame(0))
    first = animator.push(face_frame(0))
    box = animator.framing.current_stream_box
    assert box == cropper.detect(face_frame(0))
    for dx in (4, 8, 12):
        result = animator.push(face_frame(dx))
        assert animator.framing.current_stream_box == box
        assert np.array_equal(result.driving, crop(face_frame(dx), box, animator.size))
    assert result.kp_raw.mean(axis=0)[0] > first.kp_raw.mean(axis=0)[0] + 4
    far = face_frame(112, 30)  # the face centre moves by about half the box side
    result = animator.push(far)
    assert animator.framing.current_stream_box == cropper.detect(far) != box
    assert np.allclose(result.kp_rendered, animator.source_keypoints.value, atol=1e-4)
    animator.reset_stream()
    assert animator.framing.current_stream_box is None


def test_a_face_is_looked_for_at_the_given_sizes_only() -> None:
    """A stream checks its face at the sizes that keep its box (a fraction of the cascade's
    cost); a face of another size is not found there, so the whole search runs."""
    cropper = FaceCropper()
    frame = face_frame(0)
    box = cropper.detect(frame)
    assert box is not None
    near = cropper.detect(frame, sizes=(box.size / 1.4, box.size * 1.4))
    assert near is not None and abs(near.size - box.size) < 0.1 * box.size
    assert cropper.detect(frame, sizes=(box.size * 2.0, box.size * 3.0)) is None
