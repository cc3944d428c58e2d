"""A PNG of the worst points' trajectories: x(t) and y(t), raw and each filter, each point
over a window of frames around its largest jitter (a whole long clip would hide it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from flowmark_core.errors import FlowmarkError

WINDOW = 120  # frames shown per point


def plot_worst_points(
    path: Path,
    tracks: Mapping[str, np.ndarray],
    points: Sequence[int],
    names: Sequence[str],
    first_frame: int,
    centres: Sequence[int],
    window: int = WINDOW,
) -> None:
    """Write the plot to `path` (PNG): one row per point, x and y side by side, the rows
    `centres[i] ± window / 2` of point `points[i]`.

    Raises:
        FlowmarkError: matplotlib is not installed (the `eval` extra).

    Shape:
        tracks[...]: (T, K, 2), the first one the raw track.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise FlowmarkError(
            "the jitter plot needs matplotlib; install the eval extra (pip install -e '.[eval]')"
        ) from exc
    rows = max(1, len(points))
    length = next(iter(tracks.values())).shape[0]
    fig, axes = plt.subplots(rows, 2, figsize=(11, 2.1 * rows + 0.6), squeeze=False)
    for row, (k, centre) in enumerate(zip(points, centres)):
        start = max(0, min(centre - window // 2, length - window))
        span = slice(start, start + window)
        frames = first_frame + np.arange(length)[span]
        for col, axis in enumerate("xy"):
            ax = axes[row][col]
            for i, (label, track) in enumerate(tracks.items()):
                raw = {"color": "0.15", "marker": ".", "ms": 3, "lw": 0, "zorder": 5}
                style = raw if i == 0 else {"lw": 1.0}
                ax.plot(frames, track[span, k, col], label=label, **style)
            ax.set_ylabel(f"{names[k]}\n{axis} (px)", fontsize=8)
            ax.tick_params(labelsize=7)
    for ax in axes[-1]:
        ax.set_xlabel("video frame", fontsize=8)
    axes[0][0].legend(fontsize=7, ncol=min(4, len(tracks)), loc="best")
    fig.suptitle(
        f"the points with the most raw jitter, {window} frames around each one's largest",
        fontsize=10,
    )
    fig.tight_layout()
    try:
        fig.savefig(path, format="png", dpi=100)
    finally:
        plt.close(fig)
