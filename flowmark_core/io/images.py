"""Still images in and out: any common file becomes uint8 RGB (H, W, 3); writes are atomic.

Reading accepts PNG, JPEG, BMP and WebP, grayscale, RGBA (alpha composited over white) and
16-bit files (scaled to 8 bits). Images with a side under `MIN_SIDE` or over `MAX_SIDE`
pixels are refused with an `InputFileError` that says so; the size is checked from the file
header before anything is decoded. An EXIF orientation (a phone's portrait photo stored
sideways) is applied, as every image viewer does.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from flowmark_core.errors import InputFileError, OutputFileError
from flowmark_core.io.atomic import atomic_output
from flowmark_core.io.quiet_stderr import c_stderr_silenced

if TYPE_CHECKING:
    from flowmark_core.io.output_set import OutputSet

#: EXIF tag of the orientation; 1 is upright.
_ORIENTATION = 0x0112

IMAGE_EXTENSIONS: tuple[str, ...] = (".png", ".jpg", ".jpeg", ".bmp", ".webp")
MIN_SIDE = 8
MAX_SIDE = 8192


def is_image_path(path: str | os.PathLike[str]) -> bool:
    """True when `path` has an image file extension (the file need not exist)."""
    return Path(path).suffix.lower() in IMAGE_EXTENSIONS


def check_input_file(path: Path, kind: str) -> None:
    """Raise `InputFileError` unless `path` is an existing, non-empty regular file."""
    if not path.exists():
        raise InputFileError(f"{path}: no such file")
    if path.is_dir():
        raise InputFileError(f"{path}: is a folder, expected {kind}")
    if not os.access(path, os.R_OK):
        raise InputFileError(f"{path}: not readable (permission denied)")
    if path.stat().st_size == 0:
        raise InputFileError(f"{path}: file is empty (0 bytes)")


def check_image_size(path: Path, width: int, height: int) -> None:
    """Raise `InputFileError` for images too small or too large to use."""
    if min(width, height) < MIN_SIDE:
        raise InputFileError(
            f"{path}: image is {width}x{height}, too small (each side needs >= {MIN_SIDE} px)"
        )
    if max(width, height) > MAX_SIDE:
        raise InputFileError(
            f"{path}: image is {width}x{height}, too large (max {MAX_SIDE} px a side); "
            "downscale it first"
        )


def _header(path: Path) -> tuple[tuple[int, int], bytes | None]:
    """(width, height) and the EXIF block when it turns the image (else None)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                turned = im.getexif().get(_ORIENTATION, 1) not in (None, 1)
                exif = im.info.get("exif") if turned else None
                return im.size, exif if isinstance(exif, bytes) else None
    except Image.DecompressionBombError as exc:
        raise InputFileError(
            f"{path}: image is too large (max {MAX_SIDE} px a side); downscale it first"
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InputFileError(f"{path}: not a readable image file") from exc


def to_rgb_u8(image: np.ndarray) -> np.ndarray:
    """Convert a decoded OpenCV image (BGR/BGRA/gray, 8 or 16 bit) to uint8 RGB.

    Shape:
        image: (H, W), (H, W, 1), (H, W, 3) or (H, W, 4); output: (H, W, 3) uint8.
    """
    if image.dtype == np.uint16:
        image = ((image.astype(np.uint32) + 128) // 257).astype(np.uint8)
    elif image.dtype in (np.float32, np.float64):
        image = np.clip(np.nan_to_num(image) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    elif image.dtype != np.uint8:
        raise ValueError(f"unsupported image dtype {image.dtype}")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    if image.shape[2] == 4:
        alpha = image[:, :, 3:4].astype(np.float32) / 255.0
        over_white = image[:, :, :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
        image = np.clip(over_white + 0.5, 0, 255).astype(np.uint8)
    return cv2.cvtColor(np.ascontiguousarray(image[:, :, :3]), cv2.COLOR_BGR2RGB)


def read_image(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an image file as uint8 RGB.

    Raises:
        InputFileError: missing, a folder, empty, not an image, truncated, too small or
            too large.

    Shape:
        output: (H, W, 3) uint8.
    """
    file = Path(path)
    check_input_file(file, "an image file")
    (width, height), exif = _header(file)
    check_image_size(file, width, height)
    data = np.fromfile(file, dtype=np.uint8)
    level = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)  # we explain failures
    try:
        with c_stderr_silenced():  # libpng writes its own "libpng error" line to fd 2
            decoded = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    finally:
        cv2.utils.logging.setLogLevel(level)
    if decoded is None or decoded.size == 0:
        raise InputFileError(f"{file}: image cannot be decoded (truncated or corrupt)")
    rgb = to_rgb_u8(decoded)
    return rgb if exif is None else _upright(rgb, exif)


def _upright(rgb: np.ndarray, exif: bytes) -> np.ndarray:
    """`rgb` turned as its EXIF orientation says (Pillow's `ImageOps.exif_transpose`)."""
    image = Image.fromarray(rgb)
    image.info["exif"] = exif
    return np.ascontiguousarray(np.asarray(ImageOps.exif_transpose(image).convert("RGB")))


def write_image(
    path: str | os.PathLike[str], rgb: np.ndarray, group: OutputSet | None = None
) -> None:
    """Write a uint8 RGB (or gray) image atomically; the format follows the extension
    (`group`: renamed together with the other files of an `OutputSet`).

    Shape:
        rgb: (H, W, 3) or (H, W) uint8.
    """
    target = Path(path)
    if not is_image_path(target):
        raise OutputFileError(
            f"{target}: unknown image extension {target.suffix!r}; "
            f"allowed: {', '.join(IMAGE_EXTENSIONS)}"
        )
    arr = np.asarray(rgb)
    if arr.dtype != np.uint8 or arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] != 3):
        raise ValueError(
            f"write_image needs uint8 (H, W, 3) or (H, W), got {arr.dtype} {arr.shape}"
        )
    bgr = arr if arr.ndim == 2 else cv2.cvtColor(np.ascontiguousarray(arr), cv2.COLOR_RGB2BGR)
    suffix = target.suffix.lower()
    params = {".jpg": [cv2.IMWRITE_JPEG_QUALITY, 95], ".jpeg": [cv2.IMWRITE_JPEG_QUALITY, 95],
              ".png": [cv2.IMWRITE_PNG_COMPRESSION, 6]}.get(suffix, [])  # fmt: skip
    ok, encoded = cv2.imencode(suffix, bgr, params)
    if not ok:
        raise OutputFileError(f"{target}: image could not be encoded")
    with atomic_output(target, group=group) as tmp:
        try:
            encoded.tofile(tmp)
        except OSError as exc:
            raise OutputFileError(f"{target}: cannot write ({exc.strerror})") from exc
