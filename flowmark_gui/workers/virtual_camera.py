"""Optional virtual-camera output through `pyvirtualcam` (the `camera` extra)."""

from __future__ import annotations

from typing import Any

import numpy as np

from flowmark_core.errors import FlowmarkError

INSTALL_HINT = "virtual camera output needs pyvirtualcam: pip install 'flowmark[camera]'"


def virtual_camera_available() -> bool:
    try:
        import pyvirtualcam  # noqa: F401
    except ImportError:
        return False
    return True


class VirtualCamera:
    """Sends RGB frames of a fixed size to a virtual webcam."""

    def __init__(self, width: int, height: int, fps: float) -> None:
        try:
            import pyvirtualcam
        except ImportError as exc:
            raise FlowmarkError(INSTALL_HINT) from exc
        try:
            self._camera: Any = pyvirtualcam.Camera(
                width=width, height=height, fps=fps, fmt=pyvirtualcam.PixelFormat.RGB
            )
        except Exception as exc:  # backend missing (v4l2loopback, OBS) etc.
            raise FlowmarkError(f"virtual camera cannot start: {exc}") from exc
        self.size = (width, height)

    def send(self, frame: np.ndarray) -> None:
        """Shape: frame (height, width, 3) uint8 RGB, the size given at construction."""
        self._camera.send(np.ascontiguousarray(frame))

    def close(self) -> None:
        self._camera.close()
