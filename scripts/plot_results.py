"""Plots of evaluation results (PNG, matplotlib; `pip install "flowmark[eval]"`).

    python scripts/plot_results.py nmj-l1 eval/results.json [more results.json ...]
        NMJ against reconstruction L1, one point per (model, stabiliser) row.
    python scripts/plot_results.py trajectories DATA_DIR --model runs/x/model.safetensors
        One test video: a ground-truth landmark over time against the landmark regressed
        from the raw keypoints and from each stabiliser's keypoints.

Both write into docs/ by default (see -o).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from flowmark_core.animate import Animator
from flowmark_core.errors import FlowmarkError
from flowmark_core.evaluation import (
    EvalOptions,
    VariantResult,
    VideoTrajectories,
    load_results,
    video_trajectories,
)
from flowmark_core.io.atomic import atomic_output
from flowmark_core.stabilize import STABILIZERS

MARKERS = {"none": "o", "one-euro": "s", "flow": "^"}
TRACK_STYLE = {"none": ("tab:red", "raw keypoints"), "one-euro": ("tab:orange", "one-euro")}
TRACK_STYLE["flow"] = ("tab:blue", "flow-guided")


def _pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend, or a clear message when it is not installed."""
    try:
        import matplotlib
    except ImportError:
        raise SystemExit(
            'plot_results: matplotlib is not installed; pip install "flowmark[eval]"'
        ) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(path) as tmp:
        fig.savefig(tmp, dpi=130, bbox_inches="tight")
    print(f"wrote {path}")


def collect_rows(paths: Sequence[str | Path]) -> list[tuple[str, VariantResult]]:
    """(model label, row) of every row of several results files; labels made distinct."""
    loaded = [(Path(p), load_results(p).rows) for p in paths]
    counts: dict[str, int] = {}
    for _, rows in loaded:
        for model in {r.model for r in rows}:
            counts[model] = counts.get(model, 0) + 1
    out = []
    for path, rows in loaded:
        for row in rows:
            label = row.model if counts[row.model] == 1 else f"{path.parent.name}:{row.model}"
            out.append((label, row))
    return out


def plot_nmj_vs_l1(paths: Sequence[str | Path], output: Path) -> None:
    """Scatter of NMJ (%) against L1, colour per model, marker per stabiliser."""
    plt = _pyplot()
    rows = [(label, r) for label, r in collect_rows(paths) if r.nmj is not None]
    if not rows:
        raise SystemExit("plot_results: no row has an NMJ (do the data sets have landmarks?)")
    models = list(dict.fromkeys(label for label, _ in rows))
    colours = plt.get_cmap("tab10")
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    for label, row in rows:
        colour = colours(models.index(label) % 10)
        marker = MARKERS.get(row.stabilizer, "x")
        ax.scatter(row.l1, 100 * row.nmj, color=colour, marker=marker, s=60, zorder=3)
        ax.annotate(
            f"{label} / {row.stabilizer}",
            (row.l1, 100 * row.nmj),
            fontsize=7,
            xytext=(4, 4),
            textcoords="offset points",
        )
    ax.set_xlabel("reconstruction L1 (lower is better)")
    ax.set_ylabel("NMJ, % of landmark box (lower is steadier)")
    ax.set_title("Steadiness against reconstruction quality")
    ax.ticklabel_format(useOffset=False)
    ax.grid(alpha=0.3)
    _save(fig, output)
    plt.close(fig)


def _landmark_index(traj: VideoTrajectories, name: str | None) -> int:
    if name is None:
        return 0
    if name not in traj.landmark_names:
        raise SystemExit(
            f"plot_results: no landmark {name!r}; have {', '.join(traj.landmark_names)}"
        )
    return traj.landmark_names.index(name)


def plot_trajectories(traj: VideoTrajectories, landmark: str | None, output: Path) -> None:
    """x(t) and y(t) of one landmark: ground truth vs regressed from each track.

    Without a regressor (no ground truth), keypoint 0 of each track is drawn instead.
    """
    plt = _pyplot()
    fig, axes = plt.subplots(2, 1, figsize=(7.5, 5.2), sharex=True)
    if traj.regressed and traj.truth is not None:
        index = _landmark_index(traj, landmark)
        title = f"{traj.name}: landmark '{traj.landmark_names[index]}' (video px)"
        series = {name: track[:, index] for name, track in traj.regressed.items()}
        truth = traj.truth[:, index]
    else:
        index, truth = 0, None
        title = f"{traj.name}: keypoint 0 (model px; {traj.regressor_note})"
        series = {name: track[:, 0] for name, track in traj.tracks.items()}
    frames = np.arange(len(next(iter(series.values()))))
    for axis, coord in zip(axes, ("x", "y")):
        c = 0 if coord == "x" else 1
        if truth is not None:
            axis.plot(frames, truth[:, c], color="black", lw=2.0, label="ground truth")
        for name, values in series.items():
            colour, label = TRACK_STYLE.get(name, ("gray", name))
            axis.plot(frames, values[:, c], color=colour, lw=1.1, label=label)
        axis.set_ylabel(f"{coord} (px)")
        axis.grid(alpha=0.3)
    axes[0].set_title(title)
    axes[0].legend(fontsize=8, ncol=4, loc="best")
    axes[1].set_xlabel("frame")
    _save(fig, output)
    plt.close(fig)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="plot", required=True)
    scatter = sub.add_parser("nmj-l1", help="NMJ against L1 per (model, stabiliser)")
    scatter.add_argument("results", nargs="+", help="results.json files of flowmark evaluate")
    scatter.add_argument("-o", "--output", default="docs/nmj_vs_l1.png")
    traj = sub.add_parser("trajectories", help="landmark trajectories of one test video")
    traj.add_argument("data_dir", help="data set root (test/, train/ with landmarks.npz)")
    traj.add_argument("--model", required=True, help="checkpoint path or bundled model name")
    traj.add_argument("--config", default=None, help="YAML config (FOMM checkpoints)")
    traj.add_argument("--video", default="0", help="test video name or index (default 0)")
    traj.add_argument("--landmark", default=None, help="landmark name (default: the first)")
    traj.add_argument("--stabilize", nargs="+", choices=STABILIZERS, default=list(STABILIZERS))
    traj.add_argument("--max-frames", type=int, default=None)
    traj.add_argument("-o", "--output", default="docs/trajectories.png")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.plot == "nmj-l1":
            plot_nmj_vs_l1(args.results, Path(args.output))
            return 0
        animator = Animator.from_checkpoint(args.model, config=args.config, precision="float32")
        video: str | int = int(args.video) if args.video.isdigit() else args.video
        options = EvalOptions(max_frames=args.max_frames)
        traj = video_trajectories(animator, args.data_dir, video, args.stabilize, options)
        plot_trajectories(traj, args.landmark, Path(args.output))
    except FlowmarkError as exc:
        sys.stderr.write(f"plot_results: error: {exc}\n")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
