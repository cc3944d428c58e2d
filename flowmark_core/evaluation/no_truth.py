"""Evaluate models on a folder of videos without ground truth (real footage).

Per clip: a fixed square face crop is chosen once (the face-mesh reference's face box on the
first frame where it finds one, with a margin — also with the reference's scores switched
off, so both runs crop alike; the Haar face box when mediapipe is not installed; the
centred square when neither finds a face), every frame is cropped to it and reconstructed
from the first with its own (stabilised) keypoints, and scored by what needs no annotation:

- reconstruction L1 vs the identity baseline, keypoint acceleration, flow residual;
- with mediapipe installed: landmark-follow NME/NMJ against the face-mesh reference
  (`flowmark_core.metrics.reference_follow.landmark_follow`, inter-ocular normalised), the
  reference's own acceleration, and its noise floor on the clip's first crop warped along a
  known smooth path.

The reference runs on the same crop at `REFERENCE_SIDE` px; its landmarks are scaled to the
model's pixels.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from flowmark_core.animate import Animator
from flowmark_core.animate.face_crop import CropBox, FaceCropper, crop, whole_image_box
from flowmark_core.checkpoints import resolve_model_path
from flowmark_core.data.layout import list_videos, video_name
from flowmark_core.data.video_folder import VideoEntry
from flowmark_core.errors import DatasetError, FlowmarkError
from flowmark_core.evaluation.accumulate import VariantTotals, VideoStream
from flowmark_core.evaluation.face import FaceDetections, face_scores, open_face_backend
from flowmark_core.evaluation.options import EvalOptions
from flowmark_core.evaluation.results import EvaluationResults, VariantResult, finite_or_none
from flowmark_core.evaluation.runner import model_labels
from flowmark_core.flow import FlowEstimator
from flowmark_core.metrics import FaceBackend, keypoint_acceleration
from flowmark_core.metrics.reconstruction import reconstruction_l1
from flowmark_core.metrics.reference_follow import landmark_follow, reference_noise_floor
from flowmark_core.metrics.reference_mesh import MediaPipeReference
from flowmark_core.stabilize import make_stabilizer

REFERENCE_SIDE = 256
CROP_MARGIN = 0.9  # crop side = (1 + margin) x the larger side of the mesh's face box
FLOOR_FRAMES = 32
HEAD_FRAMES = 10  # the first frames, where the face crop of a clip is looked for

Progress = Callable[[int], None]


def is_clip_folder(folder: str | Path) -> bool:
    """True for a folder of videos (no train/ or test/ split): the no-ground-truth protocol."""
    root = Path(folder)
    return root.is_dir() and not any((root / split).is_dir() for split in ("train", "test"))


def clip_entries(folder: str | Path, max_videos: int | None = None) -> list[VideoEntry]:
    """The videos (files or frame folders) directly in `folder`, naturally sorted.

    Raises:
        DatasetError: the folder is missing or holds no videos.
    """
    root = Path(folder)
    if not root.is_dir():
        raise DatasetError(f"{root}: folder of videos not found")
    entries = [VideoEntry(video_name(p), p) for p in list_videos(root)]
    return entries if max_videos is None else entries[:max_videos]


def face_box(
    frames: Sequence[np.ndarray], reference: MediaPipeReference | None, margin: float = CROP_MARGIN
) -> CropBox:
    """A fixed square crop around the face of a clip (see the module docstring)."""
    if reference is not None:
        for frame in frames[:HEAD_FRAMES]:
            mesh = reference.mesh(frame)
            if mesh is not None:
                lo, hi = mesh.min(axis=0), mesh.max(axis=0)
                side = float(max(hi - lo)) * (1.0 + margin)
                cx, cy = (lo + hi) / 2.0
                return CropBox(cx - side / 2.0, cy - side / 2.0, side)
    found = FaceCropper(margin=margin).detect(frames[0])
    return found if found is not None else whole_image_box(frames[0])


@dataclass
class ClipReference:
    """The reference on one clip: landmarks in model px (NaN without a face) and its floor."""

    landmarks: np.ndarray
    floor_nmj: float | None
    acceleration: float | None

    def at_size(self, model_size: int) -> ClipReference:
        """The same reference with landmarks and acceleration in pixels of `model_size`."""
        scale = model_size / REFERENCE_SIDE
        accel = None if self.acceleration is None else self.acceleration * scale
        return ClipReference((self.landmarks + 0.5) * scale - 0.5, self.floor_nmj, accel)


def clip_reference(reference: MediaPipeReference, crops: Sequence[np.ndarray]) -> ClipReference:
    """Reference landmarks of every crop, in pixels of the crops (`REFERENCE_SIDE`)."""
    landmarks = reference.track(list(crops))
    floor = None
    try:
        floor = reference_noise_floor(crops[0], reference.landmarks, FLOOR_FRAMES).nmj
    except ValueError:  # no face in the first crop
        floor = None
    found = np.all(np.isfinite(landmarks), axis=(1, 2))
    accel = None
    if found.all() and len(landmarks) >= 3:
        accel = keypoint_acceleration(landmarks)
    return ClipReference(landmarks, finite_or_none(floor), finite_or_none(accel))


@dataclass
class _FollowTotals:
    """Frame-weighted pooling of per-clip follow scores."""

    nme_sum: float = 0.0
    nmj_sq_sum: float = 0.0
    frames: int = 0

    def add(self, nme: float, nmj: float, frames: int) -> None:
        if np.isfinite(nme) and np.isfinite(nmj) and frames:
            self.nme_sum += nme * frames
            self.nmj_sq_sum += nmj**2 * frames
            self.frames += frames

    def pooled(self) -> tuple[float | None, float | None]:
        if not self.frames:
            return None, None
        return self.nme_sum / self.frames, float(np.sqrt(self.nmj_sq_sum / self.frames))


def _open_clip(
    entry: VideoEntry, max_frames: int | None
) -> tuple[list[np.ndarray], Iterator[np.ndarray]]:
    """The clip's first `HEAD_FRAMES` frames (where its crop is chosen) and an iterator over
    all its frames, those included, decoded one at a time.

    Raises:
        DatasetError: the clip has fewer than two frames.
    """
    frames = itertools.islice(iter(entry.open()), max_frames)
    head = list(itertools.islice(frames, HEAD_FRAMES))
    if len(head) < 2:
        raise DatasetError(f"{entry.path}: {len(head)} frame(s); at least 2 are needed")
    return head, itertools.chain(head, frames)


class _ReferenceTrack:
    """The reference's landmarks of a clip's crops, gathered frame by frame."""

    def __init__(self, reference: MediaPipeReference) -> None:
        self.reference = reference
        self.landmarks: list[np.ndarray] = []
        self.floor: float | None = None

    def add(self, ref_crop: np.ndarray) -> None:
        """Landmarks of one crop (NaN without a face); the noise floor on the first."""
        if not self.landmarks:
            try:
                floor = reference_noise_floor(ref_crop, self.reference.landmarks, FLOOR_FRAMES)
                self.floor = floor.nmj
            except ValueError:  # no face in the first crop
                self.floor = None
        found = self.reference.landmarks(ref_crop)
        self.landmarks.append(
            np.full((len(MediaPipeReference.names), 2), np.nan) if found is None else found
        )

    def result(self) -> ClipReference:
        """The clip's reference, as `clip_reference` computes it from all crops at once."""
        landmarks = np.stack(self.landmarks)
        found = np.all(np.isfinite(landmarks), axis=(1, 2))
        accel = None
        if found.all() and len(landmarks) >= 3:
            accel = keypoint_acceleration(landmarks)
        return ClipReference(landmarks, finite_or_none(self.floor), finite_or_none(accel))


def evaluate_clips(
    folder: str | Path,
    models: Sequence[str | Path | None],
    options: EvalOptions | None = None,
    use_reference: bool = True,
    config: str | Path | None = None,
    device: str = "cpu",
    precision: str = "float32",
    progress: Progress | None = None,
) -> EvaluationResults:
    """Evaluate models (each with every requested stabiliser) on videos without ground truth.

    Args:
        folder: a folder of video files or frame folders.
        models: checkpoint paths or bundled model names (None = the default model).
        options: stabilisers, max_videos, max_frames, flow preset, fb threshold.
        use_reference: score against the face-mesh reference when mediapipe is installed.
        config, device, precision: as in `evaluate`.
        progress: called after each frame of each model.

    Returns:
        Results whose rows carry L1, acceleration, flow residual and the ref_* metrics.

    Raises:
        DatasetError: no videos in `folder`, or one has fewer than two frames.
    """
    options = options or EvalOptions()
    entries = clip_entries(folder, options.max_videos)
    # The face mesh chooses the crop whenever it is installed, scoring or not, so that
    # --no-reference crops (and so L1 and the identity baseline) match a scored run.
    mesh, skipped = None, {}
    try:
        mesh = MediaPipeReference(min_side=REFERENCE_SIDE)
    except FlowmarkError as exc:
        if use_reference:
            skipped["reference"] = f"ref NME/NMJ not computed: {exc}"
    if not use_reference:
        skipped["reference"] = "reference landmarks switched off (--no-reference)"
    reference = mesh if use_reference else None
    skipped["landmarks"] = "NME/NMJ not computed: videos without ground truth"
    backend, face_reason = open_face_backend(options.face_metrics)  # the frame is the truth
    if face_reason:
        skipped["face"] = face_reason
    paths = [resolve_model_path(model) for model in models]
    animators = [
        Animator.from_checkpoint(p, config=config, device=device, precision=precision)
        for p in paths
    ]
    totals = {
        (m, name): VariantTotals(name) for m in range(len(paths)) for name in options.stabilizers
    }
    follow = {key: _FollowTotals() for key in totals}
    faces = {key: (FaceDetections(), FaceDetections()) for key in totals}  # (real, rebuilt)
    floors: list[float] = []
    ref_accels: list[float] = []
    notes = []
    flow = FlowEstimator("dis", options.flow_preset)
    for entry in entries:
        head, frames = _open_clip(entry, options.max_frames)
        box = face_box(head, mesh)
        del head  # the iterator still holds these until it passes them
        track = None if reference is None else _ReferenceTrack(reference)
        runs = [_ClipRun(animator, options, flow, backend) for animator in animators]
        count = 0
        for frame in frames:  # one frame in memory at a time, whatever the clip's length
            ref_crop = crop(frame, box, REFERENCE_SIDE)
            if track is not None:
                track.add(ref_crop)
            for run in runs:
                run.step(ref_crop)
                if progress is not None:
                    progress(1)
            count += 1
        notes.append(
            f"{entry.name}: {count} frames, crop x={box.x:.0f} y={box.y:.0f} side={box.size:.0f} px"
        )
        clip_ref = None if track is None else track.result()
        if clip_ref is not None and clip_ref.floor_nmj is not None:
            floors.append(clip_ref.floor_nmj)
        for m, run in enumerate(runs):
            sized = None if clip_ref is None else clip_ref.at_size(run.animator.size)
            if m == 0 and sized is not None and sized.acceleration is not None:
                ref_accels.append(sized.acceleration)
            run.finish(entry, m, totals, follow, sized)
            if backend is not None:
                run.score_faces(m, totals, faces)
    if mesh is not None:
        mesh.close()
    floor = float(np.mean(floors)) if floors else None
    ref_accel = float(np.mean(ref_accels)) if ref_accels else None
    rows: list[VariantResult] = []
    for m, (path, label) in enumerate(zip(paths, model_labels(paths))):
        animator = animators[m]
        for name in options.stabilizers:
            face = None if backend is None else face_scores(*faces[(m, name)])
            row = totals[(m, name)].result(label, str(path), animator.size, animator.num_kp, face)
            ref_nme, ref_nmj = follow[(m, name)].pooled()
            rows.append(
                replace(
                    row,
                    ref_nme=finite_or_none(ref_nme),
                    ref_nmj=finite_or_none(ref_nmj),
                    ref_floor_nmj=finite_or_none(floor),
                    ref_acceleration=finite_or_none(ref_accel),
                )
            )
    return EvaluationResults(
        data_dir=str(folder),
        options={**asdict(options), "use_reference": use_reference, "protocol": "no-truth"},
        rows=tuple(rows),
        skipped=skipped,
        notes=tuple(notes),
    )


class _ClipRun:
    """One model over one clip, every stabiliser side by side, fed one frame at a time.

    Holds no frames: per frame it keeps the stabilised keypoints (in each `VideoStream`) and,
    with face metrics, the face detections of the frame and of each reconstruction.
    """

    def __init__(
        self,
        animator: Animator,
        options: EvalOptions,
        flow: FlowEstimator,
        backend: FaceBackend | None,
    ) -> None:
        animator.set_transfer(mode="absolute")
        self.animator = animator
        self.flow = flow
        self.backend = backend
        self.streams = {
            name: VideoStream(make_stabilizer(name, animator.size), options.fb_threshold)
            for name in options.stabilizers
        }
        self.real = FaceDetections()
        self.rebuilt = {name: FaceDetections() for name in self.streams}
        self.identity_sum = 0.0
        self.index = 0
        self.previous: np.ndarray | None = None

    def step(self, ref_crop: np.ndarray) -> None:
        """Reconstruct the next frame (its crop at `REFERENCE_SIDE`) from the clip's first."""
        animator = self.animator
        prepared = animator.prepare(ref_crop)
        if self.index == 0:
            animator.set_source(prepared)
        raw = animator.detect(prepared)
        pair = None if self.previous is None else self.flow.pair(self.previous, prepared)
        self.identity_sum += reconstruction_l1(prepared, animator.source_image)
        if self.backend is not None:
            self.real.add(self.backend, prepared)
        for name, stream in self.streams.items():
            output = stream.step(animator, prepared, raw, pair, self.index)
            if self.backend is not None:
                self.rebuilt[name].add(self.backend, output)
        self.previous = prepared
        self.index += 1

    def finish(
        self,
        entry: VideoEntry,
        model_index: int,
        totals: dict[tuple[int, str], VariantTotals],
        follow: dict[tuple[int, str], _FollowTotals],
        clip_ref: ClipReference | None,
    ) -> None:
        """Fold the finished clip into the totals (and the landmark-follow scores)."""
        for name, stream in self.streams.items():
            key = (model_index, name)
            totals[key].add_video(entry.name, stream, self.identity_sum, None, None)
            if clip_ref is None:
                continue
            score = landmark_follow(stream.track, clip_ref.landmarks)
            follow[key].add(score.nme, score.nmj, score.scored_frames)
            last = totals[key].per_video[-1]
            totals[key].per_video[-1] = replace(
                last,
                ref_nme=finite_or_none(score.nme),
                ref_nmj=finite_or_none(score.nmj),
                ref_floor_nmj=clip_ref.floor_nmj,
                ref_acceleration=clip_ref.acceleration,
            )

    def score_faces(
        self,
        model_index: int,
        totals: dict[tuple[int, str], VariantTotals],
        faces: dict[tuple[int, str], tuple[FaceDetections, FaceDetections]],
    ) -> None:
        """AKD / AED of the finished clip (each frame is its own truth), per clip and pooled."""
        for name, rebuilt in self.rebuilt.items():
            variant = totals[(model_index, name)]
            score = face_scores(self.real, rebuilt)
            variant.per_video[-1] = replace(
                variant.per_video[-1],
                akd=finite_or_none(score["akd"]),
                aed=finite_or_none(score["aed"]),
            )
            pooled_real, pooled_rebuilt = faces[(model_index, name)]
            for pooled, clip in ((pooled_real, self.real), (pooled_rebuilt, rebuilt)):
                pooled.landmarks += clip.landmarks
                pooled.embeddings += clip.embeddings
