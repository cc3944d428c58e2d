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
from collections.abc import Callable, Sequence
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
        for frame in frames[:10]:
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


def _read_clip(entry: VideoEntry, max_frames: int | None) -> list[np.ndarray]:
    frames = list(itertools.islice(entry.open(), max_frames))
    if len(frames) < 2:
        raise DatasetError(f"{entry.path}: {len(frames)} frame(s); at least 2 are needed")
    return frames


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
        frames = _read_clip(entry, options.max_frames)
        box = face_box(frames, mesh)
        ref_crops = [crop(f, box, REFERENCE_SIDE) for f in frames]
        notes.append(
            f"{entry.name}: {len(frames)} frames, crop x={box.x:.0f} y={box.y:.0f} "
            f"side={box.size:.0f} px"
        )
        clip_ref = None if reference is None else clip_reference(reference, ref_crops)
        if clip_ref is not None and clip_ref.floor_nmj is not None:
            floors.append(clip_ref.floor_nmj)
        for m, animator in enumerate(animators):
            prepared_frames = [animator.prepare(c) for c in ref_crops]
            sized = None if clip_ref is None else clip_ref.at_size(animator.size)
            if m == 0 and sized is not None and sized.acceleration is not None:
                ref_accels.append(sized.acceleration)
            rebuilt = _run_clip(
                animator, entry, prepared_frames, options, flow, m, totals, follow, sized
            )
            if backend is not None:
                _score_faces(backend, prepared_frames, rebuilt, m, totals, faces)
            if progress is not None:
                progress(len(frames))
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


def _run_clip(
    animator: Animator,
    entry: VideoEntry,
    prepared_frames: list[np.ndarray],
    options: EvalOptions,
    flow: FlowEstimator,
    model_index: int,
    totals: dict[tuple[int, str], VariantTotals],
    follow: dict[tuple[int, str], _FollowTotals],
    clip_ref: ClipReference | None,
) -> dict[str, list[np.ndarray]]:
    """One model over one clip, every stabiliser side by side; returns the reconstructions."""
    animator.set_transfer(mode="absolute")
    streams = {
        name: VideoStream(make_stabilizer(name, animator.size), options.fb_threshold)
        for name in options.stabilizers
    }
    outputs: dict[str, list[np.ndarray]] = {name: [] for name in streams}  # for AKD/AED
    identity_sum = 0.0
    previous = None
    for index, prepared in enumerate(prepared_frames):
        if index == 0:
            animator.set_source(prepared)
        raw = animator.detect(prepared)
        pair = None if previous is None else flow.pair(previous, prepared)
        identity_sum += reconstruction_l1(prepared, animator.source_image)
        for name, stream in streams.items():
            outputs[name].append(stream.step(animator, prepared, raw, pair, index))
        previous = prepared
    for name, stream in streams.items():
        key = (model_index, name)
        totals[key].add_video(entry.name, stream, identity_sum, None, None)
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
    return outputs


def _score_faces(
    backend: FaceBackend,
    real_frames: list[np.ndarray],
    rebuilt_frames: dict[str, list[np.ndarray]],
    model_index: int,
    totals: dict[tuple[int, str], VariantTotals],
    faces: dict[tuple[int, str], tuple[FaceDetections, FaceDetections]],
) -> None:
    """AKD / AED of the clip just run (each frame is its own truth), per clip and pooled."""
    real = FaceDetections()
    for frame in real_frames:
        real.add(backend, frame)
    for (m, name), variant in totals.items():
        if m != model_index:
            continue
        rebuilt = FaceDetections()
        for output in rebuilt_frames[name]:
            rebuilt.add(backend, output)
        score = face_scores(real, rebuilt)
        variant.per_video[-1] = replace(
            variant.per_video[-1],
            akd=finite_or_none(score["akd"]),
            aed=finite_or_none(score["aed"]),
        )
        pooled_real, pooled_rebuilt = faces[(m, name)]
        for pooled, clip in ((pooled_real, real), (pooled_rebuilt, rebuilt)):
            pooled.landmarks += clip.landmarks
            pooled.embeddings += clip.embeddings
