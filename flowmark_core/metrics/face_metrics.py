"""Face-video metrics of FOMM papers: AKD, MKR and AED, computed through a `FaceBackend`.

Per-frame detections are lists with one entry per frame: an array, or None when the backend
found no face. A landmark array may also mark single missed landmarks with NaN rows.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

import numpy as np

from flowmark_core.metrics.face_backend import FaceBackend

Detections = Sequence[np.ndarray | None]


def _landmark_rows(real: Detections, generated: Detections) -> list[tuple[np.ndarray, ...]]:
    """Pairs of (L, 2) arrays with missed frames turned into all-NaN arrays."""
    if len(real) != len(generated):
        raise ValueError(f"real and generated differ in length: {len(real)} vs {len(generated)}")
    shapes = {np.shape(x) for x in (*real, *generated) if x is not None}
    if len(shapes) > 1:
        raise ValueError(f"landmark arrays differ in shape: {sorted(shapes)}")
    shape = shapes.pop() if shapes else (0, 2)
    missing = np.full(shape, np.nan)
    return [
        tuple(missing if x is None else np.asarray(x, dtype=np.float64) for x in pair)
        for pair in zip(real, generated)
    ]


def akd(real_landmarks: Detections, gen_landmarks: Detections) -> float:
    """Average keypoint distance.

    Definition: mean, over every (frame, landmark) detected in both the real and the generated
    frame, of the Euclidean distance in pixels between the two detections.

    Args:
        real_landmarks: per frame, (L, 2) landmarks of the real video or None.
        gen_landmarks: per frame, (L, 2) landmarks of the generated video or None.

    Returns:
        AKD in pixels; NaN when no landmark is detected in both.

    Shape:
        each entry: (L, 2) pixels (x, y) or None.
    """
    dists = []
    for real, gen in _landmark_rows(real_landmarks, gen_landmarks):
        both = np.all(np.isfinite(real), axis=-1) & np.all(np.isfinite(gen), axis=-1)
        dists.append(np.linalg.norm(real[both] - gen[both], axis=-1))
    values = np.concatenate(dists) if dists else np.zeros(0)
    return float(values.mean()) if values.size else float("nan")


def mkr(real_landmarks: Detections, gen_landmarks: Detections) -> float:
    """Missing keypoint rate.

    Definition: among the (frame, landmark) pairs detected in the real video, the share not
    detected in the generated one. With a whole-face detector (all landmarks or none) this is
    the share of frames with a face in the real video but none in the generated one.

    Args:
        real_landmarks: per frame, (L, 2) landmarks of the real video or None.
        gen_landmarks: per frame, (L, 2) landmarks of the generated video or None.

    Returns:
        MKR in [0, 1]; NaN when nothing is detected in the real video.

    Shape:
        each entry: (L, 2) pixels or None.
    """
    detected = 0
    missed = 0
    for real, gen in _landmark_rows(real_landmarks, gen_landmarks):
        in_real = np.all(np.isfinite(real), axis=-1)
        in_gen = np.all(np.isfinite(gen), axis=-1)
        detected += int(in_real.sum())
        missed += int((in_real & ~in_gen).sum())
    return missed / detected if detected else float("nan")


def aed(real_embeddings: Detections, gen_embeddings: Detections) -> float:
    """Average embedding distance.

    Definition: mean, over frames with a face in both videos, of the Euclidean distance between
    the identity embeddings of the real and the generated frame.

    Args:
        real_embeddings: per frame, a (D,) embedding of the real video or None.
        gen_embeddings: per frame, a (D,) embedding of the generated video or None.

    Returns:
        AED (in embedding units); NaN when no frame has a face in both.

    Shape:
        each entry: (D,) or None.
    """
    if len(real_embeddings) != len(gen_embeddings):
        raise ValueError(
            f"real and generated differ in length: {len(real_embeddings)} vs {len(gen_embeddings)}"
        )
    dists = [
        float(np.linalg.norm(np.asarray(r, np.float64) - np.asarray(g, np.float64)))
        for r, g in zip(real_embeddings, gen_embeddings)
        if r is not None and g is not None
    ]
    return float(np.mean(dists)) if dists else float("nan")


def evaluate_face_metrics(
    real_frames: Iterable[np.ndarray], gen_frames: Iterable[np.ndarray], backend: FaceBackend
) -> dict[str, float]:
    """AKD, MKR and AED of a generated video against the real one, frame by frame.

    Frames are streamed: only per-frame landmarks and embeddings are kept.

    Args:
        real_frames: real frames, uint8 RGB.
        gen_frames: generated frames of the same size and count.
        backend: the face backend (e.g. `DlibFaceBackend()`).

    Returns:
        {"akd": px, "mkr": share, "aed": embedding distance, "frames": count,
        "frames_with_face_in_both": count}; metrics are NaN when undefined (see each).

    Shape:
        each frame: (H, W, 3).
    """
    real_lm: list[np.ndarray | None] = []
    gen_lm: list[np.ndarray | None] = []
    real_emb: list[np.ndarray | None] = []
    gen_emb: list[np.ndarray | None] = []
    for real, gen in itertools.zip_longest(real_frames, gen_frames):
        if real is None or gen is None:  # frames are arrays: None means one video ended
            raise ValueError("real and generated videos differ in frame count")
        for frame, lms, embs in ((real, real_lm, real_emb), (gen, gen_lm, gen_emb)):
            lm = backend.landmarks(frame)
            lms.append(lm)
            embs.append(None if lm is None else backend.embedding(frame))
    both = sum(r is not None and g is not None for r, g in zip(real_lm, gen_lm))
    return {
        "akd": akd(real_lm, gen_lm),
        "mkr": mkr(real_lm, gen_lm),
        "aed": aed(real_emb, gen_emb),
        "frames": float(len(real_lm)),
        "frames_with_face_in_both": float(both),
    }
