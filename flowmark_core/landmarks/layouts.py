"""Point names and regions (groups) of the landmark layouts the readers know.

"left"/"right" are the subject's (a frontal face's right eye is on the image's left), as
the detectors name them. The MediaPipe face regions are the vertices of the face mesh's
region outlines (lips, eyes, brows, face oval, nose) and the iris points of the 478 mesh.
"""

from __future__ import annotations

from collections.abc import Mapping

Groups = Mapping[str, tuple[int, ...]]

MEDIAPIPE_FACE_GROUPS: dict[str, tuple[int, ...]] = {
    "lips": (0, 13, 14, 17, 37, 39, 40, 61, 78, 80, 81, 82, 84, 87, 88, 91, 95, 146, 178, 181,
             185, 191, 267, 269, 270, 291, 308, 310, 311, 312, 314, 317, 318, 321, 324, 375, 402,
             405, 409, 415),
    "left_eye": (249, 263, 362, 373, 374, 380, 381, 382, 384, 385, 386, 387, 388, 390, 398, 466),
    "right_eye": (7, 33, 133, 144, 145, 153, 154, 155, 157, 158, 159, 160, 161, 163, 173, 246),
    "left_eyebrow": (276, 282, 283, 285, 293, 295, 296, 300, 334, 336),
    "right_eyebrow": (46, 52, 53, 55, 63, 65, 66, 70, 105, 107),
    "face_oval": (10, 21, 54, 58, 67, 93, 103, 109, 127, 132, 136, 148, 149, 150, 152, 162, 172,
                  176, 234, 251, 284, 288, 297, 323, 332, 338, 356, 361, 365, 377, 378, 379, 389,
                  397, 400, 454),
    "nose": (1, 2, 4, 5, 6, 19, 45, 48, 64, 94, 97, 98, 115, 168, 195, 197, 220, 275, 278, 294,
             326, 327, 344, 440),
}  # fmt: skip
MEDIAPIPE_IRIS_GROUPS: dict[str, tuple[int, ...]] = {
    "right_iris": (468, 469, 470, 471, 472),
    "left_iris": (473, 474, 475, 476, 477),
}

POSE33_NAMES: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip",
    "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel",
    "right_heel", "left_foot_index", "right_foot_index",
)  # fmt: skip
POSE33_GROUPS: dict[str, tuple[int, ...]] = {
    "face": tuple(range(11)),
    "torso": (11, 12, 23, 24),
    "left_arm": (11, 13, 15, 17, 19, 21),
    "right_arm": (12, 14, 16, 18, 20, 22),
    "left_leg": (23, 25, 27, 29, 31),
    "right_leg": (24, 26, 28, 30, 32),
}

_FINGERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("thumb", ("cmc", "mcp", "ip", "tip")),
    ("index_finger", ("mcp", "pip", "dip", "tip")),
    ("middle_finger", ("mcp", "pip", "dip", "tip")),
    ("ring_finger", ("mcp", "pip", "dip", "tip")),
    ("pinky", ("mcp", "pip", "dip", "tip")),
)
HAND21_NAMES: tuple[str, ...] = (
    "wrist",
    *(f"{finger}_{joint}" for finger, joints in _FINGERS for joint in joints),
)
HAND21_GROUPS: dict[str, tuple[int, ...]] = {
    "palm": (0, 1, 5, 9, 13, 17),
    "thumb": (1, 2, 3, 4),
    "index": (5, 6, 7, 8),
    "middle": (9, 10, 11, 12),
    "ring": (13, 14, 15, 16),
    "pinky": (17, 18, 19, 20),
}

#: iBUG 300-W / dlib 68-point regions (0-based).
DLIB68_GROUPS: dict[str, tuple[int, ...]] = {
    "jaw": tuple(range(0, 17)),
    "right_eyebrow": tuple(range(17, 22)),
    "left_eyebrow": tuple(range(22, 27)),
    "nose": tuple(range(27, 36)),
    "right_eye": tuple(range(36, 42)),
    "left_eye": tuple(range(42, 48)),
    "lips": tuple(range(48, 68)),
}

OPENPOSE_BODY25_NAMES: tuple[str, ...] = (
    "nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder",
    "left_elbow", "left_wrist", "mid_hip", "right_hip", "right_knee", "right_ankle", "left_hip",
    "left_knee", "left_ankle", "right_eye", "left_eye", "right_ear", "left_ear",
    "left_big_toe", "left_small_toe", "left_heel", "right_big_toe", "right_small_toe",
    "right_heel",
)  # fmt: skip
OPENPOSE_COCO18_NAMES: tuple[str, ...] = (
    "nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder",
    "left_elbow", "left_wrist", "right_hip", "right_knee", "right_ankle", "left_hip",
    "left_knee", "left_ankle", "right_eye", "left_eye", "right_ear", "left_ear",
)  # fmt: skip


def _by_name(names: tuple[str, ...], regions: dict[str, tuple[str, ...]]) -> Groups:
    return {g: tuple(names.index(n) for n in members) for g, members in regions.items()}


def openpose_body_groups(names: tuple[str, ...]) -> Groups:
    """Torso / arms / legs / head of an OpenPose body layout (BODY_25 or COCO 18)."""
    regions = {
        "head": ("nose", "right_eye", "left_eye", "right_ear", "left_ear"),
        "torso": ("neck", "right_shoulder", "left_shoulder", "right_hip", "left_hip"),
        "right_arm": ("right_shoulder", "right_elbow", "right_wrist"),
        "left_arm": ("left_shoulder", "left_elbow", "left_wrist"),
        "right_leg": ("right_hip", "right_knee", "right_ankle"),
        "left_leg": ("left_hip", "left_knee", "left_ankle"),
    }
    return _by_name(names, regions)


def indexed_names(prefix: str, count: int) -> tuple[str, ...]:
    """`prefix0`, `prefix1`, ... (names of points a layout does not name)."""
    return tuple(f"{prefix}{i}" for i in range(count))


def mediapipe_layout(count: int) -> tuple[str, tuple[str, ...], Groups] | None:
    """(detector, names, groups) of a MediaPipe solution by its point count, or None."""
    if count in (468, 478):
        groups = dict(MEDIAPIPE_FACE_GROUPS)
        if count == 478:
            groups.update(MEDIAPIPE_IRIS_GROUPS)
        return "mediapipe-face", indexed_names("mesh_", count), groups
    if count == 33:
        return "mediapipe-pose", POSE33_NAMES, POSE33_GROUPS
    if count == 21:
        return "mediapipe-hands", HAND21_NAMES, HAND21_GROUPS
    return None


def face68_layout(count: int) -> tuple[tuple[str, ...], Groups]:
    """Names and groups of a 68-point (or OpenPose 70-point, + pupils) face."""
    names = indexed_names("face_", count)
    groups = dict(DLIB68_GROUPS) if count >= 68 else {}
    if count == 70:
        groups["right_eye"] = (*DLIB68_GROUPS["right_eye"], 68)
        groups["left_eye"] = (*DLIB68_GROUPS["left_eye"], 69)
    return names, groups


def prefixed(groups: Groups, prefix: str, offset: int) -> dict[str, tuple[int, ...]]:
    """Groups of a part placed at `offset` in a concatenated layout, named `prefix/group`."""
    return {f"{prefix}/{g}": tuple(i + offset for i in idx) for g, idx in groups.items()}
