"""The keypoint model for the head and the picture, the face mesh for the expression
(`flowmark animate --motion hybrid`).

The learned model renders every frame as `--motion keypoints` does (its occlusion, its
photographic head turns, the face-crop paste-back); it carries a head's motion well and a
mouth's or an eyelid's little (docs/results.md). Each rendered frame is then warped once
more, inside the face only: its own face mesh (MediaPipe on the rendered frame,
flow-stabilised) is moved to the portrait's mesh posed as in that frame (the similarity of
the rigid vertices: the model's head pose kept) with the driver's expression added
(`transfer`: mouth from the clip's most closed mouth, eyelids, brows, irises). What the model
did to the mouth and eyes is replaced by what the driver did; where the mouth opens wider
than the rendered one, the dark interior and teeth band of `--motion mesh` are drawn. A
frame whose rendered face or driver face is not found is the model's frame as it is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping

import numpy as np

from flowmark_core.animate import Animator
from flowmark_core.animate.face_crop import CropBox
from flowmark_core.animate.full_resolution import MAX_OUTPUT_SIDE
from flowmark_core.animate.results import FrameResult
from flowmark_core.errors import InputFileError
from flowmark_core.mesh_motion.animator import fit_source
from flowmark_core.mesh_motion.driver import DRIVER_STABILIZER, DriverMesh
from flowmark_core.mesh_motion.render import MeshPortrait
from flowmark_core.mesh_motion.transfer import (
    RIGID_VERTICES,
    DriverMotion,
    DriverReference,
    FaceFrame,
    HeadMotion,
    as_complex,
    driver_motion,
    fit_similarity,
    mouth_gap,
    transfer,
)

STILL_HEAD = HeadMotion(1 + 0j, 0j)
"""No head motion: the rendered frame's hair ring stays where the model put it."""


def head_in_frame(portrait: np.ndarray, rendered: np.ndarray) -> HeadMotion:
    """The head motion (in the portrait's face frame) that poses the portrait's mesh as the
    rendered face is posed: the least-squares similarity of their rigid vertices.

    Shape:
        portrait, rendered: (478, 2+) px in the same image.
    """
    rigid = list(RIGID_VERTICES)
    z, t = fit_similarity(as_complex(portrait[rigid, :2]), as_complex(rendered[rigid, :2]))
    frame = FaceFrame.of(portrait)
    return HeadMotion(z, (z * frame.origin + t - frame.origin) / frame.axis)


def expression_target(
    portrait: np.ndarray, rendered: np.ndarray, motion: DriverMotion
) -> np.ndarray:
    """Where the rendered face's mesh should be: the portrait's mesh with the driver's
    expression, posed as the rendered face.

    Shape:
        portrait, rendered: (478, 2+) px; output: (478, 2) px.
    """
    return transfer(portrait, DriverMotion(head_in_frame(portrait, rendered), motion.expression))


class ExpressionOverlay:
    """The driver's expression drawn onto a portrait's rendered frames, frame by frame.

    Give it the picture the frames show (`set_picture`), the driving clip's meshes (all at
    once: `read_driver`, or one by one: `start` then `add_driver`), then each rendered frame in
    order (`apply`: its mesh is flow-stabilised from the previous one).

    Args:
        stabilizer, params: the stabiliser of both meshes (driver's and rendered).

    Raises:
        FlowmarkError: mediapipe is not installed.
    """

    def __init__(
        self, stabilizer: str = DRIVER_STABILIZER, params: Mapping[str, object] | None = None
    ) -> None:
        self._driver = DriverMesh(stabilizer, params)
        self._rendered = DriverMesh(stabilizer, params)
        self.mesh: np.ndarray | None = None
        self._meshes: list[np.ndarray | None] = []
        self._floor: float | None = None
        self._reference: DriverReference | None = None

    def set_picture(self, picture: np.ndarray, label: str = "the source image") -> None:
        """Find the portrait's mesh in `picture`, the frames' picture at their size.

        The mesh's points are found as the rendered frames' are (the same detector and
        stabiliser), so a frame rendered as the portrait is left as it is; the depth (the
        warp's drawing order) is the fitted mesh's.

        Raises:
            InputFileError: no face in the picture (`label` names it in the message).
        """
        from flowmark_core.data.synthetic.face_mesh_fit import fit_image_mesh

        mesh = fit_image_mesh(picture)
        if mesh is None:
            raise InputFileError(
                f"{label}: no face found; --motion hybrid takes the expression from the face "
                "mesh and needs a face in the source image"
            )
        self._rendered.reset()
        detected, found = self._rendered.update(picture)
        points = detected if found and detected is not None else mesh[:, :2]
        self.mesh = np.column_stack([points, np.asarray(mesh, np.float64)[:, 2]])

    def start(self, fps: float | None = None, floor: float | None = None) -> None:
        """Begin a driving clip at `fps`; its mouth's floor (None: the most closed so far)."""
        self._driver.reset(fps)
        self._rendered.reset(fps)
        self._meshes = []
        self._floor = floor
        self._reference = None

    def add_driver(self, frame: np.ndarray) -> None:
        """The next driving frame's mesh (after `start`)."""
        mesh, _ = self._driver.update(np.asarray(frame))
        self._meshes.append(None if mesh is None else mesh.copy())

    def read_driver(self, frames: Iterable[np.ndarray], fps: float | None = None) -> None:
        """Every driving frame's mesh, the floor the clip's most closed mouth."""
        self.start(fps)
        for frame in frames:
            self.add_driver(frame)
        self.close_driver_clip()

    def close_driver_clip(self) -> None:
        """Every driving frame has been added: the mouth's floor is the clip's most closed."""
        gaps = [mouth_gap(m) for m in self._meshes if m is not None]
        self._floor = min(gaps) if gaps else None

    def apply(self, index: int, output: np.ndarray) -> np.ndarray:
        """Rendered frame `index` with the driver's expression at that frame (the frame as
        it is where either face is not found).

        Shape:
            output: (H, W, 3) uint8, the size of the picture given to `set_picture`.
        """
        portrait = self.mesh
        if portrait is None:
            raise RuntimeError("set_picture must be called before apply")
        driver = self._meshes[index] if 0 <= index < len(self._meshes) else None
        rendered, _ = self._rendered.update(output)
        if driver is None or rendered is None:
            return output
        if self._reference is None:
            self._reference = DriverReference(driver, self._floor)
        motion = driver_motion(self._reference.update(driver), driver)
        target = expression_target(portrait, rendered, motion)
        posed = np.column_stack([rendered, portrait[:, 2]])  # depth order: the portrait's
        return MeshPortrait(output, posed).render(target, STILL_HEAD)

    def close(self) -> None:
        """Release MediaPipe's graphs."""
        self._driver.close()
        self._rendered.close()


class HybridMotionAnimator:
    """A keypoint `Animator` whose frames get the driver's facial expression from the mesh
    (`ExpressionOverlay`).

    Args:
        animator: the keypoint-model animator, its options set; full-resolution output (the
            portrait's mesh is found in the picture the output shows, at its size).
        stabilizer, params: the stabiliser of both meshes (driver's and rendered).

    Raises:
        ValueError: the animator does not render at full resolution.
        FlowmarkError: mediapipe is not installed.
    """

    def __init__(
        self,
        animator: Animator,
        stabilizer: str = DRIVER_STABILIZER,
        params: Mapping[str, object] | None = None,
    ) -> None:
        if not animator.full_resolution:
            raise ValueError("the hybrid motion needs an Animator with full_resolution=True")
        self.animator = animator
        self.overlay = ExpressionOverlay(stabilizer, params)

    @property
    def paste_box(self) -> CropBox | None:
        """The model's face-crop box in the output (None: no crop)."""
        return self.animator.paste_box

    def set_source(self, image: np.ndarray, label: str = "the source image") -> None:
        """Give the model the portrait and find the portrait's mesh at the output's size.

        Raises:
            InputFileError: no face in the image (`label` names it in the message).
        """
        self.animator.set_source(image)
        picture, _ = self.animator.source_picture  # what the output frames show, uncapped
        self.overlay.set_picture(fit_source(picture, MAX_OUTPUT_SIDE), label)

    def animate(
        self,
        frames: Iterable[np.ndarray],
        fps: float | None = None,
        whole_clip: bool = True,
        find_best: bool = False,
    ) -> Iterator[FrameResult]:
        """The model's frames with the driver's expression.

        Args:
            frames: the driving frames; re-iterable when `whole_clip` (a list, a video).
            fps: their frame rate.
            whole_clip: read every driving frame's mesh first, so the mouth's floor is the
                clip's most closed mouth from the first frame on; False: one pass, the floor
                the most closed mouth so far (a camera).
            find_best: the model's reference is the driving frame closest in pose to the
                source (`Animator.animate`; needs `whole_clip`).

        Shape:
            frames: each (h, w, 3) uint8 RGB; each output as `Animator.animate`'s.
        """
        if self.overlay.mesh is None:
            raise RuntimeError("set_source must be called before animate")
        if find_best and not whole_clip:
            raise ValueError("find_best reads the driving frames twice: it needs whole_clip")
        source: Iterable[np.ndarray] = frames
        if whole_clip:
            self.overlay.read_driver(frames, fps)
        else:
            self.overlay.start(fps)
            source = self._recording(frames)
        stream = self.animator.animate(source, find_best=find_best, fps=fps)
        return (
            dataclasses.replace(result, output=self.overlay.apply(result.index, result.output))
            for result in stream
        )

    def _recording(self, frames: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
        for frame in frames:
            self.overlay.add_driver(frame)
            yield frame

    def close(self) -> None:
        """Release MediaPipe's graphs."""
        self.overlay.close()

    def __enter__(self) -> HybridMotionAnimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
