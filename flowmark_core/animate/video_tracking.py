"""Whole-video operations of the `Animator`: track once, then render any frame from the track.

`track` detects and stabilises every frame (one pass, online stabiliser) and records the
driving crop; `render_from_track` renders frame i from the track alone (random access, so
scrubbing does not depend on what was shown before); `animate` runs a whole video, picking
the best reference frame first when asked. A mixin: it uses the pipeline's detection,
stabiliser, crop and rendering through their public methods (`pipeline.Animator`), which
offers these operations as its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

import numpy as np

from flowmark_core.animate.motion_transfer import find_best_frame
from flowmark_core.animate.results import FrameResult, KeypointTrack
from flowmark_core.animate.track_frames import TrackRecorder, keypoints_at, raw_at

if TYPE_CHECKING:
    from flowmark_core.animate.pipeline import Animator

Progress = Callable[[int, int | None], None]
DEFAULT_TRACK_FPS = 25.0
"""Recorded in a track whose frame rate nobody gave (frames from a list, not a video)."""


class VideoTracker:
    """`Animator.track`, `render_from_track`, `reference_from_track`, `best_frame`, `animate`,
    built on the animator's public frame operations."""

    def __init__(self, animator: Animator) -> None:
        self.animator = animator

    def track(
        self,
        frames: Iterable[np.ndarray],
        fps: float | None = None,
        progress: Progress | None = None,
        total: int | None = None,
        on_prepared: Callable[[np.ndarray], None] | None = None,
    ) -> KeypointTrack:
        """Detect and stabilise keypoints over a whole video (one pass, online stabiliser).

        Every frame is cut with the clip's one box (`driving_box`: the framing's), recorded
        in the track as `crop_box`.

        Args:
            fps: the video's frame rate: the stabiliser's time step, recorded in the track.
            on_prepared: called with each frame as the model sees it (S x S), in order.
        """
        a = self.animator
        a.set_fps(fps)
        a.reset_stabilizer()
        box, stream = a.driving_box(frames)
        recorder = TrackRecorder()
        for i, frame in enumerate(stream):
            prepared = a.prepare(frame, box)
            if on_prepared is not None:
                on_prepared(prepared)
            recorder.add(*a.stabilize(prepared))
            if progress is not None:
                progress(i + 1, total)
        fps_used = a.fps or DEFAULT_TRACK_FPS
        return recorder.finish(a.size, fps_used, a.stabilizer_name, box)

    def render_from_track(
        self,
        frame: np.ndarray,
        track: KeypointTrack,
        index: int,
        stabilized: bool = True,
        with_heatmaps: bool | None = None,
    ) -> FrameResult:
        """Render frame `index` of a tracked video (random access: scrubbing, rendering).

        The frame is cut with the track's own `crop_box` (its centred square when it has
        none), so a frame
        renders the same whichever frames were rendered before. Heatmaps (default: when in
        `outputs`) come from the track when it kept them, else the frame is detected again.
        """
        a = self.animator
        prepared = a.prepare(frame, track.crop_box)
        want_heat = "heatmaps" in a.outputs if with_heatmaps is None else with_heatmaps
        heat = None
        if want_heat:
            if track.heatmaps is not None:
                heat = track.heatmaps[index].astype(np.float32)
            else:
                heat = a.detect(prepared, heatmaps=True).heatmap
        value, jac = keypoints_at(track, index, stabilized)
        return a.render(prepared, raw_at(track, index, heat), value, jac, index)

    def reference_from_track(
        self, track: KeypointTrack, index: int, stabilized: bool = True
    ) -> None:
        """Make frame `index` of a track the reference of relative motion (recalibrate)."""
        self.animator.set_reference(*keypoints_at(track, index, stabilized))

    def best_frame(self, track: KeypointTrack) -> int:
        """The driving frame whose normalised keypoints best match the source's."""
        return find_best_frame(self.animator.source_keypoints.value, track.stable)

    def animate(
        self,
        frames: Iterable[np.ndarray],
        find_best: bool = False,
        progress: Progress | None = None,
        total: int | None = None,
        fps: float | None = None,
    ) -> Iterator[FrameResult]:
        """Batch API over a driving video at `fps` (its frame rate), face-cropped (if on)
        with one box for the whole video. With `find_best`, `frames` must be re-iterable: a
        first pass tracks keypoints and picks the reference frame, a second renders."""
        a = self.animator
        a.reset_stream(fps)
        if not find_best:
            box, stream = a.driving_box(frames)  # one box for the video, as `track`
            for i, frame in enumerate(stream):
                yield a.step(a.prepare(frame, box))
                if progress is not None:
                    progress(i + 1, total)
            return
        track = self.track(frames, fps)
        self.reference_from_track(track, self.best_frame(track))
        for i, frame in enumerate(frames):
            yield self.render_from_track(frame, track, i)
            if progress is not None:
                progress(i + 1, total)
