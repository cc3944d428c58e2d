"""Running sums of one (model, stabiliser) variant, per video and pooled over the test split.

Pooling follows each metric's definition over the whole split: L1 is the mean over all frames;
flow residual and acceleration are means over all (transition, keypoint) terms; NME is the
mean over all visible (frame, landmark) pairs; NMJ is the RMS over all frame transitions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from flowmark_core.animate import Animator, DetectedKeypoints
from flowmark_core.evaluation.face import FaceDetections
from flowmark_core.evaluation.results import VariantResult, VideoMetrics, finite_or_none
from flowmark_core.flow import FlowPair
from flowmark_core.metrics import jitter_report, keypoint_acceleration, nme, nmj
from flowmark_core.metrics.reconstruction import reconstruction_l1
from flowmark_core.stabilize import Stabilizer


@dataclass
class VideoStream:
    """One variant running over one test video: stabilise, render, score frame by frame."""

    stabilizer: Stabilizer
    fb_threshold: float
    values: list[np.ndarray] = field(default_factory=list)
    l1_sum: float = 0.0
    residual_sum: float = 0.0
    residual_count: int = 0

    def step(
        self,
        animator: Animator,
        prepared: np.ndarray,
        raw: DetectedKeypoints,
        flow: FlowPair | None,
        index: int,
    ) -> np.ndarray:
        """Stabilise this frame's keypoints, reconstruct the frame from them, score it.

        Args:
            animator: holds the source (first frame), in absolute transfer mode.
            prepared: the driving frame at model size.
            raw: its detected keypoints.
            flow: flow from the previous prepared frame to this one (None at frame 0).
            index: the frame index.

        Returns:
            The reconstruction, (S, S, 3) uint8.
        """
        value, jacobian = self.stabilizer.update(raw.value, raw.jacobian, prepared)
        if flow is not None and self.values:
            pair_track = np.stack([self.values[-1], value])
            report = jitter_report(
                pair_track, flow.forward[None], flow.error[None], self.fb_threshold
            )
            counted = np.isfinite(report.flow_residual)
            self.residual_sum += float(report.flow_residual[counted].sum())
            self.residual_count += int(counted.sum())
        self.values.append(np.asarray(value, dtype=np.float64))
        output = animator.render(prepared, raw, value, jacobian, index).output
        self.l1_sum += reconstruction_l1(prepared, output)
        return output

    @property
    def track(self) -> np.ndarray:
        """The stabilised keypoints so far, px at model size. Shape: (T, K, 2)."""
        return np.stack(self.values)


@dataclass(frozen=True)
class LandmarkTruth:
    """Ground truth of one test video, cut to the evaluated frames, and the video size.

    Shape:
        landmarks: (T, L, 2) px; visible: (T, L) bool.
    """

    landmarks: np.ndarray
    visible: np.ndarray
    video_size: tuple[int, int]


def transition_jitter_squares(pred: np.ndarray, gt: np.ndarray, visible: np.ndarray) -> list[float]:
    """NMJ² of each usable frame transition, so NMJ can be pooled over many videos.

    Shape:
        pred, gt: (T, L, 2); visible: (T, L).
    """
    squares = []
    for t in range(len(gt) - 1):
        value = nmj(pred[t : t + 2], gt[t : t + 2], visible[t : t + 2])
        if np.isfinite(value):
            squares.append(value**2)
    return squares


@dataclass
class VariantTotals:
    """Everything one variant collected over the test split, turned into a `VariantResult`."""

    stabilizer: str
    faces: FaceDetections = field(default_factory=FaceDetections)
    per_video: list[VideoMetrics] = field(default_factory=list)
    l1_sum: float = 0.0
    identity_sum: float = 0.0
    frames: int = 0
    residual_sum: float = 0.0
    residual_count: int = 0
    accel_sum: float = 0.0
    accel_count: int = 0
    preds: list[np.ndarray] = field(default_factory=list)
    truths: list[np.ndarray] = field(default_factory=list)
    visibles: list[np.ndarray] = field(default_factory=list)
    jitter_squares: list[float] = field(default_factory=list)

    def add_video(
        self,
        name: str,
        stream: VideoStream,
        identity_sum: float,
        predicted: np.ndarray | None,
        truth: LandmarkTruth | None,
    ) -> None:
        """Fold one finished video in.

        Args:
            name: the video's name.
            stream: this variant's stream over the video.
            identity_sum: sum over its frames of the identity-baseline L1.
            predicted: landmarks regressed from the stabilised track (video px), or None.
            truth: the matching ground truth, or None.
        """
        track = stream.track
        frames = len(track)
        accel_terms = max(frames - 2, 0) * track.shape[1]
        accel = keypoint_acceleration(track)
        if accel_terms:
            self.accel_sum += accel * accel_terms
            self.accel_count += accel_terms
        self.l1_sum += stream.l1_sum
        self.identity_sum += identity_sum
        self.frames += frames
        self.residual_sum += stream.residual_sum
        self.residual_count += stream.residual_count
        video_nme = video_nmj = None
        if predicted is not None and truth is not None:
            video_nme = nme(predicted, truth.landmarks, truth.visible)
            video_nmj = nmj(predicted, truth.landmarks, truth.visible)
            self.preds.append(predicted)
            self.truths.append(truth.landmarks)
            self.visibles.append(truth.visible)
            self.jitter_squares += transition_jitter_squares(
                predicted, truth.landmarks, truth.visible
            )
        residual = stream.residual_sum / stream.residual_count if stream.residual_count else None
        self.per_video.append(
            VideoMetrics(
                name=name,
                frames=frames,
                l1=stream.l1_sum / frames,
                identity_l1=identity_sum / frames,
                nme=finite_or_none(video_nme),
                nmj=finite_or_none(video_nmj),
                flow_residual=finite_or_none(residual),
                acceleration=finite_or_none(accel),
            )
        )

    def pooled_landmarks(self) -> tuple[float | None, float | None]:
        """(NME, NMJ) over all evaluated test frames with ground truth."""
        if not self.preds:
            return None, None
        pooled_nme = nme(
            np.concatenate(self.preds), np.concatenate(self.truths), np.concatenate(self.visibles)
        )
        pooled_nmj = float(np.sqrt(np.mean(self.jitter_squares))) if self.jitter_squares else None
        return finite_or_none(pooled_nme), pooled_nmj

    def result(
        self,
        model: str,
        model_path: str,
        image_size: int,
        num_kp: int,
        face: dict[str, float | int] | None,
    ) -> VariantResult:
        """The finished row (`face` holds `face_scores` output, or None when skipped)."""
        pooled_nme, pooled_nmj = self.pooled_landmarks()
        face = face or {}
        frames_with_face = face.get("face_frames")
        return VariantResult(
            model=model,
            model_path=model_path,
            stabilizer=self.stabilizer,
            image_size=image_size,
            num_kp=num_kp,
            videos=len(self.per_video),
            frames=self.frames,
            l1=self.l1_sum / self.frames,
            identity_l1=self.identity_sum / self.frames,
            akd=finite_or_none(face.get("akd")),
            mkr=finite_or_none(face.get("mkr")),
            aed=finite_or_none(face.get("aed")),
            face_frames=None if frames_with_face is None else int(frames_with_face),
            nme=pooled_nme,
            nmj=pooled_nmj,
            flow_residual=(
                self.residual_sum / self.residual_count if self.residual_count else None
            ),
            acceleration=self.accel_sum / self.accel_count if self.accel_count else None,
            per_video=tuple(self.per_video),
        )
