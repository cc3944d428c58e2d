"""Reading and writing still images: formats, colour handling, size limits, bad files."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from flowmark_core.errors import InputFileError, OutputFileError
from flowmark_core.io.images import is_image_path, read_image, write_image


def gradient_image(h: int = 40, w: int = 56) -> np.ndarray:
    ys, xs = np.mgrid[0:h, 0:w]
    return np.stack([xs * 4, ys * 6, (xs + ys) * 2], -1).clip(0, 255).astype(np.uint8)


@pytest.mark.parametrize("ext,tol", [(".png", 0), (".bmp", 0), (".webp", 12), (".jpg", 12)])
def test_round_trip(tmp_path: Path, ext: str, tol: int) -> None:
    img = gradient_image()
    path = tmp_path / f"img{ext}"
    write_image(path, img)
    back = read_image(path)
    assert back.shape == img.shape and back.dtype == np.uint8
    assert np.abs(back.astype(int) - img).mean() <= tol / 2
    assert np.abs(back.astype(int) - img).max() <= max(tol * 4, 0)
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left


def test_grayscale_becomes_rgb(tmp_path: Path) -> None:
    gray = gradient_image()[..., 0]
    cv2.imwrite(str(tmp_path / "g.png"), gray)
    rgb = read_image(tmp_path / "g.png")
    assert rgb.shape == (*gray.shape, 3)
    for c in range(3):
        np.testing.assert_array_equal(rgb[..., c], gray)


def test_rgba_is_composited_over_white(tmp_path: Path) -> None:
    bgra = np.zeros((16, 16, 4), np.uint8)
    bgra[..., 2] = 255  # red
    bgra[:8, :, 3] = 255  # opaque top half
    bgra[8:, :, 3] = 0  # transparent bottom half
    cv2.imwrite(str(tmp_path / "a.png"), bgra)
    rgb = read_image(tmp_path / "a.png")
    np.testing.assert_array_equal(rgb[0, 0], [255, 0, 0])
    np.testing.assert_array_equal(rgb[15, 0], [255, 255, 255])


def test_sixteen_bit_is_scaled_to_eight(tmp_path: Path) -> None:
    img16 = np.zeros((10, 10, 3), np.uint16)
    img16[..., 0] = 65535
    img16[..., 1] = 257 * 100
    cv2.imwrite(str(tmp_path / "d.png"), img16)  # BGR order
    rgb = read_image(tmp_path / "d.png")
    assert rgb.dtype == np.uint8
    np.testing.assert_array_equal(rgb[0, 0], [0, 100, 255])


def test_too_small_and_too_large_are_refused(tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "tiny.png"), np.zeros((4, 30, 3), np.uint8))
    with pytest.raises(InputFileError, match=r"tiny\.png.*4.*too small"):
        read_image(tmp_path / "tiny.png")
    cv2.imwrite(str(tmp_path / "wide.png"), np.zeros((8, 9000), np.uint8))
    with pytest.raises(InputFileError, match=r"wide\.png.*9000x8.*too large"):
        read_image(tmp_path / "wide.png")


def test_bad_inputs_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"missing\.png: no such file"):
        read_image(tmp_path / "missing.png")
    with pytest.raises(InputFileError, match="is a folder"):
        read_image(tmp_path)
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(InputFileError, match=r"empty\.png: file is empty"):
        read_image(tmp_path / "empty.png")
    (tmp_path / "text.png").write_text("not an image at all\n")
    with pytest.raises(InputFileError, match=r"text\.png: not a readable image"):
        read_image(tmp_path / "text.png")
    good = tmp_path / "cut.png"
    write_image(good, np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8))
    good.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(InputFileError, match=r"cut\.png"):
        read_image(good)


def test_write_errors_leave_nothing(tmp_path: Path) -> None:
    img = gradient_image()
    with pytest.raises(OutputFileError, match=r"\.tiff.*allowed: \.png"):
        write_image(tmp_path / "x.tiff", img)
    with pytest.raises(OutputFileError, match="does not exist"):
        write_image(tmp_path / "nope" / "x.png", img)
    assert list(tmp_path.iterdir()) == []


def test_is_image_path() -> None:
    assert is_image_path("a/b.PNG") and is_image_path("x.jpeg") and is_image_path("y.webp")
    assert not is_image_path("clip.mp4") and not is_image_path("folder")
