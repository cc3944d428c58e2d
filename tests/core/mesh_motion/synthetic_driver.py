"""The synthetic driver of the mesh-motion tests: Grace Hopper's photo (the `photo` fixture of
conftest) animated through its fitted mesh (`faces_photo.PhotoRenderer`) with a known jaw,
and the photo as a source of another size and framing."""

from __future__ import annotations

import cv2
import numpy as np

FRAMES = 16
JAW = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(FRAMES) / 8)  # closed at 0 and 8


def jaw_driver(photo: np.ndarray, jaw: np.ndarray) -> list[np.ndarray]:
    """The photo's face rendered at 224 px with the jaw opened by each value of `jaw`."""
    from flowmark_core.data.synthetic.face_mesh_fit import fit_faces
    from flowmark_core.data.synthetic.faces_photo import PhotoAppearance, PhotoRenderer
    from flowmark_core.data.synthetic.mesh_animation import Expression, Pose

    face = fit_faces(photo, "grace_hopper.jpg")[0]
    plain = PhotoAppearance(0, 0.25, (0.5, 0.42), False, 0.0, 1.0, 1.0, 0.0, 0.0, False, 0)
    renderer = PhotoRenderer(face, plain, 224)
    return [
        renderer.render(Pose(), Expression((0.0, 0.0), float(j), 0.0), (0.0, 0.0))[0] for j in jaw
    ]


def other_framing(photo: np.ndarray) -> np.ndarray:
    """The photo's top 400 rows at 240 px wide: another size and framing than the driver's."""
    return cv2.resize(photo[:400], (240, 186), interpolation=cv2.INTER_AREA)


def assert_mouth_follows(driving: list[np.ndarray], generated: list[np.ndarray]) -> None:
    """The generated frames' mouth opens and closes with the driver's (face-mesh reference):
    a face in every frame, r >= 0.9, at least half the driver's range."""
    from flowmark_core.metrics.reference_mesh import MediaPipeReference
    from flowmark_core.metrics.region_follow import region_follow

    with MediaPipeReference() as reference:
        follow = region_follow(reference.track(driving), reference.track(generated))
    assert follow.face_found == 1.0
    assert follow.regions["mouth"].r >= 0.9
    assert follow.regions["mouth"].range_ratio >= 0.5
