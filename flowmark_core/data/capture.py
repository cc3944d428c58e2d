"""What cameras do to a clip: a seeded per-frame model of capture degradations.

Each frame gets its own draw (independent per frame within a clip, while the content moves
smoothly): signal-dependent sensor noise, exposure and white-balance flicker, motion blur
along the true motion, JPEG compression at webcam qualities, low light (few photons, then
gain), sudden lasting lighting changes, and a hand-like occluder that crosses the face along
a smooth path (`capture_occluder`). Draws depend only on (seed, frame index), so a clip
degrades the same way every time. Last, optionally, the whole clip goes through H.264 at a webcam bitrate
(`capture_h264`, deterministic for its input): a clip-level stage for test splits only, so
the training augmentation's presets (`config.data.CAPTURE_PRESETS`) leave it out.

Photometric degradations and blur leave landmarks unchanged; the occluder marks the
landmarks it covers invisible. Used as test splits (`flowmark data degrade`) and as a
training augmentation (`degrade_clip` on a sample's frames).
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np

from flowmark_core.data.capture_h264 import h264_stream
from flowmark_core.data.capture_occluder import draw_occluder
from flowmark_core.errors import ConfigError, DatasetError


@dataclass(frozen=True)
class CaptureParams:
    """One camera's degradation model (intensities in [0, 1]).

    Attributes:
        read_noise: std of signal-independent sensor noise.
        shot_noise: noise std at full signal; std² = read² + shot² · intensity.
        exposure_jitter: std of the per-frame exposure gain (1 + N(0, v)).
        white_balance_jitter: std of the per-frame, per-channel gain.
        shutter: exposure time as a fraction of the frame interval (motion blur length =
            shutter x the frame's motion); 0 = no blur.
        jpeg_quality: (low, high) JPEG quality range drawn per frame; None = no JPEG.
        light: scene brightness factor before the sensor (1 = normal; < 1 low light, the
            camera's gain then multiplies signal and noise by 1 / light).
        occluder: draw a hand-like occluder crossing the face.
        light_steps: chance per frame of a sudden lighting change (a lamp switched, a cloud)
            that lasts: the scene brightness jumps by a factor in [0.55, 0.8] or its
            inverse and stays until the next change.
        h264_kbps: encode the degraded clip as a webcam's H.264 stream at this bitrate (kbit/s
            for a 640x480 frame, scaled by the clip's pixel count); None = no H.264.
        h264_gop: frames between H.264 keyframes.
    """

    read_noise: float = 0.0
    shot_noise: float = 0.0
    exposure_jitter: float = 0.0
    white_balance_jitter: float = 0.0
    shutter: float = 0.0
    jpeg_quality: tuple[int, int] | None = None
    light: float = 1.0
    occluder: bool = False
    light_steps: float = 0.0
    h264_kbps: float | None = None
    h264_gop: int = 60

    def __post_init__(self) -> None:
        for key in ("read_noise", "shot_noise", "exposure_jitter", "white_balance_jitter"):
            if not getattr(self, key) >= 0:
                raise ConfigError(f"capture {key} must be >= 0, got {getattr(self, key)!r}")
        if not 0 <= self.shutter <= 1:
            raise ConfigError(f"capture shutter must be in [0, 1], got {self.shutter!r}")
        if not 0 <= self.light_steps <= 1:
            raise ConfigError(f"capture light_steps must be in [0, 1], got {self.light_steps!r}")
        if not 0 < self.light <= 1:
            raise ConfigError(f"capture light must be in (0, 1], got {self.light!r}")
        if self.h264_kbps is not None and not self.h264_kbps > 0:
            raise ConfigError(f"capture h264_kbps must be > 0, got {self.h264_kbps!r}")
        if not self.h264_gop >= 1:
            raise ConfigError(f"capture h264_gop must be >= 1, got {self.h264_gop!r}")
        if self.jpeg_quality is not None:
            low, high = self.jpeg_quality
            if not 1 <= low <= high <= 100:
                raise ConfigError(
                    f"capture jpeg_quality must be 1 <= low <= high <= 100, got {self.jpeg_quality}"
                )


# A typical laptop webcam indoors: visible noise, slight flicker, blocky compression.
WEBCAM = CaptureParams(
    read_noise=0.012,
    shot_noise=0.03,
    exposure_jitter=0.03,
    white_balance_jitter=0.015,
    shutter=0.5,
    jpeg_quality=(35, 65),
)

PRESETS: dict[str, CaptureParams] = {
    "webcam": WEBCAM,
    # A dim room: a quarter of the light, the gain amplifies noise; longer exposure.
    "lowlight": CaptureParams(
        read_noise=0.01,
        shot_noise=0.02,
        exposure_jitter=0.05,
        white_balance_jitter=0.03,
        shutter=1.0,
        jpeg_quality=(45, 75),
        light=0.25,
    ),
    # The webcam in a room whose lighting changes suddenly (about every 12 frames).
    "lighting": replace(WEBCAM, light_steps=0.08),
    # The webcam with a hand crossing the face.
    "occlusion": replace(WEBCAM, occluder=True),
    # The webcam streaming H.264 (a video call) instead of JPEG frames: 400 kbit/s at 640x480.
    # Test splits only (`flowmark data degrade`), not a training augmentation.
    "webcam-h264": replace(WEBCAM, jpeg_quality=None, h264_kbps=400.0),
}


def preset(name: str) -> CaptureParams:
    """The named preset; `ConfigError` naming the allowed ones."""
    if name not in PRESETS:
        raise ConfigError(f"capture preset {name!r} is not known; allowed: {', '.join(PRESETS)}")
    return PRESETS[name]


def frame_rng(seed: int, index: int) -> np.random.Generator:
    """The random stream of one frame: depends on (seed, frame index) only."""
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, int(index), 0xC0FFEE])


def motion_blur(image: np.ndarray, motion: np.ndarray, shutter: float) -> np.ndarray:
    """Blur along a motion vector: a line kernel of length shutter · |motion| px.

    Shape:
        image: (H, W, 3) float32; motion: (2,) px (x, y).
    """
    length = float(np.hypot(*motion)) * shutter
    if length < 0.5:
        return image
    taps = int(np.ceil(length)) * 2 + 1
    kernel = np.zeros((taps, taps), np.float32)
    centre = taps // 2
    direction = np.asarray(motion, np.float64) / max(np.hypot(*motion), 1e-9)
    for s in np.linspace(-length / 2, length / 2, 4 * taps):
        x, y = centre + s * direction
        x0, y0 = int(np.floor(x)), int(np.floor(y))
        fx, fy = x - x0, y - y0
        for dx, dy, w in ((0, 0, (1 - fx) * (1 - fy)), (1, 0, fx * (1 - fy)),
                          (0, 1, (1 - fx) * fy), (1, 1, fx * fy)):  # fmt: skip
            if 0 <= x0 + dx < taps and 0 <= y0 + dy < taps:
                kernel[y0 + dy, x0 + dx] += w
    kernel /= kernel.sum()
    return cv2.filter2D(image, -1, kernel, borderType=cv2.BORDER_REFLECT)


def lighting_levels(seed: int, frames: int, chance: float) -> np.ndarray:
    """Scene brightness per frame under sudden lasting lighting changes (1 = unchanged).

    Each frame after the first changes the level with probability `chance`, by a factor in
    [0.55, 0.8] or its inverse, kept within [0.4, 1.6]. Shape: (frames,).
    """
    return np.array(list(itertools.islice(lighting_steps(seed, chance), frames)), np.float64)


def lighting_steps(seed: int, chance: float) -> Iterator[float]:
    """`lighting_levels` one frame at a time, without an end (the first n are its n)."""
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, 0x11647])
    level = 1.0
    yield level
    while True:
        if rng.random() < chance:
            factor = rng.uniform(0.55, 0.8)
            up = level * factor < 0.4 or (level / factor <= 1.6 and rng.random() < 0.5)
            level = level / factor if up else level * factor
        yield level


def photometric(
    image: np.ndarray, params: CaptureParams, rng: np.random.Generator, level: float = 1.0
) -> np.ndarray:
    """Light, exposure and white-balance flicker, sensor noise, camera gain (float in [0, 1]).

    `level` is the scene's lighting level this frame (`lighting_levels`).

    Shape:
        image: (H, W, 3) float32 RGB in [0, 1]; output: same.
    """
    exposure = level * (1.0 + params.exposure_jitter * rng.standard_normal())
    balance = 1.0 + params.white_balance_jitter * rng.standard_normal(3)
    signal = np.clip(image * (params.light * exposure) * balance[None, None, :], 0.0, 1.0)
    std = np.sqrt(params.read_noise**2 + params.shot_noise**2 * signal)
    noisy = signal + std * rng.standard_normal(signal.shape).astype(np.float32)
    return np.clip(noisy / params.light, 0.0, 1.0).astype(np.float32)


def jpeg(image_u8: np.ndarray, quality: int) -> np.ndarray:
    """JPEG-compress and decode an RGB uint8 image."""
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(image_u8, cv2.COLOR_RGB2BGR),
                           [cv2.IMWRITE_JPEG_QUALITY, int(quality)])  # fmt: skip
    decoded = cv2.imdecode(buf, cv2.IMREAD_COLOR) if ok else None
    if decoded is None:
        raise RuntimeError("OpenCV could not JPEG-encode and decode a frame")
    return cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB)


@dataclass(frozen=True)
class DegradedClip:
    """A degraded clip: frames (uint8 RGB) and the landmarks' visibility after occlusion."""

    frames: list[np.ndarray]
    visible: np.ndarray | None


def _frame_motion(
    previous: np.ndarray, frame: np.ndarray, landmarks: np.ndarray | None, t: int
) -> np.ndarray:
    """Motion (px) of frame `t` from frame t - 1: the landmarks' mean step, else phase
    correlation; 0 where undefined."""
    if landmarks is not None:
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a frame without landmarks
            step = np.nanmean(landmarks[t] - landmarks[t - 1], axis=0)
    else:
        a = cv2.cvtColor(previous, cv2.COLOR_RGB2GRAY).astype(np.float64)
        b = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(np.float64)
        step = np.array(cv2.phaseCorrelate(a, b)[0])
    return np.nan_to_num(step)


def _face(landmarks: np.ndarray | None, shape: tuple[int, int]) -> tuple[np.ndarray, float]:
    """Face centre and size (px): landmark box of the first frame, else the image centre."""
    h, w = shape
    if landmarks is not None and np.isfinite(landmarks[0]).all():
        lo, hi = landmarks[0].min(axis=0), landmarks[0].max(axis=0)
        return (lo + hi) / 2.0, float(max(hi - lo))
    return np.array([(w - 1) / 2.0, (h - 1) / 2.0]), 0.5 * min(h, w)


def degrade_clip(
    frames: Sequence[np.ndarray],
    params: CaptureParams | str,
    seed: int,
    landmarks: np.ndarray | None = None,
    visible: np.ndarray | None = None,
    fps: float = 25.0,
) -> DegradedClip:
    """Degrade every frame of a clip as a camera would (see the module docstring).

    Args:
        frames: uint8 RGB frames of one clip.
        params: a `CaptureParams` or a preset name (`PRESETS`).
        seed: the clip's seed; frame t draws from (seed, t) only.
        landmarks: true landmarks (px) if known: motion blur follows their motion and the
            occluder crosses their face; they are never moved.
        visible: their visibility; covered landmarks become invisible. Default: all visible.
        fps: the clip's frame rate (the H.264 stage's bits per frame depend on it).

    Returns:
        The degraded frames and the new visibility (None without landmarks).

    Shape:
        frames: T x (H, W, 3); landmarks: (T, L, 2); visible: (T, L).
    """
    if isinstance(params, str):
        params = preset(params)
    if not frames:
        return DegradedClip([], None if landmarks is None else np.zeros((0, 0), bool))
    vis = None
    if landmarks is not None:
        shape = np.shape(landmarks)[:2]
        vis = np.ones(shape, bool) if visible is None else np.asarray(visible, bool).copy()
    out = list(degrade_frames(frames, params, seed, len(frames), landmarks, vis, fps))
    return DegradedClip(out, vis)


def degrade_frames(
    frames: Iterable[np.ndarray],
    params: CaptureParams | str,
    seed: int,
    count: int | None = None,
    landmarks: np.ndarray | None = None,
    visible: np.ndarray | None = None,
    fps: float = 25.0,
) -> Iterator[np.ndarray]:
    """`degrade_clip` one frame at a time: holds the previous frame, never the clip.

    Frame t comes out equal to `degrade_clip`'s frame t (the H.264 stage streams through
    one encoder and one decoder, with the same result).

    Args:
        frames: uint8 RGB frames of one clip, one size.
        params, seed, landmarks, fps: as in `degrade_clip`.
        count: the clip's frame count; needed by the occluder (its crossing spans a share
            of the clip), ignored otherwise.
        visible: (T, L) bool, updated in place as the occluder covers landmarks (give it
            with landmarks to learn the new visibility).

    Raises:
        ValueError: an occluder without `count`.
        DatasetError: the landmarks end before the frames.
    """
    if isinstance(params, str):
        params = preset(params)
    stream = _degrade_each(iter(frames), params, seed, count, landmarks, visible)
    if params.h264_kbps is not None:
        stream = h264_stream(stream, params.h264_kbps, params.h264_gop, fps)
    return stream


def _degrade_each(
    frames: Iterator[np.ndarray],
    params: CaptureParams,
    seed: int,
    count: int | None,
    landmarks: np.ndarray | None,
    vis: np.ndarray | None,
) -> Iterator[np.ndarray]:
    """Every stage of `degrade_frames` but the clip-level H.264 one."""
    first = next(frames, None)
    if first is None:
        return
    shape = first.shape[:2]
    lms = None if landmarks is None else np.asarray(landmarks, np.float64)
    occluder = None
    if params.occluder:
        if count is None:
            raise ValueError("the occluder needs the clip's frame count")
        occluder = draw_occluder(seed, count, shape, _face(lms, shape))
    levels = lighting_steps(seed, params.light_steps)
    previous = None
    for t, frame in enumerate(itertools.chain([first], frames)):
        if lms is not None and t >= len(lms):
            raise DatasetError(f"landmarks cover {len(lms)} frames, the video has more")
        level = next(levels)
        rng = frame_rng(seed, t)
        image = frame.astype(np.float32) / 255.0
        if params.shutter > 0 and previous is not None:  # frame 0 has no motion
            image = motion_blur(image, _frame_motion(previous, frame, lms, t), params.shutter)
        previous = frame
        if occluder is not None:
            cover = occluder.mask(t, shape)
            if cover.any():
                shade = 0.85 + 0.15 * np.linspace(0, 1, shape[1], dtype=np.float32)[None, :]
                hand = occluder.colour[None, None, :].astype(np.float32) * shade[..., None]
                image = image * (1 - cover[..., None]) + hand * cover[..., None]
                if lms is not None and vis is not None:
                    xs = np.clip(np.round(lms[t, :, 0]).astype(int), 0, shape[1] - 1)
                    ys = np.clip(np.round(lms[t, :, 1]).astype(int), 0, shape[0] - 1)
                    vis[t] &= cover[ys, xs] < 0.5
        image = photometric(image, params, rng, level)
        u8 = (image * 255.0 + 0.5).astype(np.uint8)
        if params.jpeg_quality is not None:
            low, high = params.jpeg_quality
            u8 = jpeg(u8, int(rng.integers(low, high + 1)))
        yield u8
