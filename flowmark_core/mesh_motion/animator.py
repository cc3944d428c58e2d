"""Animate a portrait by a driving video's face mesh (`flowmark animate --motion mesh`).

The portrait's mesh is fitted once (`face_mesh_fit.fit_image_mesh`); every driving frame's
mesh is detected and flow-stabilised (`DriverMesh`), its motion since the driver's first
frame with a face is split into head and expression and carried into the portrait's face
frame (`transfer`; the mouth from the driver's most closed mouth in the clip, `DriverReference`), and the portrait is warped to the new mesh at its own resolution (capped
at `MAX_OUTPUT_SIDE`, as the model's full-resolution output is: `MeshPortrait`). Frames
before the driver's first face show the portrait as it is; frames without a face hold the
last pose. No model, no learned occlusion: hair and neck follow only the rings around the
face, and nothing is painted where the photo has nothing to show (inside the mouth excepted).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import cv2
import numpy as np

from flowmark_core.animate.full_resolution import MAX_OUTPUT_SIDE, output_shape
from flowmark_core.errors import InputFileError
from flowmark_core.mesh_motion.driver import DRIVER_STABILIZER, DriverMesh
from flowmark_core.mesh_motion.render import MeshPortrait
from flowmark_core.mesh_motion.transfer import (
    DriverReference,
    driver_motion,
    mouth_gap,
    transfer,
)


@dataclass(frozen=True)
class MeshFrame:
    """One animated frame.

    Attributes:
        index: the driving frame's index.
        output: the warped portrait, RGB uint8 (H, W, 3) at the portrait's (capped) size.
        face_found: whether the driver's face was found in this frame (else the last pose).
        mesh: the portrait's mesh in this frame, (478, 2) px, or None before the first face.
    """

    index: int
    output: np.ndarray
    face_found: bool
    mesh: np.ndarray | None


def fit_source(image: np.ndarray, max_side: int = MAX_OUTPUT_SIDE) -> np.ndarray:
    """The portrait at the size the output has: the longer side at most `max_side`."""
    h, w = output_shape(image.shape[0], image.shape[1], max_side)
    if (h, w) == image.shape[:2]:
        return np.ascontiguousarray(image)
    return cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA)


class MeshMotionAnimator:
    """Portrait animation by the face mesh (see the module docstring).

    Args:
        stabilizer: the driver mesh's stabiliser, "flow" or "none".
        params: its parameters.
        max_side: the output's longer side at most (px).

    Raises:
        FlowmarkError: mediapipe is not installed.
    """

    paste_box = None  # the whole portrait is the canvas: no crop box, no paste seam

    def __init__(
        self,
        stabilizer: str = DRIVER_STABILIZER,
        params: Mapping[str, object] | None = None,
        max_side: int = MAX_OUTPUT_SIDE,
    ) -> None:
        self._driver = DriverMesh(stabilizer, params)
        self.max_side = max_side
        self.portrait: MeshPortrait | None = None

    def set_source(self, image: np.ndarray, label: str = "the source image") -> None:
        """Fit the portrait's face mesh.

        Raises:
            InputFileError: no face in the image (`label` names it in the message).
        """
        from flowmark_core.data.synthetic.face_mesh_fit import fit_image_mesh

        fitted = fit_source(image, self.max_side)
        mesh = fit_image_mesh(fitted)
        if mesh is None:
            raise InputFileError(
                f"{label}: no face found; animating by the face mesh (--motion mesh) needs a "
                "face in the source image"
            )
        self.portrait = MeshPortrait(fitted, mesh)

    def animate(
        self, frames: Iterable[np.ndarray], fps: float | None = None, whole_clip: bool = True
    ) -> Iterator[MeshFrame]:
        """The portrait animated by every driving frame.

        Args:
            frames: the driving frames.
            fps: their frame rate (the stabiliser's time step).
            whole_clip: read every frame's mesh first (only the meshes are kept), so the
                mouth's floor is the clip's most closed mouth from the first frame on; False:
                streamed, the floor is the most closed mouth so far (a camera).

        Shape:
            frames: each (h, w, 3) uint8 RGB, any size.
        """
        if self.portrait is None:
            raise RuntimeError("set_source must be called before animate")
        self._driver.reset(fps)
        meshes: Iterable[tuple[np.ndarray | None, bool]]
        meshes = (self._driver.update(np.asarray(frame)) for frame in frames)
        floor = None
        if whole_clip:
            meshes = [(None if m is None else m.copy(), found) for m, found in meshes]
            gaps = [mouth_gap(m) for m, found in meshes if m is not None and found]
            floor = min(gaps) if gaps else None
        return self._render(meshes, floor)

    def _render(
        self, meshes: Iterable[tuple[np.ndarray | None, bool]], floor: float | None
    ) -> Iterator[MeshFrame]:
        portrait = self.portrait
        assert portrait is not None
        reference: DriverReference | None = None
        for index, (mesh, found) in enumerate(meshes):
            if mesh is None:
                yield MeshFrame(index, portrait.image.copy(), found, None)
                continue
            if reference is None:
                reference = DriverReference(mesh, floor)
            motion = driver_motion(reference.update(mesh), mesh)
            moved = transfer(portrait.mesh, motion)
            yield MeshFrame(index, portrait.render(moved, motion.head), found, moved)

    def close(self) -> None:
        """Release MediaPipe's graph."""
        self._driver.close()

    def __enter__(self) -> MeshMotionAnimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
