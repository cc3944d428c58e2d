"""The animation pipeline: opt-in heavy outputs, the device path with no stabiliser,
render_from_track, the video's frame rate reaching the stabiliser, and face crop."""

import numpy as np
import pytest
import torch

from flowmark_core.animate import HEAVY_OUTPUTS, Animator
from flowmark_core.animate.face_crop import whole_image_box
from flowmark_core.errors import ConfigError
from flowmark_core.models import build_model
from flowmark_core.stabilize import OneEuroStabilizer, make_stabilizer
from tests.model_configs import compact_config


def _frames(n: int = 6, size: int = 64) -> list[np.ndarray]:
    rng = np.random.default_rng(3)
    base = (rng.random((size, size, 3)) * 255).astype(np.uint8)
    return [np.roll(base, 2 * t, axis=1) for t in range(n)]


@pytest.fixture
def animator() -> Animator:
    return Animator(build_model(compact_config(num_kp=4)), precision="float32")


def test_heavy_outputs_are_opt_in(animator: Animator) -> None:
    frames = _frames(2)
    animator.set_source(frames[0])
    plain = animator.push(frames[1])
    assert plain.heatmaps is None and plain.motion is None and plain.occlusion is None
    animator.set_outputs(HEAVY_OUTPUTS)
    animator.reset_stream()
    full = animator.push(frames[1])
    assert full.heatmaps is not None and full.heatmaps.shape[0] == 4
    assert full.motion is not None and full.motion.shape[-1] == 2
    assert full.occlusion is not None and full.occlusion.ndim == 2
    assert np.array_equal(plain.output, full.output)
    with pytest.raises(ConfigError, match="expected any of heatmaps, motion, occlusion"):
        animator.set_outputs(["flow"])


def test_no_stabilizer_renders_from_the_detector_on_the_device(
    animator: Animator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With stabiliser "none" keypoints never come back from the host to be rendered."""
    frames = _frames(3)
    animator.set_source(frames[0])
    reference = [animator.push(f).output for f in frames]

    def refuse(*_args: object) -> None:
        raise AssertionError("keypoints went host -> device")

    monkeypatch.setattr(animator.core, "from_pixels", refuse)
    animator.reset_stream()
    assert all(np.array_equal(animator.push(f).output, r) for f, r in zip(frames, reference))
    animator.set_stabilizer("one-euro")
    with pytest.raises(AssertionError, match="host -> device"):
        animator.push(frames[0])


def test_render_from_track_equals_streaming(animator: Animator) -> None:
    frames = _frames(5)
    animator.set_source(frames[0])
    animator.set_stabilizer("one-euro")
    stream = [animator.push(f) for f in frames]
    track = animator.track(frames, fps=30.0)
    assert np.allclose(track.stable, np.stack([r.kp_stable for r in stream]), atol=1e-5)
    animator.reference_from_track(track, 0)
    for i in (0, 3, 4):  # random access, any order
        out = animator.render_from_track(frames[i], track, i)
        assert np.array_equal(out.output, stream[i].output)
        assert np.allclose(out.kp_stable, stream[i].kp_stable, atol=1e-5)
    raw = animator.render_from_track(frames[4], track, 4, stabilized=False)
    assert np.allclose(raw.kp_stable, track.raw[4])


def test_track_keeps_heatmaps_so_scrubbing_does_not_detect_again(
    animator: Animator, monkeypatch: pytest.MonkeyPatch
) -> None:
    frames = _frames(3)
    animator.set_outputs(["heatmaps"])
    animator.set_source(frames[0])
    track = animator.track(frames, fps=25.0)
    assert track.heatmaps is not None and track.heatmaps.shape[:2] == (3, 4)
    detected = animator.detect(frames[2], heatmaps=True).heatmap
    calls = []
    original = animator.core.detect
    monkeypatch.setattr(animator.core, "detect", lambda x: calls.append(1) or original(x))
    result = animator.render_from_track(frames[2], track, 2)
    assert calls == [] and result.heatmaps is not None
    assert np.allclose(result.heatmaps, detected, atol=1e-3)


@pytest.mark.parametrize("fps", [25.0, 50.0])
def test_the_video_frame_rate_reaches_the_stabilizer(animator: Animator, fps: float) -> None:
    frames = _frames(6)
    animator.set_stabilizer("one-euro", beta=0.0)
    track = animator.track(frames, fps=fps)
    expected, _ = OneEuroStabilizer(64, beta=0.0, fps=fps).run(track.raw, None, None)
    assert track.fps == fps
    assert np.allclose(track.stable, expected, atol=1e-6)
    other, _ = OneEuroStabilizer(64, beta=0.0, fps=30.0).run(track.raw, None, None)
    assert not np.allclose(track.stable, other, atol=1e-3)  # the rate matters here
    # animate() takes the same rate: its stabilised keypoints equal the track's.
    animator.set_source(frames[0])
    rendered = np.stack([r.kp_stable for r in animator.animate(frames, fps=fps)])
    assert np.allclose(rendered, track.stable, atol=1e-5)


def test_stabilizer_factory_takes_the_rate_once() -> None:
    assert make_stabilizer("one-euro", 64, fps=25.0).fps == 25.0
    assert make_stabilizer("one-euro", 64).fps == 30.0  # no video: the filter's default
    make_stabilizer("none", 64, fps=25.0)  # strategies without a time step ignore it
    animator = Animator(build_model(compact_config(num_kp=4)), fps=25.0)
    with pytest.raises(ConfigError, match="fps is the video's frame rate"):
        animator.set_stabilizer("one-euro", fps=30.0)


def test_face_crop_without_a_face_pastes_the_centre_square_back(animator: Animator) -> None:
    """No face: the crop is the centred square; the output is the full-size source with the
    rendered square pasted in, and everything outside the square is the source unchanged."""
    rng = np.random.default_rng(5)
    source = (rng.random((80, 120, 3)) * 255).astype(np.uint8)
    animator.set_framing(True)
    animator.set_source(source)
    box = whole_image_box(source)
    assert (box.x, box.y, box.size) == (20.0, 0.0, 80.0)
    assert animator.source_image.shape == (64, 64, 3)
    result = animator.push(source)
    assert result.output.shape == source.shape
    assert np.array_equal(result.output[:, :20], source[:, :20])
    assert np.array_equal(result.output[:, 100:], source[:, 100:])
    assert not np.array_equal(result.output[:, 20:100], source[:, 20:100])


def test_source_keypoints_round_trip_through_pixels(animator: Animator) -> None:
    """kp_rendered (px) of the first frame in relative mode is the source's keypoints."""
    frames = _frames(2)
    kp = animator.set_source(frames[0])
    first = animator.push(frames[1])
    assert np.allclose(first.kp_rendered, kp.value, atol=1e-4)
    assert torch.is_tensor(animator.core.to_pixels(torch.zeros(2)))


def test_adapt_scale_through_the_pipeline(animator: Animator) -> None:
    """Reference keypoints spread 2x wider than the source's (hull area 4x): the driving
    displacement reaches the source halved."""
    frames = _frames(1)
    src = animator.set_source(frames[0]).value.astype(np.float64)
    centre = src.mean(axis=0)
    reference = centre + 2.0 * (src - centre)
    animator.set_transfer(adapt_scale=True)
    animator.set_reference(reference, None)
    driving = reference + np.array([3.0, -2.0])
    raw = animator.detect(frames[0])
    out = animator.render(frames[0], raw, driving.astype(np.float32), None)
    assert np.allclose(out.kp_rendered, src + 0.5 * np.array([3.0, -2.0]), atol=1e-3)
    animator.set_transfer(adapt_scale=False)
    out = animator.render(frames[0], raw, driving.astype(np.float32), None)
    assert np.allclose(out.kp_rendered, src + np.array([3.0, -2.0]), atol=1e-3)
