"""Automatic filter choice: measure a clip's condition, pick what won on the closest split.

`clip_condition` measures four things from the track (and frames when given):

- `noise`: the detector's high-frequency noise, the median over points of the robust std
  (1.4826 x MAD) of the second differences, divided by sqrt(6) (white noise of std σ has
  second differences of std sqrt(6)·σ) and by the track's box size;
- `jumps`: the share of second differences above 6 robust stds of their point (jumps);
- `missing`: the share of samples that are NaN or below 0.5 confidence;
- `flicker`: the std of the frame-to-frame change of mean brightness over the mean
  brightness (exposure and lighting flicker; 0 without frames).

`choose_filter` finds the split of the table (`filter_table.json`, written by
`scripts/jitter_lab.py tune`, with how it was made) whose train clips' mean condition is
nearest (in units of each measure's spread over all train clips) and returns the filter
and parameters that won there, with a one-line reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from flowmark_core.errors import ConfigError
from flowmark_core.flow import to_gray_u8
from flowmark_core.metrics.landmarks import box_size

TABLE_PATH = Path(__file__).with_name("filter_table.json")
FEATURES: tuple[str, ...] = ("noise", "jumps", "missing", "flicker")


@dataclass(frozen=True)
class FilterChoice:
    """The chosen filter, its parameters and why (one line)."""

    name: str
    params: dict[str, object] = field(default_factory=dict)
    reason: str = ""


def clip_condition(
    values: np.ndarray,
    frames: Iterable[np.ndarray] | None = None,
    confidence: np.ndarray | None = None,
) -> dict[str, float]:
    """The clip's noise, jump, missing and flicker measures (module docstring).

    Shape:
        values: (T, K, 2) px, NaN = missing; confidence: (T, K); frames: T x (H, W, 3).
    """
    vals = np.asarray(values, dtype=np.float64)
    if vals.ndim != 3 or vals.shape[2] != 2:
        raise ConfigError(f"a track must have shape (T, K, 2), got {vals.shape}")
    seen = np.all(np.isfinite(vals), axis=-1)
    if confidence is not None:
        conf = np.nan_to_num(np.asarray(confidence, dtype=np.float64), nan=0.0)
        if conf.shape != seen.shape:
            raise ConfigError(f"confidence must have shape {seen.shape}, got {conf.shape}")
        seen &= conf >= 0.5
    second = vals[2:] - 2 * vals[1:-1] + vals[:-2]  # (T-2, K, 2)
    sizes = box_size(vals)
    scale = float(np.nanmedian(sizes)) if np.isfinite(sizes).any() else float("nan")
    noise = jumps = float("nan")
    if len(second) >= 3 and np.isfinite(second).any():
        med = np.nanmedian(second, axis=0)
        robust = 1.4826 * np.nanmedian(np.abs(second - med), axis=0)  # (K, 2)
        sigma = np.sqrt(np.nanmean(robust**2, axis=-1))  # (K,)
        noise = float(np.nanmedian(sigma) / np.sqrt(6.0) / scale)
        dist = np.linalg.norm(second - med, axis=-1)
        big = dist > 6.0 * np.sqrt(2.0) * np.maximum(sigma, 1e-9)
        jumps = float(np.mean(big[np.isfinite(dist)])) if np.isfinite(dist).any() else 0.0
    flicker = 0.0
    if frames is not None:
        means = np.array([to_gray_u8(f).mean() for f in frames], dtype=np.float64)
        if len(means) >= 2 and means.mean() > 0:
            flicker = float(np.std(np.diff(means)) / means.mean())
    return {
        "noise": noise,
        "jumps": jumps,
        "missing": float(1.0 - seen.mean()) if seen.size else 0.0,
        "flicker": flicker,
    }


@lru_cache(maxsize=4)
def load_table(path: Path = TABLE_PATH) -> dict:
    """The tuned table of winners per capture split (see `scripts/jitter_lab.py tune`)."""
    if not path.is_file():
        raise ConfigError(f"{path}: the filter table is missing (run scripts/jitter_lab.py tune)")
    return json.loads(path.read_text())


def nearest_split(condition: dict[str, float], table: dict) -> tuple[str, float]:
    """The split whose mean train condition is nearest, and the distance (spread units)."""
    spread = table["feature_spread"]
    best, best_d = "", float("inf")
    for split, entry in table["splits"].items():
        terms = [
            ((condition[f] - entry["condition"][f]) / spread[f]) ** 2
            for f in FEATURES
            if np.isfinite(condition.get(f, np.nan)) and spread.get(f, 0) > 0
        ]
        d = float(np.sqrt(sum(terms))) if terms else 0.0
        if d < best_d:
            best, best_d = split, d
    return best, best_d


def choose_filter(
    values: np.ndarray,
    frames: Iterable[np.ndarray] | None,
    fps: float,
    confidence: np.ndarray | None = None,
    causal: bool = False,
    table: dict | None = None,
) -> FilterChoice:
    """The filter and parameters that won on the capture split most like this clip.

    Args:
        values: the detector's track, px (NaN = missing).
        frames: the clip's frames (streamed once, for flicker), or None.
        fps: the clip's frame rate (stated in the reason; the parameters are per second).
        confidence: per-sample detector confidence, or None.
        causal: choose among the live (causal) filters only.
        table: a table in the format of `filter_table.json` (default: the packaged one).

    Returns:
        A `FilterChoice` (name, params, reason).

    Shape:
        values: (T, K, 2); confidence: (T, K).
    """
    table = table if table is not None else load_table()
    cond = clip_condition(values, frames, confidence)
    split, dist = nearest_split(cond, table)
    entry = table["splits"][split]
    win = entry["winner_causal" if causal else "winner"]
    reason = (
        f"noise {cond['noise'] * 100:.2f}% of the face, jumps {cond['jumps'] * 100:.1f}%, "
        f"missing {cond['missing'] * 100:.0f}%, flicker {cond['flicker'] * 100:.1f}% "
        f"at {fps:g} fps: nearest the '{split}' train split ({dist:.1f} spreads away), where "
        f"{win['name']} won (NMJ {win['nmj_change'] * 100:+.0f}%, NME "
        f"{win['nme_change'] * 100:+.0f}%, lag {win['lag']:.2f} frames)"
    )
    return FilterChoice(win["name"], dict(win["params"]), reason)
