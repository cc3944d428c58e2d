"""Flow-guided keypoint stabilisation: optical flow predicts, the detector corrects, and a
detector jump that the image content did not make is held to the flow.

For each frame t and keypoint k (pixels):

1. Predict: carry the previous stabilised keypoint by the optical flow from frame t-1 to t;
   its Jacobian by the flow's local Jacobian: J_pred = (I + dF/dp) · J_{t-1}.
2. Judge the flow at the keypoint: forward-backward error e (px) and texture strength s
   (smaller eigenvalue of the local structure tensor, `flowmark_core.flow.texture_strength`).
3. Predicted variance P⁻ = P + Q, with process noise
   Q = q² + e² + (u · s_ref / (s + s_ref))²: the base noise q of a good flow, plus the
   flow's own inconsistency, plus up to u where the image has no texture to pin the flow.
4. Kalman gain g = max(P⁻ / (P⁻ + R), min_gain), R the measurement noise²; the floor
   `min_gain` is a slow pull toward the detector, so flow drift cannot accumulate.
5. Disagreement d = |z - x_pred| between detection z and prediction normally raises the
   gain smoothly, g' = max(g, 1 - exp(-½ d² / gate²)), so fast motion the flow missed is
   followed without lag and without a jump. But a detector *jump* is held to the flow:
   - the flow is *reliable* where it is forward-backward consistent and textured:
     r = exp(-½ (e / fb_soft)²) · s / (s + s_ref);
   - a jump starts where the detection moved unlike the content under the previous
     detection: j = |z_t - (z_{t-1} + F(z_{t-1}))| is large against the detector's
     two-frame noise, and the patch around z_{t-1} in frame t-1 matches frame t at
     z_{t-1} + F(z_{t-1}) clearly better than at z_t (SSDs D_pred, D_det;
     c = 2 (D_det - D_pred) / (D_det + D_pred + floor), a = clip((c - 0.4) / 0.8, 0, 1), so
     ambiguous evidence such as repeated texture gives none):
     h_start = r · a · (1 - exp(-½ (j / (hold_gate · sqrt(2R + q²)))²));
   - a started hold continues while the detection stays away from the flow-carried
     keypoint, h = max(h_start, h_{t-1} · (1 - exp(-½ (d / (hold_gate · sqrt(P⁻ + R)))²))),
     for at most `max_hold` frames (then the detection may be right about a change the
     flow cannot see, and the gate hands over);
   - the gain becomes (1 - h) · g'.
   The hold is `jump_hold.JumpHold`. Holding is opt-in (`hold_gate` > 0): measured on the
   capture splits and real clips it held keypoints to the flow of an occluding hand and
   through real head turns the flow under-tracked, which raised NMJ (docs/results.md).
   Slow disagreement (flow under-tracking real motion) never starts a hold. Reset to the
   detection (g = 1, P = R) when the flow fails the forward-backward check
   (e > fb_threshold) or the keypoint leaves the frame.
6. Per keypoint, R may be scaled by m² (`set_point_scale`: region strength,
   1/sqrt(confidence)): an unsure detection leans on the flow. The gate scales with m (a
   detection that is unsure by m is expected m times further off) and the floor becomes
   min_gain / (min_gain + m² (1 - min_gain)) (the gain of a variance m² times larger); m = 0
   passes the detection. A missing keypoint (NaN, or an infinite scale)
   has gain 0: it is carried by the flow alone (no floor, no hold), until it is seen again.

Pixel-valued parameters are stated for a 256 px image and scaled with the image size.
Flow runs on frames downscaled to at most `max_flow_size` px (DIS), and is rescaled.
"""

from __future__ import annotations

import cv2
import numpy as np

from flowmark_core.errors import ConfigError
from flowmark_core.flow import (
    FlowEstimator,
    flow_jacobian_at,
    sample_at,
    texture_strength,
    to_gray_u8,
)
from flowmark_core.stabilize.base import StabilizerBase, check_flow_filter_settings, check_step
from flowmark_core.stabilize.jump_hold import JumpHold, to_working_px

TEXTURE_RADIUS = 3


def texture_near(gray: np.ndarray, points: np.ndarray, radius: int = TEXTURE_RADIUS) -> np.ndarray:
    """`texture_strength` at a few points, computed on small patches around them only.

    The patches (reflect-padded at the image border) are laid side by side in one strip and
    `texture_strength` runs on that strip: every value it reads at a patch centre lies inside
    that patch, so the result equals the full-image one away from the border, at a fraction of
    the cost (what keeps the stabiliser within its per-frame budget).

    Shape:
        gray: (H, W) uint8; points: (N, 2) pixels (x, y); output: (N,) float64.
    """
    half = radius + 3  # box window + Sobel support + bilinear neighbour + one spare
    padded = cv2.copyMakeBorder(gray, half, half, half, half, cv2.BORDER_REFLECT)
    h, w = gray.shape
    xs = np.clip(points[:, 0], 0, w - 1)
    ys = np.clip(points[:, 1], 0, h - 1)
    ix = np.floor(xs).astype(np.int64)
    iy = np.floor(ys).astype(np.int64)
    side = 2 * half + 1
    strip = np.hstack([padded[y : y + side, x : x + side] for x, y in zip(ix, iy)])
    local = np.stack([xs - ix + half + side * np.arange(len(xs)), ys - iy + half], axis=-1)
    return texture_strength(strip, local, radius).astype(np.float64)


def scaled_floor_and_gate(
    min_gain: float, gate: float, noise_ratio: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The gain floor and the gate for a measurement variance `noise_ratio` (m²) times the
    nominal one (module docstring, step 6).

    Shape:
        noise_ratio: (K,); outputs: (K,), (K,).
    """
    ratio = np.asarray(noise_ratio, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        floor = min_gain / (min_gain + ratio * (1.0 - min_gain))
    floor = np.where(ratio > 0, np.nan_to_num(floor), 1.0)
    return floor, gate * np.sqrt(ratio)


class FlowStabilizer(StabilizerBase):
    """Keypoints predicted by optical flow and fused with the detector by a per-keypoint gain.

    Args:
        image_size: the keypoints' image size, an int or (height, width), px. Frames of
            another size are accepted: keypoints are mapped to them by scaling.
        measurement_noise: detector noise std, px at 256 px.
        process_noise: prediction noise std per frame where the flow is trusted, px at 256 px
            (default 1.0: tuned on the 8,500-step default model, docs/results.md).
        untrusted_noise: extra prediction noise std per frame on textureless image areas, px
            at 256 px.
        fb_threshold: forward-backward error (px at 256 px) above which the flow is rejected;
            smaller errors add to the prediction noise.
        texture_ref: structure-tensor eigenvalue (intensities in [0, 1], 1/px²) at which half
            of `untrusted_noise` is added; 0 ignores texture.
        gate: prediction-detection distance scale (px at 256 px): at `gate` px the gain is at
            least 0.39, at 2·gate 0.86 — the detection takes over smoothly.
        min_gain: gain floor in [0, 1], a slow pull toward the detection.
        hold_gate: unexplained detector motion, in standard deviations of the detector's
            two-frame noise, at which a jump that reliable flow and the image contradict is
            39 % held off (86 % at twice that); 0 (the default) switches holding off.
            Off by default: on the occlusion split and on real clips holding raised NMJ
            (docs/results.md, "Jitter where it happens"); 2.0 holds synthetic jumps.
        fb_soft: forward-backward error (px at 256 px) at which the flow's reliability
            drops to 0.61 (0.14 at twice that).
        max_hold: consecutive frames a keypoint may be held off before the detection is
            let back in through the disagreement gate.
        common_motion: (px at 256 px; 0 = off) a keypoint whose flow differs from the
            median flow of all keypoints by this much is 39 % less trusted to hold
            (an occluder crossing the face moves unlike the face).
        max_flow_size: frames are downscaled so their larger side is at most this (px).
        preset: DIS preset ("ultrafast", "fast", "medium").

    Raises:
        ConfigError: when a parameter is out of range or the preset unknown.
    """

    name = "flow"

    def __init__(
        self,
        image_size: int | tuple[int, int],
        measurement_noise: float = 1.0,
        process_noise: float = 1.0,
        untrusted_noise: float = 3.0,
        fb_threshold: float = 1.0,
        texture_ref: float = 1e-7,
        gate: float = 8.0,
        min_gain: float = 0.2,
        hold_gate: float = 0.0,
        fb_soft: float = 0.5,
        max_hold: int = 8,
        common_motion: float = 0.0,
        max_flow_size: int = 256,
        preset: str = "ultrafast",
    ) -> None:
        super().__init__(image_size)
        positive = {
            "measurement_noise": measurement_noise,
            "process_noise": process_noise,
            "untrusted_noise": untrusted_noise,
            "fb_threshold": fb_threshold,
            "gate": gate,
            "fb_soft": fb_soft,
        }
        check_flow_filter_settings("flow stabiliser", positive, texture_ref, min_gain)
        if not hold_gate >= 0:
            raise ConfigError(f"flow stabiliser hold_gate must be >= 0, got {hold_gate!r}")
        if int(max_hold) < 0:
            raise ConfigError(f"flow stabiliser max_hold must be >= 0, got {max_hold!r}")
        if int(max_flow_size) < 16:
            raise ConfigError(f"flow stabiliser max_flow_size must be >= 16, got {max_flow_size}")
        s = self.size_scale
        self.measurement_var = (measurement_noise * s) ** 2
        self.trusted_var = (process_noise * s) ** 2
        self.untrusted_var = (untrusted_noise * s) ** 2
        self.fb_threshold = fb_threshold * s
        self.gate = gate * s
        self.texture_ref = float(texture_ref)
        self.min_gain = float(min_gain)
        self.hold_gate = float(hold_gate)
        self.fb_soft = fb_soft * s
        self.max_hold = int(max_hold)
        self.jump_hold = JumpHold(self.hold_gate, self.max_hold, self.trusted_var)
        self.common_motion = max(0.0, float(common_motion)) * s
        self.max_flow_size = int(max_flow_size)
        self.estimator = FlowEstimator("dis", preset)
        self._scale: np.ndarray | None = None
        self.reset()

    def set_point_scale(self, scale: np.ndarray | None) -> None:
        """Per-keypoint multiplier of the measurement noise std for the next updates.

        Args:
            scale: (K,) non-negative; 0 takes the detection as is, inf ignores it (the
                keypoint is carried by the flow); None: 1 everywhere.
        """
        self._scale = None if scale is None else np.asarray(scale, dtype=np.float64)

    def _point_var(self, k: int) -> np.ndarray:
        """This step's measurement variance per keypoint (image px²). Shape: (K,)."""
        if self._scale is None:
            return np.full(k, self.measurement_var)
        if self._scale.shape != (k,):
            raise ValueError(f"point scale must have shape ({k},), got {self._scale.shape}")
        with np.errstate(invalid="ignore", over="ignore"):
            return self.measurement_var * self._scale**2

    def reset(self) -> None:
        """Forget the tracked state and the previous frame (start of a new video)."""
        self._value: np.ndarray | None = None
        self._jacobian: np.ndarray | None = None
        self._variance: np.ndarray | None = None
        self._prev_gray: np.ndarray | None = None
        self._prev_det: np.ndarray | None = None
        self.jump_hold.reset()
        self.last_gain: np.ndarray | None = None
        self.last_hold: np.ndarray | None = None

    def _work_gray(self, frame: np.ndarray) -> np.ndarray:
        """Gray uint8 frame downscaled to at most `max_flow_size` px. Shape: (h, w)."""
        gray = to_gray_u8(frame)
        h, w = gray.shape
        factor = self.max_flow_size / max(h, w)
        if factor < 1.0:
            size = (max(2, round(w * factor)), max(2, round(h * factor)))
            gray = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
        return gray

    def _start(
        self, val: np.ndarray, jac: np.ndarray | None, gray: np.ndarray, r: np.ndarray
    ) -> None:
        self._value = val.copy()
        self._jacobian = None if jac is None else jac.copy()
        self._variance = r.copy()
        self._prev_gray = gray
        self.jump_hold.start(len(val))
        self._prev_det = val.copy()
        self.last_gain = np.ones(len(val))
        self.last_hold = np.zeros(len(val))

    def update(
        self, value: np.ndarray, jacobian: np.ndarray | None, frame: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Stabilise one time step using the flow from the previous frame to `frame`.

        Args:
            value: detected keypoints, px in an image of `image_size`.
            jacobian: detected Jacobians, or None.
            frame: this time step's frame, uint8 RGB or gray (required).

        Returns:
            Stabilised (value, jacobian). The per-keypoint gain used is kept in `last_gain`.

        Shape:
            value: (K, 2); jacobian: (K, 2, 2); frame: (H, W, 3) or (H, W).
        """
        val, jac = check_step(value, jacobian)
        if frame is None:
            raise ValueError("the 'flow' stabiliser needs the frame of every time step")
        gray = self._work_gray(frame)
        k = len(val)
        r = self._point_var(k)
        seen = np.all(np.isfinite(val), axis=-1) & np.isfinite(r)
        val = np.where(seen[:, None], val, np.nan)
        r = np.where(seen, r, self.measurement_var)
        prev_gray, prev_value, variance = self._prev_gray, self._value, self._variance
        if (
            prev_gray is None
            or prev_value is None
            or variance is None
            or prev_gray.shape != gray.shape  # first frame, or the video size changed
            or prev_value.shape != val.shape
            or (jac is None) != (self._jacobian is None)
        ):
            self._start(val, jac, gray, r)
            return val.copy(), None if jac is None else jac.copy()
        prev_det = self._prev_det if self._prev_det is not None else prev_value
        # Points never seen yet (NaN state) are flowed from 0 and reset by `failed`.
        unknown = ~np.all(np.isfinite(np.concatenate([prev_value, prev_det])), axis=-1)
        points = np.nan_to_num(np.concatenate([prev_value, prev_det]))
        # One flow evaluation for the stabilised keypoints and the previous detections.
        carried, noise_all, failed_all, jac_all, reliable_all = self._predict(
            prev_gray, gray, points, jac is not None
        )
        failed_all = failed_all | unknown
        predicted, noise, failed = carried[:k], noise_all[:k], failed_all[:k]
        predicted = np.where(unknown[:k, None], np.nan, predicted)
        flow_jac = None if jac_all is None else jac_all[:k]
        det_carried, det_reliable = carried[k:], reliable_all[k:] * ~failed_all[k:]
        if self.common_motion > 0 and k >= 3:
            # Flow unlike the face's common motion (an occluder crossing) is not trusted to
            # hold a keypoint against its detection.
            motion = np.where(failed_all[k:, None], np.nan, det_carried - prev_det)
            common = np.nanmedian(motion, axis=0) if np.isfinite(motion).any() else 0.0
            odd = np.nan_to_num(np.linalg.norm(motion - common, axis=-1))
            det_reliable = det_reliable * np.exp(-0.5 * (odd / self.common_motion) ** 2)

        prior_var = variance + noise
        floor, gate = scaled_floor_and_gate(self.min_gain, self.gate, r / self.measurement_var)
        gain = np.maximum(prior_var / (prior_var + r), floor)
        # A missing detection stands at the prediction: no disagreement, no pull.
        observed = np.where(seen[:, None], val, predicted)
        distance = np.linalg.norm(np.nan_to_num(observed - predicted), axis=-1)
        hold = np.zeros(k)
        if self.hold_gate > 0:
            hold = self.jump_hold.step(
                before=prev_gray, after=gray, to_work=self._work_scale(gray.shape),
                previous=prev_det, carried=det_carried, reliable=det_reliable,
                detected=observed, distance=distance, prior_var=prior_var,
                measurement_var=r, failed=failed,
            )  # fmt: skip
        self._prev_gray = gray
        carried_det = np.where(unknown[k:, None], np.nan, det_carried)
        self._prev_det = np.where(seen[:, None], val, carried_det)
        # Disagreement raises the gain smoothly toward 1 (a hard reset made the track jump:
        # more acceleration than the raw detector had), unless the keypoint is held.
        with np.errstate(divide="ignore", invalid="ignore"):
            handover = np.where(distance > 0, 1.0 - np.exp(-0.5 * (distance / gate) ** 2), 0.0)
        gain = (1.0 - hold) * np.maximum(gain, handover)
        gain = np.where(failed, 1.0, gain)
        gain = np.where(seen, gain, 0.0)
        lost = failed & ~seen  # the flow cannot carry it: it stays where it was
        update = np.nan_to_num(observed - predicted)
        self._value = np.where(lost[:, None], prev_value, predicted + gain[:, None] * update)
        self._value = np.where((failed & seen)[:, None], val, self._value)
        self._variance = np.where(failed, r, (1.0 - gain) * prior_var)
        self.last_gain = gain
        self.last_hold = hold
        if jac is not None and flow_jac is not None and self._jacobian is not None:
            jac_pred = flow_jac @ self._jacobian
            step = np.nan_to_num(jac - jac_pred)
            self._jacobian = jac_pred + gain[:, None, None] * step
        return self._value.copy(), None if self._jacobian is None else self._jacobian.copy()

    def _work_scale(self, shape: tuple[int, ...]) -> np.ndarray:
        """Working size / image size per axis (x, y) for working frames of `shape`."""
        return np.array([shape[1] / self.width, shape[0] / self.height])

    def _predict(
        self, prev_gray: np.ndarray, gray: np.ndarray, points: np.ndarray, with_jacobian: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
        """Carry `points` (image px) by the flow from `prev_gray` to `gray` and judge the flow.

        Returns:
            predicted points (image px), process noise variance (image px²), a flag per point
            where the flow failed (forward-backward check, or the point left the frame), the
            flow's local Jacobian in image px (None unless `with_jacobian`), and the flow's
            reliability in [0, 1] (r in the module docstring).

        Shape:
            prev_gray, gray: (h, w) working frames; points: (K, 2); outputs: (K, 2), (K,),
            (K,), (K, 2, 2), (K,).
        """
        work_h, work_w = gray.shape
        to_work = self._work_scale(gray.shape)
        pts = to_working_px(points, to_work)
        fw = self.estimator(prev_gray, gray)
        bw = self.estimator(gray, prev_gray)
        moved = pts + sample_at(fw, pts)
        fb_error = np.linalg.norm((moved - pts + sample_at(bw, moved)) / to_work, axis=-1)
        predicted = (moved + 0.5) / to_work - 0.5

        noise = self.trusted_var + fb_error**2
        reliable = np.exp(-0.5 * (fb_error / self.fb_soft) ** 2)
        if self.texture_ref > 0:
            weak = self.texture_ref / (texture_near(prev_gray, pts) + self.texture_ref)
            noise = noise + self.untrusted_var * weak**2
            reliable = reliable * (1.0 - weak)
        inside = np.all((pts >= 0) & (pts <= [work_w - 1, work_h - 1]), axis=-1)
        failed = (fb_error > self.fb_threshold) | ~inside

        flow_jac = None
        if with_jacobian:
            # Differences over ~1.5 % of the frame: a keypoint's Jacobian describes its
            # neighbourhood, and a wider step averages out DIS noise.
            step = max(1.0, max(work_h, work_w) / 64.0)
            flow_jac = flow_jacobian_at(fw, pts, step=step).astype(np.float64)
            # Working px -> image px: D⁻¹ A D with D = diag(to_work).
            flow_jac = flow_jac * to_work[None, None, :] / to_work[None, :, None]
        return predicted, noise, failed, flow_jac, reliable
