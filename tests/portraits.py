"""The real portrait the tests use: matplotlib's Grace Hopper photo (public domain)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest


def grace_hopper_path() -> Path:
    """Where matplotlib ships the photo, or a skip when it does not."""
    matplotlib = pytest.importorskip("matplotlib", reason="the portrait ships with matplotlib")
    path = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
    if not path.is_file():
        pytest.skip(f"{path} is not shipped with this matplotlib")
    return path


def grace_hopper() -> np.ndarray:
    """The photo as RGB uint8 (600, 512, 3), or a skip when it is not shipped."""
    return np.ascontiguousarray(cv2.imread(str(grace_hopper_path()))[:, :, ::-1])
