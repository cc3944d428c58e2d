"""How steady, how late and how right a smoothed landmark track is, per filter and region.

Coordinates are pixels; NaN marks a missing sample (it, and any transition touching it, is
left out). Per region (and "all" points) `track_metrics` reports:

- `nmj`: normalised mean jitter, sqrt(mean_t mean_k |d_t,k|² / s_t²), as
  `flowmark_core.metrics.jitter.nmj`. With ground truth, d = the frame-to-frame change of
  the error (pred - truth) and s_t the truth's box size (`box_size` of all its points, so
  regions share one scale); `nmj_basis` = "truth". Without truth, d = the point's motion
  minus the image content's motion under it (optical flow: Farneback, not the DIS flow the
  flow filters use, with a forward-backward check) and s_t the raw track's own box size;
  `nmj_basis` = "flow". The flow's own errors set a floor under it and it favours tracks
  that move with the image, which is what a steady landmark does.
- `acceleration`: mean |x_{t+1} - 2 x_t + x_{t-1}| in px/frame².
- `lag`: frames by which the track's velocities trail the reference's (the truth's, else the
  raw track's): the peak of their normalised cross-correlation over shifts of up to
  `max_lag` frames, refined by a parabola through the peak and its neighbours (sub-frame).
  Positive = late. Against the raw track the raw noise pulls it toward 0 a little.
- `flow_residual`: mean |x_{t+1} - (x_t + F_t(x_t))| in px, points where the flow passes
  the forward-backward check only (how far points slide off the content).
- `nme`: mean |x - truth| / s_t (truth only, else None).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import cv2
import numpy as np

from flowmark_core.flow import FlowEstimator, sample_at, to_gray_u8
from flowmark_core.metrics.landmarks import box_size

FB_THRESHOLD = 1.0  # px: the flow counts where forward-backward error is below this
MAX_LAG = 10  # frames searched either way for the lag


def velocity_lag(track: np.ndarray, reference: np.ndarray, max_lag: int = MAX_LAG) -> float:
    """Frames by which `track`'s velocities trail `reference`'s (sub-frame, parabolic peak).

    Definition: with velocities v = x_{t+1} - x_t (missing pairs left out), the correlation
    c(τ) = Σ v_track(t) · v_ref(t - τ) / sqrt(Σ|v_track|² Σ|v_ref|²) over the pairs both
    have, for |τ| <= max_lag; the lag is the maximising τ plus the vertex offset of the
    parabola through c(τ-1), c(τ), c(τ+1). NaN when no velocity is non-zero.

    Shape:
        track, reference: (T, K, 2).
    """
    a = np.diff(np.asarray(track, dtype=np.float64), axis=0)
    b = np.diff(np.asarray(reference, dtype=np.float64), axis=0)
    steps = len(a)
    max_lag = int(min(max_lag, steps - 2)) if steps > 2 else 0
    if steps < 3:
        return float("nan")
    shifts = np.arange(-max_lag, max_lag + 1)
    corr = np.full(len(shifts), np.nan)
    for i, tau in enumerate(range(-max_lag, max_lag + 1)):
        x = a[max(tau, 0) : steps + min(tau, 0)]
        y = b[max(-tau, 0) : steps - max(tau, 0)]
        ok = np.all(np.isfinite(x), axis=-1) & np.all(np.isfinite(y), axis=-1)
        xs, ys = x[ok], y[ok]
        denom = np.sqrt(np.sum(xs**2) * np.sum(ys**2))
        if denom > 0:
            corr[i] = np.sum(xs * ys) / denom
    if not np.isfinite(corr).any():
        return float("nan")
    best = int(np.nanargmax(corr))
    offset = 0.0
    if 0 < best < len(corr) - 1 and np.all(np.isfinite(corr[best - 1 : best + 2])):
        left, mid, right = corr[best - 1 : best + 2]
        curve = left - 2 * mid + right
        if curve < 0:
            offset = 0.5 * (left - right) / curve
    return float(shifts[best] + offset)


def _rms_normalised(change: np.ndarray, scale: np.ndarray) -> float:
    """sqrt(mean_t [mean_k |change_t,k|² / s_t²]) over transitions with a finite change.

    Shape:
        change: (T-1, K, 2); scale: (T-1,).
    """
    sq = np.sum(change**2, axis=-1)  # (T-1, K)
    ok = np.isfinite(sq) & np.isfinite(scale)[:, None]
    per = [sq[t][ok[t]].mean() / scale[t] ** 2 for t in range(len(sq)) if ok[t].any()]
    return float(np.sqrt(np.mean(per))) if per else float("nan")


class ClipFlow:
    """Forward flow (Farneback) and its forward-backward check, read at any tracks' points,
    streamed once over a clip's frames (downscaled to at most `max_side` px for the flow).

    Attributes:
        motion: name -> (T-1, K, 2) the content's motion at each point, image px; NaN where
            the point is missing, outside the frame or fails the check (error > 1 px).

    Shape:
        tracks: name -> (T, K, 2) px; frames: T x (H, W, 3) uint8.
    """

    def __init__(
        self, tracks: Mapping[str, np.ndarray], frames: Iterable[np.ndarray], max_side: int = 320
    ) -> None:
        estimator = FlowEstimator("farneback")
        steps = len(next(iter(tracks.values())))
        self.motion = {n: np.full((max(steps - 1, 0), *t.shape[1:]), np.nan) for n, t in
                       tracks.items()}  # fmt: skip
        prev: np.ndarray | None = None
        count = 0
        for t, frame in enumerate(frames):
            if t >= steps:
                raise ValueError(f"got more frames than the {steps} time steps of the track")
            gray = to_gray_u8(frame)
            h, w = gray.shape
            factor = min(1.0, max_side / max(h, w))
            if factor < 1.0:
                size = (max(2, round(w * factor)), max(2, round(h * factor)))
                gray = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
            count += 1
            if prev is not None:
                pair = estimator.pair(prev, gray)
                to_work = np.array([gray.shape[1] / w, gray.shape[0] / h])
                for name, track in tracks.items():
                    pts = (np.nan_to_num(track[t - 1]) + 0.5) * to_work - 0.5
                    good = np.all(np.isfinite(track[t - 1]), axis=-1)
                    good &= np.all((pts >= 0) & (pts <= [gray.shape[1] - 1, gray.shape[0] - 1]), -1)
                    good &= sample_at(pair.error, pts) / factor <= FB_THRESHOLD
                    moved = sample_at(pair.forward, pts).astype(np.float64) / to_work
                    self.motion[name][t - 1] = np.where(good[:, None], moved, np.nan)
            prev = gray
        if count != steps:
            raise ValueError(f"frames ended after {count} of {steps} time steps")


def _region_metrics(
    track: np.ndarray,
    reference: np.ndarray,
    truth: np.ndarray | None,
    flow_motion: np.ndarray | None,
    scale: np.ndarray,
    index: np.ndarray,
) -> dict[str, float | str | None]:
    """The metrics of one track on the points `index` (see the module docstring)."""
    x = track[:, index]
    pair_scale = 0.5 * (scale[1:] + scale[:-1])
    second = np.linalg.norm(x[2:] - 2 * x[1:-1] + x[:-2], axis=-1)
    residual = None
    if flow_motion is not None:
        slide = np.diff(x, axis=0) - flow_motion[:, index]
        norms = np.linalg.norm(slide, axis=-1)
        residual = float(np.nanmean(norms)) if np.isfinite(norms).any() else float("nan")
    if truth is not None:
        err = x - truth[:, index]
        nmj = _rms_normalised(np.diff(err, axis=0), pair_scale)
        dist = np.linalg.norm(err, axis=-1) / scale[:, None]
        nme = float(np.nanmean(dist)) if np.isfinite(dist).any() else float("nan")
        basis: str | None = "truth"
    else:
        nme = None
        if flow_motion is None:
            nmj, basis = float("nan"), None
        else:
            nmj = _rms_normalised(np.diff(x, axis=0) - flow_motion[:, index], pair_scale)
            basis = "flow"
    lag_ref = truth if truth is not None else reference
    return {
        "nmj": nmj,
        "nmj_basis": basis,
        "acceleration": float(np.nanmean(second)) if np.isfinite(second).any() else float("nan"),
        "lag": velocity_lag(x, lag_ref[:, index]),
        "flow_residual": residual,
        "nme": nme,
    }


def compare_tracks(
    raw: np.ndarray,
    tracks: Mapping[str, np.ndarray],
    frames: Iterable[np.ndarray] | None,
    fps: float,
    truth: np.ndarray | None = None,
    groups: Mapping[str, Sequence[int]] | None = None,
) -> dict[str, dict[str, dict[str, float | str | None]]]:
    """`track_metrics` of several smoothed tracks of one clip, reading the frames once.

    Returns:
        track name -> region ("all" and each group) -> metric -> value (see the module
        docstring); each region also carries `lag_ms` (the lag at `fps`).

    Shape:
        raw, tracks[...], truth: (T, K, 2); frames: T x (H, W, 3) or None.
    """
    raw = np.asarray(raw, dtype=np.float64)
    named = {n: np.asarray(t, dtype=np.float64) for n, t in tracks.items()}
    for name, track in named.items():
        if track.shape != raw.shape:
            raise ValueError(f"track {name!r} has shape {track.shape}, the raw one {raw.shape}")
    gt = None if truth is None else np.asarray(truth, dtype=np.float64)
    if gt is not None and gt.shape != raw.shape:
        raise ValueError(f"truth has shape {gt.shape}, the track {raw.shape}")
    scale = box_size(gt if gt is not None else raw)
    flows = None if frames is None else ClipFlow(named, frames).motion
    regions = {"all": np.arange(raw.shape[1])}
    regions.update({g: np.asarray(ix, dtype=np.int64) for g, ix in (groups or {}).items()})
    out: dict[str, dict[str, dict[str, float | str | None]]] = {}
    for name, track in named.items():
        motion = None if flows is None else flows[name]
        out[name] = {}
        for region, index in regions.items():
            row = _region_metrics(track, raw, gt, motion, scale, index)
            lag = row["lag"]
            row["lag_ms"] = float(lag) * 1000.0 / fps if isinstance(lag, float) else None
            out[name][region] = row
    return out


def track_metrics(
    raw: np.ndarray,
    smoothed: np.ndarray,
    frames: Iterable[np.ndarray] | None,
    fps: float,
    truth: np.ndarray | None = None,
    groups: Mapping[str, Sequence[int]] | None = None,
) -> dict[str, dict[str, float | str | None]]:
    """NMJ, acceleration, lag, flow residual and NME of one smoothed track, per region.

    Args:
        raw: the detector's track (the lag's reference without truth; its box size is the
            NMJ's scale without truth).
        smoothed: the track to score.
        frames: the clip's frames, streamed (None: no flow residual, and NMJ only with truth).
        fps: the clip's frame rate (for `lag_ms`).
        truth: ground-truth landmarks (NaN = not visible), or None.
        groups: region name -> point indices.

    Returns:
        region ("all" and each group) -> metric -> value (module docstring).

    Shape:
        raw, smoothed, truth: (T, K, 2); frames: T x (H, W, 3).
    """
    return compare_tracks(raw, {"track": smoothed}, frames, fps, truth, groups)["track"]
