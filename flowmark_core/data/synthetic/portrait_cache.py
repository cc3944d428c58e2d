"""Fitted portrait faces kept on disk while a `faces-photo --portraits` data set is written.

Meshing a portrait takes most of a second, so each one a data set needs is meshed once (by
any worker) into a small `.npz` in the data set's temporary folder, and every clip loads the
face it needs from there. A worker keeps the last few faces it loaded, so memory stays flat
however many portraits there are.
"""

from __future__ import annotations

import functools
from pathlib import Path

import cv2
import numpy as np

from flowmark_core.data.synthetic.face_mesh_fit import PortraitFace, fit_faces

FITTED = "fitted"
NO_FACE = "no-face"
TURNED = "turned"
UNREADABLE = "unreadable"
MAX_YAW_DEG = 35.0
"""Faces turned further than this are skipped by default: the clip turns the head up to ~15 degrees more,
far-side landmarks would be hidden but counted visible, and the warp stretches the far cheek
(a profile photo in the real-faces collection fits at 64 degrees; frontal ones within 25)."""
_EYE_OUTER = (33, 263)  # MediaPipe mesh: the subject's right and left outer eye corners
_LOADED_FACES = 4  # faces a worker keeps (clips of one look come one after another)


def fit_portrait(task: tuple[Path, str, Path, float]) -> str:
    """Mesh the largest face of one portrait into `cache_file`.

    Args:
        task: (portrait image, its name for reports, cache file to write (ending `.npz`),
            the largest |yaw| kept in degrees).

    Returns:
        `FITTED`, `NO_FACE` (no face detected or meshed), `TURNED` (|yaw| over the limit)
        or `UNREADABLE` (not an image).
    """
    path, name, cache_file, max_yaw = task
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        return UNREADABLE
    faces = fit_faces(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), name, max_faces=1)
    if not faces:
        return NO_FACE
    face = faces[0]
    if abs(face_yaw(face.mesh)) > max_yaw:
        return TURNED
    # Compressed: about 0.55 MB a face (1.8 MB raw), 70 ms more to write, 25 ms to load.
    np.savez_compressed(
        cache_file, image=face.image, mesh=face.mesh, person=face.person, name=face.name
    )
    return FITTED


def face_yaw(mesh: np.ndarray) -> float:
    """How far a fitted face is turned left or right, in degrees (0 = frontal): the angle of
    the line between the outer eye corners out of the image plane.

    Shape:
        mesh: (478, 3) MediaPipe vertices (x, y, z in pixels).
    """
    right, left = mesh[_EYE_OUTER[0]], mesh[_EYE_OUTER[1]]
    across = left - right
    return float(np.degrees(np.arctan2(-across[2], np.hypot(across[0], across[1]))))


@functools.lru_cache(maxsize=_LOADED_FACES)
def load_face(cache_file: Path) -> PortraitFace:
    """A face written by `fit_portrait`."""
    with np.load(cache_file, allow_pickle=False) as data:
        return PortraitFace(data["image"], data["mesh"], data["person"], str(data["name"]))
