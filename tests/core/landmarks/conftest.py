"""Small clips for the landmark tests: a portrait moving a known amount, a tiny model."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from flowmark_core.io.images import write_image
from tests.portraits import grace_hopper

#: Pixels the portrait moves right per frame in `face_clip`.
SHIFT_PER_FRAME = 3.0
FACE_FRAMES = 6
FACE_SIZE = (320, 240)  # (width, height)


def portrait() -> np.ndarray:
    """matplotlib's Grace Hopper photo (RGB), or a skip when it is not shipped."""
    return grace_hopper()


@pytest.fixture(scope="session")
def face_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of FACE_FRAMES PNG frames (FACE_SIZE): the portrait shifted right by
    SHIFT_PER_FRAME px per frame (frames are exact: no codec)."""
    image = cv2.resize(portrait(), (240, 240), interpolation=cv2.INTER_AREA)
    folder = tmp_path_factory.mktemp("face_clip")
    w, h = FACE_SIZE
    for t in range(FACE_FRAMES):
        shift = np.float32([[1, 0, 20 + SHIFT_PER_FRAME * t], [0, 1, 0]])
        frame = cv2.warpAffine(image, shift, (w, h), borderMode=cv2.BORDER_REFLECT_101)
        write_image(folder / f"{t:03d}.png", frame)
    return folder


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random-weights compact checkpoint with 4 keypoints."""
    from flowmark_core.checkpoints import save_checkpoint
    from flowmark_core.models import build_model
    from tests.model_configs import compact_config

    path = tmp_path_factory.mktemp("model") / "tiny.safetensors"
    save_checkpoint(path, build_model(compact_config(num_kp=4)), {"step": 0})
    return path


#: `texture_clip`: frames, (width, height), frame rate of a folder of frames.
TEXTURE_FRAMES = 30
TEXTURE_SIZE = (96, 64)


@pytest.fixture(scope="session")
def texture_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of TEXTURE_FRAMES identical textured PNG frames (TEXTURE_SIZE, 25 fps)."""
    rng = np.random.default_rng(3)
    w, h = TEXTURE_SIZE
    image = cv2.GaussianBlur((rng.random((h, w, 3)) * 255).astype(np.uint8), (3, 3), 0)
    folder = tmp_path_factory.mktemp("texture_clip")
    for t in range(TEXTURE_FRAMES):
        write_image(folder / f"{t:03d}.png", image)
    return folder


def pose_json(points: np.ndarray, size: tuple[int, int]) -> list[dict]:
    """A MediaPipe-pose JSON document (Python-API layout) of pixel points (T, 33, 2)."""
    norm = (points + 0.5) / np.asarray(size, dtype=np.float64)
    return [
        {
            "frame": t,
            "landmarks": [
                {"x": float(x), "y": float(y), "z": 0.1, "visibility": 0.9} for x, y in frame
            ],
        }
        for t, frame in enumerate(norm)
    ]
