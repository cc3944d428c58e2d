"""Fit MediaPipe's 478-point face mesh (with depth) to the faces in real portraits.

Every face of a portrait becomes one `PortraitFace`: the portrait cropped around the face,
the mesh in that crop's pixels (z in pixels too, negative towards the camera, MediaPipe's
convention) and a person mask (MediaPipe selfie segmentation) for background swaps.
Faces are found with MediaPipe's full-range face detector first, then each is meshed in an
enlarged crop: the mesh finds no face when faces are small in a large frame (a group photo).
MediaPipe is imported only here and only when a portrait is fitted (optional dependency).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from flowmark_core.errors import FlowmarkError

MESH_POINTS = 478
_CROP_SCALE = 2.6  # crop side / detector box side
_MESH_INPUT = 384  # the face crop is meshed at this size


@dataclass(frozen=True)
class PortraitFace:
    """One face of a real portrait, ready to animate.

    Attributes:
        image: the portrait cropped (and scaled) around the face, RGB uint8.
        mesh: MediaPipe face-mesh vertices in `image` pixels (x, y pixel centres; z in
            pixels, negative towards the camera).
        person: person mask in [0, 1] (1 = the person), same size as `image`.
        name: where the face comes from, e.g. "t1.jpg#2".

    Shape:
        image: (H, W, 3); mesh: (478, 3) float64; person: (H, W) float32.
    """

    image: np.ndarray
    mesh: np.ndarray
    person: np.ndarray
    name: str


def _mediapipe():
    """The mediapipe module, through the face-mesh reference's importer (one install hint)."""
    from flowmark_core.metrics.reference_mesh import import_mediapipe

    return import_mediapipe()


@functools.lru_cache(maxsize=1)
def _solutions():
    mp = _mediapipe()
    return (
        mp.solutions.face_detection.FaceDetection(model_selection=1, min_detection_confidence=0.5),
        mp.solutions.face_mesh.FaceMesh(
            static_image_mode=True, max_num_faces=1, refine_landmarks=True
        ),
        mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=0),
    )


def _face_boxes(image: np.ndarray) -> list[tuple[float, float, float]]:
    """(centre x, centre y, side) in pixels of every detected face, largest first."""
    detector, _, _ = _solutions()
    h, w = image.shape[:2]
    found = detector.process(image).detections or []
    boxes = []
    for det in found:
        b = det.location_data.relative_bounding_box
        side = max(b.width * w, b.height * h)
        boxes.append((b.xmin * w + b.width * w / 2, b.ymin * h + b.height * h / 2, side))
    return sorted(boxes, key=lambda b: -b[2])


def _crop(
    image: np.ndarray, cx: float, cy: float, side: float, out: int
) -> tuple[np.ndarray, np.ndarray]:
    """A square crop of `side` px centred on (cx, cy), resized to `out` px (replicated edges).

    Returns the crop and the 2x3 affine map from image pixels to crop pixels.
    """
    s = out / side
    m = np.array([[s, 0.0, out / 2 - 0.5 - s * cx], [0.0, s, out / 2 - 0.5 - s * cy]])
    if s < 1:  # area-average first so the affine sample does not alias
        small = cv2.resize(image, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
        m_small = np.array(
            [[1.0, 0.0, m[0, 2] + 0.5 * (1 - s)], [0.0, 1.0, m[1, 2] + 0.5 * (1 - s)]]
        )
        return cv2.warpAffine(
            small, m_small, (out, out), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        ), m
    return cv2.warpAffine(
        image, m, (out, out), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    ), m


def fit_faces(
    image: np.ndarray, name: str, crop_size: int = 512, max_faces: int | None = None
) -> list[PortraitFace]:
    """Mesh every face of a portrait (largest first).

    Args:
        image: RGB uint8 portrait.
        name: where it comes from (used in `PortraitFace.name`).
        crop_size: side of each face crop in pixels.
        max_faces: stop once this many faces are meshed (None: all of them).

    Raises:
        FlowmarkError: mediapipe is not installed.
    """
    _, mesher, segmenter = _solutions()
    faces: list[PortraitFace] = []
    for k, (cx, cy, side) in enumerate(_face_boxes(image)):
        if max_faces is not None and len(faces) >= max_faces:
            break
        crop_side = side * _CROP_SCALE
        crop, _ = _crop(image, cx, cy, crop_side, crop_size)
        # Mesh the central part of the crop (the face fills it as a portrait would).
        inner_side = crop_size * 1.6 / _CROP_SCALE
        c = (crop_size - 1) / 2
        inner, m = _crop(crop, c, c, inner_side, _MESH_INPUT)
        result = mesher.process(inner)
        if not result.multi_face_landmarks:
            continue
        lm = result.multi_face_landmarks[0].landmark
        rel = np.array([[p.x, p.y, p.z] for p in lm], np.float64)
        px = rel[:, :2] * _MESH_INPUT - 0.5  # normalised image coords -> pixel centres
        inv_scale = 1.0 / m[0, 0]
        xy = (px - m[:, 2]) * inv_scale
        z = rel[:, 2] * _MESH_INPUT * inv_scale
        person = segmenter.process(crop).segmentation_mask.astype(np.float32)
        faces.append(PortraitFace(crop, np.column_stack([xy, z]), person, f"{name}#{k}"))
    return faces


def fit_image_mesh(image: np.ndarray) -> np.ndarray | None:
    """The largest face's mesh in the image's own pixels, or None when no face is found.

    The face is found with the full-range detector and meshed in a crop around it (as
    `fit_faces` does), then mapped back to `image`: x, y pixel centres as in
    `flowmark_core.geometry`'s pixel convention, z in the same pixels (negative towards the
    camera).

    Raises:
        FlowmarkError: mediapipe is not installed.

    Shape:
        image: (H, W, 3) RGB uint8; output: (478, 3) float64.
    """
    _, mesher, _ = _solutions()
    for cx, cy, side in _face_boxes(image):
        # The same view of the face as `fit_faces` meshes (1.6 detector boxes wide).
        inner, m = _crop(image, cx, cy, side * 1.6, _MESH_INPUT)
        result = mesher.process(inner)
        if not result.multi_face_landmarks:
            continue
        lm = result.multi_face_landmarks[0].landmark
        rel = np.array([[p.x, p.y, p.z] for p in lm], np.float64)
        inv_scale = 1.0 / m[0, 0]
        xy = (rel[:, :2] * _MESH_INPUT - 0.5 - m[:, 2]) * inv_scale
        return np.column_stack([xy, rel[:, 2] * _MESH_INPUT * inv_scale])
    return None


PORTRAITS: tuple[str, ...] = ("astronaut.png", "grace_hopper.jpg", "t1.jpg")
"""Real-media portraits (see `flowmark_core.data.real_media`) the faces-photo family uses."""


@functools.lru_cache(maxsize=1)
def portrait_faces() -> tuple[PortraitFace, ...]:
    """Every face of every cached portrait, meshed (once per process).

    Raises:
        InputFileError: a portrait is not in the real-media cache (saying how to fetch it).
        FlowmarkError: mediapipe is missing, or no face was found at all.
    """
    from flowmark_core.data.real_media import real_media_path

    faces: list[PortraitFace] = []
    for name in PORTRAITS:
        path = real_media_path(name)
        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if bgr is None:
            raise FlowmarkError(f"{path}: not a readable image")
        faces += fit_faces(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), name)
    if not faces:
        raise FlowmarkError(f"faces-photo: no face found in {', '.join(PORTRAITS)}")
    return tuple(faces)
