"""Face landmark and identity backends for AKD / MKR / AED: a small protocol and a dlib one.

`DlibFaceBackend` uses dlib's HOG face detector, its 68-point shape predictor and its
face-recognition ResNet (128-d embeddings). dlib and the model files come with the `eval`
extra (`pip install "flowmark[eval]"`, i.e. `dlib-bin` and `face_recognition_models`).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import cv2
import numpy as np

from flowmark_core.errors import FlowmarkError

INSTALL_HINT = 'install the evaluation extra with: pip install "flowmark[eval]"'
SHAPE_PREDICTOR_FILE = "shape_predictor_68_face_landmarks.dat"
FACE_RECOGNITION_FILE = "dlib_face_recognition_resnet_model_v1.dat"


@runtime_checkable
class FaceBackend(Protocol):
    """Finds one face per image and describes it.

    Images are uint8 RGB (H, W, 3) (float images in [0, 1] are accepted too).
    """

    def landmarks(self, image: np.ndarray) -> np.ndarray | None:
        """68 landmarks of the face in pixels (x, y), or None when no face is found.

        Shape:
            image: (H, W, 3); output: (68, 2).
        """
        ...

    def embedding(self, image: np.ndarray) -> np.ndarray | None:
        """Identity embedding of the face, or None when no face is found.

        Shape:
            image: (H, W, 3); output: (128,).
        """
        ...


def _as_rgb_u8(image: np.ndarray) -> np.ndarray:
    """The image as contiguous uint8 RGB (float [0, 1] and gray inputs are converted)."""
    arr = np.asarray(image)
    if arr.dtype != np.uint8:
        arr = (np.clip(arr, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    if arr.ndim == 2:
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    if arr.ndim != 3 or arr.shape[2] != 3:
        raise ValueError(f"expected an RGB image (H, W, 3), got shape {arr.shape}")
    return np.ascontiguousarray(arr)


def dlib_model_dir() -> Path:
    """Folder holding the dlib model files of the `face_recognition_models` package.

    Found with `importlib.util.find_spec`, which locates the package without running its
    `__init__` (that imports `pkg_resources`, missing from recent setuptools).

    Raises:
        FlowmarkError: when the package or its model files are not installed.
    """
    spec = importlib.util.find_spec("face_recognition_models")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        folder = Path(location) / "models"
        if (folder / SHAPE_PREDICTOR_FILE).is_file() and (folder / FACE_RECOGNITION_FILE).is_file():
            return folder
    raise FlowmarkError(
        "the dlib face models (package face_recognition_models) are not installed; " + INSTALL_HINT
    )


def _import_dlib() -> Any:
    try:
        import dlib
    except ImportError as exc:
        raise FlowmarkError(f"dlib is not installed; {INSTALL_HINT}") from exc
    return dlib


class DlibFaceBackend:
    """`FaceBackend` built on dlib (HOG detector, 68-point predictor, ResNet embeddings).

    Images whose shorter side is below `min_side` are upscaled (bicubic) before detection,
    since dlib's detector misses faces smaller than about 80 px; landmarks are mapped back to
    the input's pixels. The largest detected face is used. The result for the last image is
    cached, so `landmarks` then `embedding` on the same frame detect only once.

    Args:
        min_side: shorter image side (px) that detection runs at, at least.
        upsample: dlib detector pyramid upsampling count (more finds smaller faces, slower).

    Raises:
        FlowmarkError: when dlib or its model files are missing (with the install command).
    """

    def __init__(self, min_side: int = 256, upsample: int = 1) -> None:
        self._dlib = _import_dlib()
        self._model_dir = dlib_model_dir()
        self.min_side = int(min_side)
        self.upsample = int(upsample)
        self._detector: Any = None
        self._predictor: Any = None
        self._recognizer: Any = None
        self._cache_key: np.ndarray | None = None
        self._cache_value: tuple[np.ndarray, Any, float] | None = None

    def _detect(self, image: np.ndarray) -> tuple[np.ndarray, Any, float]:
        """(image used for detection, dlib shape or None, scale factor) for one image."""
        rgb = _as_rgb_u8(image)
        key = self._cache_key
        if self._cache_value is not None and key is not None and np.array_equal(key, rgb):
            return self._cache_value
        if self._detector is None:
            self._detector = self._dlib.get_frontal_face_detector()
            self._predictor = self._dlib.shape_predictor(
                str(self._model_dir / SHAPE_PREDICTOR_FILE)
            )
        scale = max(1.0, self.min_side / min(rgb.shape[:2]))
        work = rgb
        if scale > 1.0:
            size = (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale))
            work = cv2.resize(rgb, size, interpolation=cv2.INTER_CUBIC)
        rects = self._detector(work, self.upsample)
        shape = None
        if len(rects):
            rect = max(rects, key=lambda r: r.width() * r.height())
            shape = self._predictor(work, rect)
        self._cache_key = rgb.copy()
        self._cache_value = (work, shape, scale)
        return self._cache_value

    def landmarks(self, image: np.ndarray) -> np.ndarray | None:
        """68 landmarks (x, y) in the input's pixels, or None when no face is found.

        Shape:
            image: (H, W, 3); output: (68, 2) float64.
        """
        _, shape, scale = self._detect(image)
        if shape is None:
            return None
        pts = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)
        # Pixel centres map as (p + 0.5) / scale - 0.5, as cv2.resize samples them.
        return (pts + 0.5) / scale - 0.5

    def embedding(self, image: np.ndarray) -> np.ndarray | None:
        """128-d dlib face-recognition embedding, or None when no face is found.

        Shape:
            image: (H, W, 3); output: (128,) float64.
        """
        work, shape, _ = self._detect(image)
        if shape is None:
            return None
        if self._recognizer is None:
            self._recognizer = self._dlib.face_recognition_model_v1(
                str(self._model_dir / FACE_RECOGNITION_FILE)
            )
        return np.array(self._recognizer.compute_face_descriptor(work, shape), dtype=np.float64)
