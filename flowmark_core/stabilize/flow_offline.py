"""Offline flow-guided smoothing: a Kalman filter over the flow's motion, then a
Rauch–Tung–Striebel pass backward (each output uses the frames before and after it).

Model per keypoint (x and y share the variances, image px):
    x_{t+1} = x_t + m_t + w_t,  w_t ~ N(0, Q_t)     m_t: the content's motion (`sample_flow`)
    z_t = x_t + v_t,            v_t ~ N(0, R · s_t²) s_t: per-point noise scale
with Q_t = q² + e² + (u · s_ref / (s + s_ref))² as in the causal "flow" stabiliser (e the
forward-backward error, s the texture); a flow that fails (e > fb_threshold, or the point
outside the frame) gets no weight (Q huge: the detections take over). The forward pass is
the causal fusion with its gain floor and disagreement gate (motion the flow missed is
followed; both scaled with the point's noise scale as in "flow"); the backward pass is the RTS smoother with the gain's effective prior variance.
The flow is read at the detections (gaps filled by the nearest detection), not at the
smoothed points: one pass over the frames, storing flow samples at the points only.
A missing keypoint (NaN, infinite scale) is carried by the flow from both sides.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from flowmark_core.errors import ConfigError
from flowmark_core.stabilize.base import StabilizerBase, check_flow_filter_settings
from flowmark_core.stabilize.flow_guided import scaled_floor_and_gate
from flowmark_core.stabilize.flow_samples import FlowSamples, fill_gaps, sample_flow

UNKNOWN_VAR = 1e12  # px²: a variance that stands for "no information"


class FlowOfflineStabilizer(StabilizerBase):
    """Forward-backward (RTS) smoothing of keypoints over the optical flow (offline only).

    Args:
        image_size: the keypoints' image size, an int or (height, width), px.
        measurement_noise: detector noise std, px at 256 px.
        process_noise: flow noise std per frame where the flow is trusted, px at 256 px.
        untrusted_noise: extra flow noise std on textureless areas, px at 256 px.
        fb_threshold: forward-backward error (px at 256 px) above which the flow is unused.
        texture_ref: structure-tensor eigenvalue at which half of `untrusted_noise` is added.
        gate: detection-prediction distance (px at 256 px) at which the gain is at least 0.39.
        min_gain: gain floor of the forward pass in [0, 1].
        max_flow_size: frames are downscaled so their larger side is at most this (px).
        preset: DIS preset ("ultrafast", "fast", "medium").

    Raises:
        ConfigError: when a parameter is out of range.
    """

    name = "flow-offline"
    causal = False

    def __init__(
        self,
        image_size: int | tuple[int, int],
        measurement_noise: float = 1.0,
        process_noise: float = 0.5,
        untrusted_noise: float = 3.0,
        fb_threshold: float = 2.0,
        texture_ref: float = 1e-7,
        gate: float = 8.0,
        min_gain: float = 0.05,
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
        }
        check_flow_filter_settings("flow-offline", positive, texture_ref, min_gain)
        if int(max_flow_size) < 16:
            raise ConfigError(f"flow-offline max_flow_size must be >= 16, got {max_flow_size}")
        s = self.size_scale
        self.measurement_var = (measurement_noise * s) ** 2
        self.trusted_var = (process_noise * s) ** 2
        self.untrusted_var = (untrusted_noise * s) ** 2
        self.fb_threshold = fb_threshold * s
        self.gate = gate * s
        self.texture_ref = float(texture_ref)
        self.min_gain = float(min_gain)
        self.max_flow_size = int(max_flow_size)
        self.preset = preset
        if preset not in ("ultrafast", "fast", "medium"):
            raise ConfigError(f"flow-offline preset {preset!r} is not known")

    def reset(self) -> None:
        """Nothing to forget (the smoother keeps no state between tracks)."""

    def update(
        self, value: np.ndarray, jacobian: np.ndarray | None, frame: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Refused: the backward pass needs the frames after each one.

        Raises:
            ValueError: always; use `run` on the whole track, or "flow" for live use.
        """
        raise ValueError(
            "the 'flow-offline' smoother is offline only: it needs the frames after each one; "
            "run it on a whole track (run / smooth_track), or use 'flow' for live use"
        )

    def process_var(self, samples: FlowSamples) -> np.ndarray:
        """Q_t per transition and point (image px²); UNKNOWN_VAR where the flow failed.

        Shape:
            output: (T-1, K).
        """
        q = self.trusted_var + samples.fb_error**2
        if self.texture_ref > 0:
            weak = self.texture_ref / (samples.texture + self.texture_ref)
            q = q + self.untrusted_var * weak**2
        failed = (samples.fb_error > self.fb_threshold) | ~samples.inside
        return np.where(failed, UNKNOWN_VAR, q)

    def run(
        self,
        values: np.ndarray,
        jacobians: np.ndarray | None,
        frames: Iterable[np.ndarray] | None,
        scale: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Smooth a whole track over its frames.

        Args:
            values: detected keypoints over time, px; NaN = missing.
            jacobians: Jacobians over time, or None (smoothed with the same gains, the flow
                not applied to them).
            frames: the T frames (streamed; required).
            scale: per-sample measurement noise multiplier (inf = missing), default 1.

        Shape:
            values: (T, K, 2); jacobians: (T, K, 2, 2); frames: T x (H, W, 3); scale: (T, K).
        """
        vals = np.asarray(values, dtype=np.float64)
        if vals.ndim != 3 or vals.shape[2] != 2:
            raise ValueError(f"values must have shape (T, K, 2), got {vals.shape}")
        if frames is None:
            raise ValueError("the 'flow-offline' smoother needs the frames of the track")
        m = np.ones(vals.shape[:2]) if scale is None else np.asarray(scale, np.float64)
        if m.shape != vals.shape[:2]:
            raise ValueError(f"scale must have shape {vals.shape[:2]}, got {m.shape}")
        with np.errstate(invalid="ignore", over="ignore"):
            r = self.measurement_var * m**2
        seen = np.all(np.isfinite(vals), axis=-1) & np.isfinite(r)
        anchors, _ = fill_gaps(np.where(seen[..., None], vals, np.nan))
        samples = sample_flow(
            anchors, frames, (self.height, self.width), self.max_flow_size, self.preset
        )
        return self.smooth_samples(vals, jacobians, samples, m)

    def smooth_samples(
        self,
        values: np.ndarray,
        jacobians: np.ndarray | None,
        samples: FlowSamples,
        scale: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """`run` from flow samples already read at the track's detections (`sample_flow` of
        `fill_gaps` of the track): a parameter sweep reads the video once.

        Shape:
            values: (T, K, 2); jacobians: (T, K, 2, 2); scale: (T, K).
        """
        vals = np.asarray(values, dtype=np.float64)
        m = np.ones(vals.shape[:2]) if scale is None else np.asarray(scale, np.float64)
        with np.errstate(invalid="ignore", over="ignore"):
            r = self.measurement_var * m**2
        seen = np.all(np.isfinite(vals), axis=-1) & np.isfinite(r)
        if samples.motion.shape != (max(len(vals) - 1, 0), *vals.shape[1:]):
            raise ValueError(
                f"flow samples of shape {samples.motion.shape} do not fit {vals.shape}"
            )
        q = self.process_var(samples)
        # Where the flow failed its motion means nothing: an unseen point holds still there.
        motion = np.where((q >= UNKNOWN_VAR)[..., None], 0.0, samples.motion)
        out, gains = self._smooth(vals, seen, np.where(seen, r, 1.0), motion, q)
        if jacobians is None:
            return out, None
        jacs = np.asarray(jacobians, dtype=np.float64)
        flat = jacs.reshape(len(jacs), jacs.shape[1], 4)
        return out, _apply_gains(flat, seen, *gains).reshape(jacs.shape)

    def _smooth(
        self, z: np.ndarray, seen: np.ndarray, r: np.ndarray, motion: np.ndarray, q: np.ndarray
    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """Forward fusion then the RTS pass; also the gains (forward g, backward C).

        Shape:
            z: (T, K, 2); seen, r: (T, K); motion: (T-1, K, 2); q: (T-1, K).
        """
        steps, k = seen.shape
        x_f = np.full(z.shape, np.nan)
        p_f = np.full((steps, k), UNKNOWN_VAR)
        p_prior = np.full((steps, k), UNKNOWN_VAR)
        forward_gain = np.zeros((steps, k))
        x_f[0] = np.where(seen[0, :, None], z[0], np.nan)
        p_f[0] = np.where(seen[0], r[0], UNKNOWN_VAR)
        forward_gain[0] = seen[0]
        for t in range(1, steps):
            known = np.all(np.isfinite(x_f[t - 1]), axis=-1)
            pred = x_f[t - 1] + motion[t - 1]
            prior = np.minimum(p_f[t - 1] + q[t - 1], UNKNOWN_VAR)
            ratio = r[t] / self.measurement_var
            floor, gate = scaled_floor_and_gate(self.min_gain, self.gate, ratio)
            gain = np.maximum(prior / (prior + r[t]), floor)
            distance = np.linalg.norm(np.nan_to_num(z[t] - pred), axis=-1)
            with np.errstate(divide="ignore", invalid="ignore"):
                handover = 1.0 - np.exp(-0.5 * (distance / gate) ** 2)
            gain = np.maximum(gain, np.where(distance > 0, handover, 0.0))
            gain = np.where(known, gain, 1.0)
            gain = np.where(seen[t], gain, 0.0)
            # The prior variance this gain stands for (the floor and gate raise it).
            with np.errstate(divide="ignore", invalid="ignore"):
                implied = np.where(gain < 1.0, gain * r[t] / (1.0 - gain), UNKNOWN_VAR)
            prior = np.where(seen[t], np.clip(np.maximum(prior, implied), 0, UNKNOWN_VAR), prior)
            step = np.nan_to_num(z[t] - pred)
            x_f[t] = np.where(seen[t, :, None], np.where(known[:, None], pred, z[t]), pred)
            x_f[t] = x_f[t] + np.where(known, gain, 0.0)[:, None] * step
            p_f[t] = np.where(seen[t] & ~known, r[t], (1.0 - gain) * prior)
            p_prior[t] = prior
            forward_gain[t] = gain
        x_s = x_f.copy()
        back_gain = np.zeros((steps, k))
        for t in range(steps - 2, -1, -1):
            nxt = x_s[t + 1]
            known = np.all(np.isfinite(x_f[t]), axis=-1)
            c = np.where(known, p_f[t] / np.maximum(p_prior[t + 1], 1e-12), 1.0)
            c = np.clip(c, 0.0, 1.0)
            pred = np.where(known[:, None], x_f[t] + motion[t], nxt)
            # Before a point's first detection it is carried backward by the flow.
            back = np.where(known[:, None], x_f[t], nxt - motion[t])
            x_s[t] = back + c[:, None] * np.where(known[:, None], nxt - pred, 0.0)
            x_s[t] = np.where(np.isfinite(nxt).all(-1)[:, None], x_s[t], x_f[t])
            back_gain[t] = c
        return x_s, (forward_gain, back_gain)


def _apply_gains(
    z: np.ndarray, seen: np.ndarray, forward_gain: np.ndarray, back_gain: np.ndarray
) -> np.ndarray:
    """The smoother's gains applied to other per-point series (a random walk, no motion).

    Shape:
        z: (T, K, C); seen, gains: (T, K); output: (T, K, C).
    """
    out = np.where(seen[..., None], z, np.nan)
    out[0] = np.nan_to_num(out[0])
    for t in range(1, len(z)):
        step = np.nan_to_num(z[t] - out[t - 1])
        out[t] = out[t - 1] + forward_gain[t, :, None] * step
    for t in range(len(z) - 2, -1, -1):
        out[t] = out[t] + back_gain[t, :, None] * (out[t + 1] - out[t])
    return out
