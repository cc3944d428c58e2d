"""Dense optical flow (OpenCV DIS or Farneback) and helpers to read flow at keypoints.

Conventions (pixels, not the normalised model coordinates of `geometry.py`):
    A flow field `flow` has shape (H, W, 2), float32; `flow[y, x] = (dx, dy)` is the
    displacement of the pixel centre (x, y) from frame0 to frame1. Points are (N, 2) arrays of
    (x = column, y = row) with (0, 0) the centre of the top-left pixel.

`FlowEstimator` caches the OpenCV flow object; it is not thread-safe (use one per thread or
DataLoader worker). It pickles without the OpenCV object, which is recreated on first use.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import cv2
import numpy as np

from flowmark_core.errors import ConfigError

FLOW_METHODS: tuple[str, ...] = ("dis", "farneback")
# OpenCV preset and finest pyramid scale. OpenCV's own ultrafast/fast presets stop at scale 2
# (a quarter of the resolution), which biases sub-pixel motion by ~0.08 px; stopping at
# scale 1 removes that bias for ~1 ms (ultrafast) / ~2.5 ms (fast) per 256x256 pair.
DIS_PRESETS: dict[str, tuple[int, int]] = {
    "ultrafast": (cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST, 1),
    "fast": (cv2.DISOPTICAL_FLOW_PRESET_FAST, 1),
    "medium": (cv2.DISOPTICAL_FLOW_PRESET_MEDIUM, 1),
}


class FlowPair(NamedTuple):
    """Forward flow with its backward flow and forward-backward error.

    Shape:
        forward, backward: (H, W, 2) float32 pixels; error: (H, W) float32 pixels.
    """

    forward: np.ndarray
    backward: np.ndarray
    error: np.ndarray


def to_gray_u8(frame: np.ndarray) -> np.ndarray:
    """Convert a uint8 RGB (H, W, 3) or gray (H, W) / (H, W, 1) frame to contiguous gray uint8.

    Shape:
        frame: (H, W, 3), (H, W, 1) or (H, W); output: (H, W).
    """
    arr = np.asarray(frame)
    if arr.dtype != np.uint8:
        raise ValueError(f"flow frames must be uint8, got {arr.dtype}")
    if arr.ndim == 3 and arr.shape[2] == 3:
        return cv2.cvtColor(np.ascontiguousarray(arr), cv2.COLOR_RGB2GRAY)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim != 2:
        raise ValueError(f"flow frames must be (H, W, 3) or (H, W), got shape {arr.shape}")
    return np.ascontiguousarray(arr)


class FlowEstimator:
    """Callable dense flow estimator holding one cached OpenCV flow object.

    Args:
        method: "dis" (fast, default) or "farneback".
        preset: DIS preset, "ultrafast", "fast" or "medium" (ignored by Farneback).
    """

    def __init__(self, method: str = "dis", preset: str = "fast") -> None:
        if method not in FLOW_METHODS:
            raise ConfigError(
                f"flow method {method!r} is not known; allowed: {', '.join(FLOW_METHODS)}"
            )
        if method == "dis" and preset not in DIS_PRESETS:
            raise ConfigError(
                f"DIS flow preset {preset!r} is not known; allowed: {', '.join(DIS_PRESETS)}"
            )
        self.method = method
        self.preset = preset
        self._dis: Any = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_dis"] = None  # OpenCV objects do not pickle; recreated lazily per worker
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        return f"FlowEstimator(method={self.method!r}, preset={self.preset!r})"

    def __call__(self, frame0: np.ndarray, frame1: np.ndarray) -> np.ndarray:
        """Flow from `frame0` to `frame1`.

        Shape:
            frame0, frame1: (H, W, 3) or (H, W) uint8; output: (H, W, 2) float32 pixels.
        """
        g0, g1 = to_gray_u8(frame0), to_gray_u8(frame1)
        if g0.shape != g1.shape:
            raise ValueError(f"flow frames differ in size: {g0.shape} vs {g1.shape}")
        return self._gray_flow(g0, g1)

    def _gray_flow(self, g0: np.ndarray, g1: np.ndarray) -> np.ndarray:
        if self.method == "farneback":
            flow = cv2.calcOpticalFlowFarneback(g0, g1, None, 0.5, 4, 15, 4, 5, 1.1, 0)  # type: ignore[call-overload]  # flow=None: OpenCV allocates it; the stubs want an array
            return np.asarray(flow, dtype=np.float32)
        if self._dis is None:
            preset, finest_scale = DIS_PRESETS[self.preset]
            self._dis = cv2.DISOpticalFlow.create(preset)
            self._dis.setFinestScale(finest_scale)
        return np.asarray(self._dis.calc(g0, g1, None), dtype=np.float32)

    def pair(self, frame0: np.ndarray, frame1: np.ndarray) -> FlowPair:
        """Forward and backward flow of a frame pair and their forward-backward error.

        Shape:
            frame0, frame1: (H, W, 3) or (H, W) uint8; see `FlowPair` for the outputs.
        """
        g0, g1 = to_gray_u8(frame0), to_gray_u8(frame1)
        if g0.shape != g1.shape:
            raise ValueError(f"flow frames differ in size: {g0.shape} vs {g1.shape}")
        fw = self._gray_flow(g0, g1)
        bw = self._gray_flow(g1, g0)
        return FlowPair(fw, bw, forward_backward_error(fw, bw))

    def batch(
        self, frames0: np.ndarray, frames1: np.ndarray, with_error: bool = True
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Flows (and forward-backward errors) of N frame pairs, e.g. dataset triplets.

        Shape:
            frames0, frames1: (N, H, W, 3) or (N, H, W) uint8;
            output: flows (N, H, W, 2) float32, errors (N, H, W) float32 or None.
        """
        if len(frames0) != len(frames1):
            raise ValueError(f"batch sizes differ: {len(frames0)} vs {len(frames1)}")
        flows, errors = [], []
        for f0, f1 in zip(frames0, frames1):
            if with_error:
                result = self.pair(f0, f1)
                flows.append(result.forward)
                errors.append(result.error)
            else:
                flows.append(self(f0, f1))
        stacked_errors = np.stack(errors) if with_error and errors else None
        if not flows:
            return np.zeros((0, 0, 0, 2), np.float32), stacked_errors
        return np.stack(flows), stacked_errors


def compute_flow(
    frame0: np.ndarray, frame1: np.ndarray, method: str = "dis", preset: str = "fast"
) -> np.ndarray:
    """One-off flow from `frame0` to `frame1` (builds a fresh `FlowEstimator`).

    Shape:
        frame0, frame1: (H, W, 3) or (H, W) uint8; output: (H, W, 2) float32 pixels.
    """
    return FlowEstimator(method, preset)(frame0, frame1)


def _pixel_grid(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    return xs, ys


def warp_field(field: np.ndarray, map_x: np.ndarray, map_y: np.ndarray) -> np.ndarray:
    """Sample `field` bilinearly at pixel positions (map_x, map_y), clamped at the border.

    Shape:
        field: (H, W) or (H, W, C) float32; map_x, map_y: (h, w); output: (h, w[, C]).
    """
    return cv2.remap(
        np.ascontiguousarray(field, dtype=np.float32),
        map_x.astype(np.float32),
        map_y.astype(np.float32),
        interpolation=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )


def forward_backward_error(flow_fw: np.ndarray, flow_bw: np.ndarray) -> np.ndarray:
    """Forward-backward inconsistency |fw(p) + bw(p + fw(p))| at every pixel p.

    Near zero where the two flows agree; large at occlusions and where flow is unreliable.

    Shape:
        flow_fw, flow_bw: (H, W, 2) float32 pixels; output: (H, W) float32 pixels.
    """
    if flow_fw.shape != flow_bw.shape or flow_fw.ndim != 3 or flow_fw.shape[2] != 2:
        raise ValueError(f"expected two (H, W, 2) flows, got {flow_fw.shape}, {flow_bw.shape}")
    xs, ys = _pixel_grid(flow_fw.shape[0], flow_fw.shape[1])
    bw_at = warp_field(flow_bw, xs + flow_fw[..., 0], ys + flow_fw[..., 1])
    return np.linalg.norm(flow_fw + bw_at, axis=-1).astype(np.float32)


def sample_at(field: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Bilinear sample of a field at sub-pixel points, clamped to the image border.

    Shape:
        field: (H, W) or (H, W, C); points: (N, 2) pixels (x, y); output: (N,) or (N, C)
        float32.
    """
    arr = np.asarray(field, dtype=np.float32)
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    h, w = arr.shape[:2]
    x = np.clip(pts[:, 0], 0.0, w - 1.0)
    y = np.clip(pts[:, 1], 0.0, h - 1.0)
    x0 = np.minimum(np.floor(x).astype(np.int64), max(w - 2, 0))
    y0 = np.minimum(np.floor(y).astype(np.int64), max(h - 2, 0))
    x1 = np.minimum(x0 + 1, w - 1)
    y1 = np.minimum(y0 + 1, h - 1)
    ax = x - x0
    ay = y - y0
    if arr.ndim == 3:
        ax = ax[:, None]
        ay = ay[:, None]
    top = arr[y0, x0] * (1 - ax) + arr[y0, x1] * ax
    bottom = arr[y1, x0] * (1 - ax) + arr[y1, x1] * ax
    return (top * (1 - ay) + bottom * ay).astype(np.float32)


def propagate_points(points: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """Move points along the flow: p + flow(p).

    Shape:
        points: (N, 2) pixels (x, y); flow: (H, W, 2); output: (N, 2) float32.
    """
    pts = np.asarray(points, dtype=np.float32).reshape(-1, 2)
    return pts + sample_at(flow, pts)


def flow_jacobian_at(flow: np.ndarray, points: np.ndarray, step: float = 1.0) -> np.ndarray:
    """Jacobian of the point mapping p -> p + F(p) at each point (central differences).

    `out[n, i, j] = d(p + F(p))_i / dp_j`, i.e. identity plus the flow gradient; i, j index
    (x, y).

    Shape:
        flow: (H, W, 2); points: (N, 2) pixels (x, y); output: (N, 2, 2) float32.
    """
    if step <= 0:
        raise ValueError(f"step must be positive, got {step}")
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    dx = np.array([step, 0.0])
    dy = np.array([0.0, step])
    d_by_dx = (sample_at(flow, pts + dx) - sample_at(flow, pts - dx)) / (2 * step)
    d_by_dy = (sample_at(flow, pts + dy) - sample_at(flow, pts - dy)) / (2 * step)
    jac = np.stack([d_by_dx, d_by_dy], axis=-1)  # [n, i (flow component), j (direction)]
    return (jac + np.eye(2)[None]).astype(np.float32)


def structure_tensor_min_eig(gray: np.ndarray, radius: int = 3) -> np.ndarray:
    """Smaller eigenvalue of the local structure tensor over a (2r+1)^2 window.

    Intensities are taken in [0, 1], so the value is a mean squared gradient in 1/px^2:
    near 0 on flat areas and straight edges (aperture problem), larger on corners and texture.

    Shape:
        gray: (H, W) or (H, W, 3) uint8 (or (H, W) float in [0, 1]); output: (H, W) float32.
    """
    arr = np.asarray(gray)
    img = to_gray_u8(arr).astype(np.float32) / 255.0 if arr.dtype == np.uint8 else arr
    img = np.asarray(img, dtype=np.float32)
    if img.ndim != 2:
        raise ValueError(f"texture needs a gray (H, W) image, got shape {img.shape}")
    gx = cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=3, scale=1 / 8, borderType=cv2.BORDER_REFLECT)
    gy = cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=3, scale=1 / 8, borderType=cv2.BORDER_REFLECT)
    size = (2 * radius + 1, 2 * radius + 1)
    sxx = cv2.blur(gx * gx, size, borderType=cv2.BORDER_REFLECT)
    syy = cv2.blur(gy * gy, size, borderType=cv2.BORDER_REFLECT)
    sxy = cv2.blur(gx * gy, size, borderType=cv2.BORDER_REFLECT)
    half_trace = 0.5 * (sxx + syy)
    root = np.sqrt(np.maximum(0.25 * (sxx - syy) ** 2 + sxy**2, 0.0))
    return np.maximum(half_trace - root, 0.0).astype(np.float32)


def texture_strength(gray: np.ndarray, points: np.ndarray, radius: int = 3) -> np.ndarray:
    """How well flow is constrained at each point: `structure_tensor_min_eig` sampled there.

    Shape:
        gray: (H, W) or (H, W, 3) uint8; points: (N, 2) pixels (x, y); output: (N,) float32.
    """
    if radius < 1:
        raise ValueError(f"radius must be >= 1, got {radius}")
    return sample_at(structure_tensor_min_eig(gray, radius), points)
