"""The `faces-photo` family: real portraits animated through their fitted face mesh.

Each identity is one real face (`face_mesh_fit.PortraitFace`) with its own appearance
augmentation (hue and skin tone, saturation, brightness, a lighting gradient, framing,
mirror, background swap). A clip turns the head in 3-D (yaw/pitch/roll of the mesh about a
pivot behind the face), blinks, opens the jaw and raises the brows, then warps the photo
piecewise-affinely through the mesh triangles (`mesh_warp`), with a ring of anchors that
follows the head (hair), a ring that stays with the body and anchors on the frame border
(the background drifts slightly on its own). The mouth opening is filled with a dark
interior. Landmarks are mesh vertices, so they are exact; the mesh tracks (`PhotoClip.mesh`)
give the dense motion between any two frames (`mesh_warp.dense_motion`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from flowmark_core.data.synthetic.clip import SyntheticClip, check_size
from flowmark_core.data.synthetic.face_mesh_fit import PortraitFace
from flowmark_core.data.synthetic.mesh_animation import (
    LANDMARK_NAMES,
    LANDMARK_VERTICES,
    LOWER_INNER_LIP,
    MIRRORED_NAMES,
    Expression,
    MeshAnimator,
    Pose,
)
from flowmark_core.data.synthetic.mesh_warp import backward_map, delaunay, warp_image
from flowmark_core.data.synthetic.motion import blink_track, keyframe_track
from flowmark_core.data.synthetic.portrait_warp_parts import fill_mouth, head_and_body_rings
from flowmark_core.data.synthetic.textures import scene_background

_PUPIL_HIDDEN = 0.55  # a pupil counts as covered when the blink is beyond this


@dataclass(frozen=True)
class PhotoClip(SyntheticClip):
    """A `SyntheticClip` plus the mesh it was warped through.

    Attributes:
        mesh: every warp vertex (face mesh, head ring, body ring, frame anchors) per frame,
            output pixels.
        mesh_depth: vertex depth per frame (larger = farther), for fold order.
        triangles: vertex indices of the warp triangles.

    Shape:
        mesh: (T, V, 2) float32; mesh_depth: (T, V) float32; triangles: (F, 3) int32.
    """

    mesh: np.ndarray = None  # type: ignore[assignment]
    mesh_depth: np.ndarray = None  # type: ignore[assignment]
    triangles: np.ndarray = None  # type: ignore[assignment]


@dataclass(frozen=True)
class PhotoAppearance:
    """The augmentation of one identity (all drawn from its appearance seed)."""

    face_index: int
    eye_distance: float  # inter-ocular distance as a fraction of the frame side
    centre: tuple[float, float]  # eye midpoint as fractions of the frame side
    flip: bool
    hue: float  # OpenCV hue units (degrees / 2)
    saturation: float
    brightness: float
    light_angle: float
    light_strength: float
    swap_background: bool
    background_seed: int

    @staticmethod
    def random(rng: np.random.Generator, faces: int) -> PhotoAppearance:
        return PhotoAppearance(
            face_index=int(rng.integers(faces)),
            eye_distance=float(rng.uniform(0.19, 0.30)),
            centre=(float(rng.uniform(0.45, 0.55)), float(rng.uniform(0.36, 0.46))),
            flip=bool(rng.random() < 0.5),
            hue=float(rng.uniform(-7, 7)),
            saturation=float(rng.uniform(0.7, 1.3)),
            brightness=float(rng.uniform(0.8, 1.15)),
            light_angle=float(rng.uniform(0, 2 * np.pi)),
            light_strength=float(rng.uniform(0.0, 0.4)),
            swap_background=bool(rng.random() < 0.5),
            background_seed=int(rng.integers(2**31)),
        )


@dataclass(frozen=True)
class PhotoMotion:
    """Per-frame tracks: angles in radians, shift/pan as fractions of the frame side.

    Shape:
        every field: (T,) float32.
    """

    yaw: np.ndarray
    pitch: np.ndarray
    roll: np.ndarray
    zoom: np.ndarray
    tx: np.ndarray
    ty: np.ndarray
    eye_open: np.ndarray
    jaw: np.ndarray
    brow: np.ndarray
    pan_x: np.ndarray
    pan_y: np.ndarray

    @staticmethod
    def random(rng: np.random.Generator, frames: int) -> PhotoMotion:
        """Smooth motion with occasional fast moves, kept within what a photo warp carries
        (about +-15 degrees of yaw)."""

        def track(lo: float, hi: float, **kw: object) -> np.ndarray:
            return keyframe_track(rng, frames, lo, hi, **kw)  # type: ignore[arg-type]

        pan = rng.random() < 0.5
        zero = np.zeros(frames, np.float32)
        return PhotoMotion(
            yaw=track(-0.27, 0.27, hold=(10, 30), fast_prob=0.15, rest=0.0, rest_prob=0.3),
            pitch=track(-0.15, 0.15, hold=(10, 30), fast_prob=0.12, rest=0.0, rest_prob=0.3),
            roll=track(-0.14, 0.14, hold=(12, 35), fast_prob=0.1, rest=0.0, rest_prob=0.3),
            zoom=track(0.93, 1.07, hold=(20, 50), fast_prob=0.05),
            tx=track(-0.05, 0.05, hold=(15, 40), fast_prob=0.12),
            ty=track(-0.035, 0.035, hold=(15, 40), fast_prob=0.08),
            eye_open=blink_track(rng, frames, mean_gap=40.0),
            jaw=track(0.0, 1.0, hold=(5, 16), fast_prob=0.2, rest=0.0, rest_prob=0.4),
            brow=track(-0.6, 1.0, hold=(8, 25), fast_prob=0.2, rest=0.0, rest_prob=0.5),
            pan_x=track(-0.02, 0.02, hold=(30, 70), fast_prob=0.0) if pan else zero,
            pan_y=track(-0.015, 0.015, hold=(30, 70), fast_prob=0.0) if pan else zero,
        )


def _border(size: int) -> np.ndarray:
    """Anchors just outside the frame (every quarter side)."""
    lo, hi = -0.15 * size, 1.15 * size
    steps = np.linspace(lo, hi, 5)
    pts = [(x, lo) for x in steps] + [(x, hi) for x in steps]
    pts += [(lo, y) for y in steps[1:-1]] + [(hi, y) for y in steps[1:-1]]
    return np.array(pts, np.float64)


def _recolour(image: np.ndarray, look: PhotoAppearance) -> np.ndarray:
    hsv = cv2.cvtColor(image, cv2.COLOR_RGB2HSV).astype(np.float32)
    hsv[..., 0] = np.mod(hsv[..., 0] + look.hue, 180.0)
    hsv[..., 1] = np.clip(hsv[..., 1] * look.saturation, 0, 255)
    hsv[..., 2] = np.clip(hsv[..., 2] * look.brightness, 0, 255)
    return cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2RGB)


def _light(size: int, look: PhotoAppearance) -> np.ndarray:
    """A linear lighting gradient, (S, S, 1) float32 around 1."""
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32) / max(size - 1, 1) - 0.5
    ramp = np.cos(look.light_angle) * xs + np.sin(look.light_angle) * ys
    return (1.0 + look.light_strength * ramp)[..., None]


class PhotoRenderer:
    """Renders one augmented portrait face at one output size."""

    def __init__(self, face: PortraitFace, look: PhotoAppearance, size: int) -> None:
        check_size(size)
        self.size = size
        src_anim = MeshAnimator(face.mesh)
        # Similarity from the face crop to the output frame: eyes at `centre`, `eye_distance`.
        s = look.eye_distance * size / src_anim.iod
        eye_mid = src_anim.origin[:2]
        t = np.array(look.centre) * size - s * eye_mid
        affine = np.array([[s, 0.0, t[0]], [0.0, s, t[1]]])
        image = face.image
        if s < 1:  # area-average first, then place (the map below keeps pixel centres exact)
            image = cv2.resize(image, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
            person = cv2.resize(face.person, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
            affine_small = np.array(
                [[1.0, 0.0, t[0] + 0.5 * (1 - s)], [0.0, 1.0, t[1] + 0.5 * (1 - s)]]
            )
        else:
            person, affine_small = face.person, affine
        place = functools.partial(
            cv2.warpAffine, M=affine_small, dsize=(size, size), flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REFLECT,
        )  # fmt: skip
        neutral = _recolour(place(image), look)
        self.person = np.clip(place(person), 0, 1).astype(np.float32)
        mesh = face.mesh.copy()
        mesh[:, :2] = mesh[:, :2] * s + t
        mesh[:, 2] *= s
        self.anim = MeshAnimator(mesh)
        rng = np.random.default_rng(look.background_seed)
        self.background: np.ndarray | None = None
        if look.swap_background:
            margin = int(0.1 * size) + 2
            self.margin = margin
            self.background = scene_background(rng, size + 2 * margin, size + 2 * margin)
            neutral = self._composite(self.background, neutral, self.person, 0.0, 0.0)
        self.neutral = neutral
        self.look = look
        self.head_ring, self.body_ring = head_and_body_rings(mesh[:, :2])
        self.border = _border(size)
        neutral2d = self._vertices_2d(mesh, self.head_ring, self.body_ring, self.border)
        self.source = neutral2d
        self.triangles = delaunay(neutral2d)
        self.light = _light(size, look)

    @staticmethod
    def _vertices_2d(*parts: np.ndarray) -> np.ndarray:
        return np.vstack([p[:, :2] for p in parts])

    def _composite(
        self,
        background: np.ndarray,
        person_img: np.ndarray,
        alpha: np.ndarray,
        px: float,
        py: float,
    ) -> np.ndarray:
        m, size = self.margin, self.size
        shift = np.array([[1.0, 0.0, -(m + px)], [0.0, 1.0, -(m + py)]])
        bg = cv2.warpAffine(
            background,
            shift,
            (size, size),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REFLECT,
        )
        a = alpha[..., None]
        return (person_img.astype(np.float32) * a + bg.astype(np.float32) * (1 - a)).astype(
            np.uint8
        )

    def vertices(
        self, pose: Pose, expression: Expression, pan: tuple[float, float]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Every warp vertex in one frame: (V, 2) positions and (V,) depths."""
        anim = self.anim
        face = anim.posed(anim.deform(expression), pose)
        ring3 = np.column_stack([self.head_ring, np.full(len(self.head_ring), anim.pivot[2])])
        head = anim.posed(ring3, pose)
        # The body follows the head's shift a little; the frame border drifts with the pan.
        body = (
            self.body_ring + 0.3 * np.array(pose.shift) + np.array(pan) * (self.background is None)
        )
        border = self.border + np.array(pan) * (self.background is None)
        far = anim.pivot[2] + 10 * anim.iod
        depth = np.concatenate([face[:, 2], head[:, 2], np.full(len(body) + len(border), far)])
        return self._vertices_2d(face, head, body, border), depth

    def _mouth(
        self, frame: np.ndarray, pose: Pose, expression: Expression, verts: np.ndarray
    ) -> np.ndarray:
        """Fill the band the jaw opened (lower inner lip closed -> open) with a dark interior."""
        if expression.jaw <= 0:
            return frame
        closed = self.anim.posed(
            self.anim.deform(Expression(expression.blink, 0.0, expression.brow)), pose
        )
        return fill_mouth(frame, closed[list(LOWER_INNER_LIP), :2], verts[list(LOWER_INNER_LIP)])

    def render(
        self, pose: Pose, expression: Expression, pan: tuple[float, float]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One frame (S, S, 3) uint8, its warp vertices (V, 2) and depths (V,)."""
        verts, depth = self.vertices(pose, expression, pan)
        size = (self.size, self.size)
        map_xy, _ = backward_map(verts, self.source, self.triangles, size, depth)
        frame = warp_image(self.neutral, map_xy)
        if self.background is not None:
            alpha = warp_image(self.person, map_xy)
            frame = self._composite(self.background, frame, alpha, *pan)
        frame = self._mouth(frame, pose, expression, verts)
        frame = np.clip(frame.astype(np.float32) * self.light + 0.5, 0, 255).astype(np.uint8)
        return frame, verts, depth


def _frame_landmarks(
    verts: np.ndarray, blink: tuple[float, float], size: int
) -> tuple[np.ndarray, np.ndarray]:
    """The named landmarks (L, 2) of one frame and their visibility (L,)."""
    points = np.array([verts[list(v)].mean(0) for v in LANDMARK_VERTICES.values()], np.float32)
    visible = np.all((points >= -0.5) & (points <= size - 0.5), axis=1)
    for name, b in (("right_pupil", blink[0]), ("left_pupil", blink[1])):
        if b > _PUPIL_HIDDEN:
            visible[LANDMARK_NAMES.index(name)] = False
    return points, visible


def _mirror(
    clip_frames: np.ndarray, landmarks: np.ndarray, visible: np.ndarray, mesh: np.ndarray, size: int
):
    """Mirror a clip left-right: x -> S-1-x and left/right landmark names swapped."""
    order = [LANDMARK_NAMES.index(MIRRORED_NAMES[n]) for n in LANDMARK_NAMES]
    landmarks = landmarks[:, order].copy()
    landmarks[..., 0] = size - 1 - landmarks[..., 0]
    mesh = mesh.copy()
    mesh[..., 0] = size - 1 - mesh[..., 0]
    return clip_frames[:, :, ::-1].copy(), landmarks, visible[:, order].copy(), mesh


def photo_clip(
    face: PortraitFace,
    look: PhotoAppearance,
    motion_seed: int,
    frames: int,
    size: int,
    fps: float = 25.0,
) -> PhotoClip:
    """Render `frames` frames of one augmented portrait face; `motion_seed` fixes the motion.

    Shape:
        see `PhotoClip` (L = 14 landmarks, `LANDMARK_NAMES`).
    """
    rng = np.random.default_rng(motion_seed)
    motion = PhotoMotion.random(rng, frames)
    renderer = PhotoRenderer(face, look, size)
    out = np.empty((frames, size, size, 3), np.uint8)
    landmarks = np.empty((frames, len(LANDMARK_NAMES), 2), np.float32)
    visible = np.empty((frames, len(LANDMARK_NAMES)), bool)
    n_verts = len(renderer.source)
    mesh = np.empty((frames, n_verts, 2), np.float32)
    depth = np.empty((frames, n_verts), np.float32)
    for t in range(frames):
        pose = Pose(
            yaw=float(motion.yaw[t]),
            pitch=float(motion.pitch[t]),
            roll=float(motion.roll[t]),
            zoom=float(motion.zoom[t]),
            shift=(float(motion.tx[t] * size), float(motion.ty[t] * size)),
        )
        blink = 1.0 - float(motion.eye_open[t])
        expression = Expression((blink, blink), float(motion.jaw[t]), float(motion.brow[t]))
        pan = (float(motion.pan_x[t] * size), float(motion.pan_y[t] * size))
        out[t], verts, depth[t] = renderer.render(pose, expression, pan)
        mesh[t] = verts
        landmarks[t], visible[t] = _frame_landmarks(verts, expression.blink, size)
    if look.flip:
        out, landmarks, visible, mesh = _mirror(out, landmarks, visible, mesh, size)
    colours = np.zeros((len(LANDMARK_NAMES), 2, 3), np.uint8)  # a photo has no part colours
    return PhotoClip(
        out, landmarks, visible, np.array(LANDMARK_NAMES), colours, fps,
        mesh=mesh, mesh_depth=depth, triangles=renderer.triangles,
    )  # fmt: skip


def faces_photo_clip(
    appearance_seed: int, motion_seed: int, frames: int, size: int, fps: float = 25.0
) -> PhotoClip:
    """A clip of the identity drawn from `appearance_seed` (a real face and its look)."""
    from flowmark_core.data.synthetic.face_mesh_fit import portrait_faces

    faces = portrait_faces()
    look = PhotoAppearance.random(np.random.default_rng(appearance_seed), len(faces))
    return photo_clip(faces[look.face_index], look, motion_seed, frames, size, fps)


def portrait_clip(
    face: PortraitFace,
    appearance_seed: int,
    motion_seed: int,
    frames: int,
    size: int,
    fps: float = 25.0,
) -> PhotoClip:
    """A clip of one given face (a `--portraits` photo) with the look drawn from
    `appearance_seed` (the face itself is not drawn)."""
    look = PhotoAppearance.random(np.random.default_rng(appearance_seed), 1)
    return photo_clip(face, look, motion_seed, frames, size, fps)
