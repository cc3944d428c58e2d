"""`flowmark evaluate --task generate`: image-to-video on a data set's test split.

For each test video the first frame is the only input: the prior samples futures of its
keypoints, the generator renders them, and everything is compared with the video's true
continuation — keypoint-track error (px), frame L1 (not rendered for the posterior mean,
whose track error is the deterministic mode's measure), Fréchet distances of image features,
motion statistics against real tracks, and diversity across samples — with the baselines
of a static video (the first frame repeated) and constant-velocity keypoints (extrapolated
from the true frames 0 and 1, i.e. given one more frame than the prior).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from flowmark_core.data.video_folder import VideoFolder
from flowmark_core.errors import DatasetError
from flowmark_core.evaluation import motion_stats as ms
from flowmark_core.evaluation.frechet import frechet_distance_of
from flowmark_core.evaluation.generation_features import detector_features, inception_features
from flowmark_core.geometry import normalized_to_pixels
from flowmark_core.motion_prior.generate import ImageToVideo, SampledMotion
from flowmark_core.motion_prior.tracks import detect_frames, stabilize_track

Progress = Callable[[int], object]
METHODS = (
    "static",
    "constant_velocity",
    "samples",
    "best_of_n",
    "prior_mean",
    "posterior_mean",
    "true_keypoints",
)
LABELS = {
    "static": "static video (first frame repeated)",
    "constant_velocity": "constant velocity (true frames 0-1 extrapolated)",
    "samples": "prior samples (mean over samples)",
    "best_of_n": "prior samples, best of N",
    "prior_mean": "prior mean (deterministic)",
    "posterior_mean": "posterior mean (sees the true future)",
    "true_keypoints": "true keypoints rendered (reconstruction bound)",
}


@dataclass(frozen=True)
class GenerateEvalOptions:
    """frames: video length with the first frame; samples: futures per image."""

    frames: int = 32
    samples: int = 4
    seed: int = 0
    max_videos: int | None = None
    fid_weights: str | None = None


def _px(values: np.ndarray, size: int) -> np.ndarray:
    return normalized_to_pixels(values, size, size)


class _Collector:
    """Per-method lists of per-video numbers, features and tracks."""

    def __init__(self) -> None:
        self.l1: dict[str, list[float]] = {m: [] for m in METHODS}
        self.err: dict[str, list[float]] = {m: [] for m in METHODS}
        self.feats: dict[str, list[np.ndarray]] = {"real": []}
        self.tracks: dict[str, list[np.ndarray]] = {}
        self.diversity: list[float] = []

    def add_tracks(self, name: str, tracks: list[np.ndarray]) -> None:
        self.tracks.setdefault(name, []).extend(tracks)

    def add_feats(self, name: str, feats: np.ndarray) -> None:
        self.feats.setdefault(name, []).append(feats)


def evaluate_generation(
    data_dir: str | Path,
    model: str | None = None,
    prior: str | None = None,
    options: GenerateEvalOptions | None = None,
    device: str = "cpu",
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Run the image-to-video evaluation; returns a JSON-ready dict (see `generation_markdown`)."""
    opt = options or GenerateEvalOptions()
    pipe = ImageToVideo.load(model, prior, device)
    f = opt.frames
    videos = [v for v in VideoFolder(data_dir, "test")][: opt.max_videos]
    detector_fn = detector_features(pipe.model)
    inception_fn = inception_features(opt.fid_weights, pipe.device) if opt.fid_weights else None
    col, inc = _Collector(), _Collector()
    used = 0
    for i, entry in enumerate(videos):
        first = _first_frames(entry, f, pipe)
        if first is None:
            continue
        frames, original_side = first
        used += 1
        _one_video(
            pipe,
            frames,
            original_side,
            entry,
            opt,
            opt.seed + 1000 * i,
            col,
            inc,
            detector_fn,
            inception_fn,
        )
        if progress is not None:
            progress(1)
    if used < 2:
        raise DatasetError(
            f"{data_dir}/test: {used} video(s) with {f} frames; the evaluation needs at least 2"
        )
    return _summarise(col, inc if inception_fn else None, pipe, opt, used, data_dir)


def _first_frames(entry: Any, f: int, pipe: ImageToVideo) -> tuple[list[np.ndarray], int] | None:
    """The first f frames at model size and the original longer side, or None if too short."""
    frames, side = [], 0
    for frame in entry.open():
        side = max(np.asarray(frame).shape[:2])
        frames.append(pipe.prepare(np.asarray(frame)))
        if len(frames) == f:
            return frames, side
    return None


def _one_video(
    pipe: ImageToVideo,
    frames: list[np.ndarray],
    original_side: int,
    entry: Any,
    opt: GenerateEvalOptions,
    seed: int,
    col: _Collector,
    inc: _Collector,
    detector_fn: Callable,
    inception_fn: Callable | None,
) -> None:
    size, f, n = pipe.size, opt.frames, opt.samples
    true_v, true_j = detect_frames(pipe.model, frames)
    samples = pipe.sample_from_keypoints(true_v[0], true_j[0], f, n, seed)
    mean = pipe.sample_from_keypoints(true_v[0], true_j[0], f, 1, seed, mean=True)
    post = _posterior_mean(pipe, true_v, true_j)
    cv_v = ms.constant_velocity(true_v[0], true_v[1], f).astype(np.float32)
    cv_j = np.repeat(true_j[:1], f, 0)
    rows_v = np.concatenate([samples.values, mean.values, cv_v[None], true_v[None]])
    rows_j = np.concatenate([samples.jacobians, mean.jacobians, cv_j[None], true_j[None]])
    rendered = [fr for fr in pipe.render(frames[0], SampledMotion(rows_v, rows_j, seed), batch=16)]
    video = np.stack([np.stack(r) for r in rendered], 1)  # (rows, F, S, S, 3)
    truth = np.stack(frames).astype(np.float32)

    def l1(x: np.ndarray) -> float:
        return float(np.abs(x[1:].astype(np.float32) - truth[1:]).mean() / 255.0)

    sample_l1 = [l1(video[s]) for s in range(n)]
    true_px = _px(true_v, size)
    sample_err = [ms.track_error(_px(samples.values[s], size), true_px) for s in range(n)]
    col.l1["samples"].append(float(np.mean(sample_l1)))
    col.l1["best_of_n"].append(float(np.min(sample_l1)))
    col.l1["prior_mean"].append(l1(video[n]))
    col.l1["constant_velocity"].append(l1(video[n + 1]))
    col.l1["true_keypoints"].append(l1(video[n + 2]))
    col.l1["static"].append(l1(np.repeat(truth[:1], f, 0)))
    col.err["samples"].append(float(np.mean(sample_err)))
    col.err["best_of_n"].append(float(np.min(sample_err)))
    col.err["prior_mean"].append(ms.track_error(_px(mean.values[0], size), true_px))
    col.err["posterior_mean"].append(ms.track_error(_px(post[0], size), true_px))
    col.err["constant_velocity"].append(ms.track_error(_px(cv_v, size), true_px))
    col.err["static"].append(ms.track_error(np.repeat(true_px[:1], f, 0), true_px))
    col.err["true_keypoints"].append(0.0)
    col.diversity.append(ms.diversity(_px(samples.values, size)))
    col.add_tracks("real_raw", [true_px])
    stable_v, _ = stabilize_track(true_v, true_j, frames, size)
    col.add_tracks("real_flow", [_px(stable_v, size)])
    truth_lm = entry.landmarks()
    if truth_lm is not None and len(truth_lm.landmarks) >= f:
        col.add_tracks("landmarks", [truth_lm.landmarks[:f] * (size / original_side)])
    col.add_tracks("samples", [_px(s, size) for s in samples.values])
    col.add_tracks("prior_mean", [_px(mean.values[0], size)])
    col.add_tracks("constant_velocity", [_px(cv_v, size)])
    for fn, target in ((detector_fn, col), (inception_fn, inc)):
        if fn is None:
            continue
        target.add_feats("real", fn(truth[1:].astype(np.uint8)))
        target.add_feats("static", fn(np.repeat(truth[:1], f - 1, 0).astype(np.uint8)))
        target.add_feats("samples", fn(video[:n, 1:].reshape(-1, size, size, 3)))
        target.add_feats("prior_mean", fn(video[n, 1:]))
        target.add_feats("constant_velocity", fn(video[n + 1, 1:]))
        target.add_feats("true_keypoints", fn(video[n + 2, 1:]))


@torch.no_grad()
def _posterior_mean(
    pipe: ImageToVideo, v: np.ndarray, j: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Decode the posterior's mean latent for the true track (the deterministic mode)."""
    vt = torch.from_numpy(v[None]).float().to(pipe.device)
    jt = torch.from_numpy(j[None]).float().to(pipe.device)
    q = pipe.prior.posterior(vt[:, 0], jt[:, 0], vt[:, 1:], jt[:, 1:])
    out = pipe.prior.decode(vt[:, 0], jt[:, 0], q.mean, v.shape[0] - 1)
    return out.values[0].cpu().numpy(), out.jacobians[0].cpu().numpy()


def _summarise(
    col: _Collector,
    inc: _Collector | None,
    pipe: ImageToVideo,
    opt: GenerateEvalOptions,
    used: int,
    data_dir: str | Path,
) -> dict[str, Any]:
    real = col.tracks["real_raw"]
    real_speed = np.concatenate([ms.speeds(t).ravel() for t in real])
    real_acc = np.concatenate([ms.accelerations(t).ravel() for t in real])
    real_disp = np.stack([ms.displacement_features(t) for t in real])
    rows: dict[str, dict[str, float | None]] = {}
    for m in METHODS:
        row: dict[str, float | None] = {
            "l1": float(np.mean(col.l1[m])) if col.l1[m] else None,
            "track_error_px": float(np.mean(col.err[m])),
        }
        for name, c in (("fd_detector", col), ("fid", inc)):
            key = "samples" if m == "best_of_n" else m
            row[name] = (
                frechet_distance_of(np.concatenate(c.feats["real"]), np.concatenate(c.feats[key]))
                if c is not None and key in c.feats and m not in ("best_of_n",)
                else None
            )
        tracks = col.tracks.get("samples" if m == "best_of_n" else m)
        if tracks is not None and m != "best_of_n":
            s = ms.motion_summary(tracks)
            row.update(s)
            sp = np.concatenate([ms.speeds(t).ravel() for t in tracks])
            ac = np.concatenate([ms.accelerations(t).ravel() for t in tracks])
            row["speed_tv"] = ms.histogram_distance(sp, real_speed)
            row["accel_tv"] = ms.histogram_distance(ac, real_acc)
            gen = np.stack([ms.displacement_features(t) for t in tracks])
            row["mmd"] = ms.mmd_rbf(gen, real_disp) if len(gen) >= 2 else None
        if m == "static":
            row.update(speed_mean=0.0, accel_mean=0.0, displacement_mean=0.0)
        rows[m] = row
    rows["samples"]["diversity_px"] = float(np.mean(col.diversity))
    references = {
        name: ms.motion_summary(col.tracks[name])
        for name in ("real_raw", "real_flow", "landmarks")
        if name in col.tracks
    }
    return {
        "task": "generate",
        "data": str(data_dir),
        "model": pipe.model_path.stem,
        "prior": str(pipe.prior_path),
        "prior_tracks": pipe.prior_meta.get("tracks"),
        "options": asdict(opt),
        "videos": used,
        "image_size": pipe.size,
        "methods": rows,
        "references": references,
    }


def generation_markdown(results: dict[str, Any]) -> str:
    """The results as Markdown tables (frames 1..F-1 against the true continuation)."""
    o = results["options"]
    fid = o.get("fid_weights")
    lines = [
        f"Image-to-video on {results['videos']} test videos of {results['data']} (model "
        f"{results['model']}, prior {Path(results['prior']).name} trained on {results['prior_tracks']} "
        f"tracks; {o['frames']} frames, {o['samples']} samples, seed {o['seed']}).",
        "",
        "| method | L1 | track error px | FD detector* | "
        + ("FID | " if fid else "")
        + "speed px/f | accel px/f² | speed TV | accel TV | MMD |",
        "|---|---|---|---|" + ("---|" if fid else "") + "---|---|---|---|---|",
    ]
    for m in METHODS:
        r = results["methods"][m]
        cells = [LABELS[m], _f(r["l1"], 4), _f(r["track_error_px"], 2), _f(r["fd_detector"], 3)]
        if fid:
            cells.append(_f(r["fid"], 2))
        cells += [
            _f(r.get("speed_mean"), 3),
            _f(r.get("accel_mean"), 3),
            _f(r.get("speed_tv"), 3),
            _f(r.get("accel_tv"), 3),
            _f(r.get("mmd"), 4),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "| real motion (reference) | speed px/f | accel px/f² | displacement px |",
        "|---|---|---|---|",
    ]
    for name, r in results["references"].items():
        lines.append(
            f"| {name} | {r['speed_mean']:.3f} | {r['accel_mean']:.3f} | {r['displacement_mean']:.2f} |"
        )
    lines += [
        "",
        f"Diversity across samples: {results['methods']['samples']['diversity_px']:.2f} px mean keypoint "
        "distance between two samples of one image.",
        "*FD detector: Fréchet distance over our keypoint detector's encoder features; NOT comparable "
        "to published FID. TV: total variation distance of the speed/acceleration histograms "
        "to the real raw tracks'; MMD: Gaussian-kernel MMD² of displacement tracks to the real ones.",
    ]
    return "\n".join(lines)


def _f(x: float | None, digits: int) -> str:
    return "–" if x is None or not np.isfinite(x) else f"{x:.{digits}f}"
