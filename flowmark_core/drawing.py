"""Drawing shared by every view: the keypoint colours and the part-map grid of `flowmark parts`.

One colour per keypoint index, the same in the CLI images, training sample grids and the
GUI. (Moved here from `training/logger.py` and `cli/keypoints_cmd.py`: the CLI and the GUI
should not depend on the training logger, and drawing code does not belong in the CLI.)
"""

from __future__ import annotations

import cv2
import numpy as np

KEYPOINT_COLOURS = (
    (230, 25, 75),
    (60, 180, 75),
    (255, 225, 25),
    (0, 130, 200),
    (245, 130, 48),
    (145, 30, 180),
    (70, 240, 240),
    (240, 50, 230),
    (120, 120, 255),  # periwinkle; the lime it replaced looked like keypoint 2's yellow
    (250, 190, 212),
    (0, 128, 128),
    (220, 190, 255),
    (170, 110, 40),
    (255, 250, 200),
    (128, 0, 0),
    (210, 245, 60),
)


def keypoint_colour(k: int) -> tuple[int, int, int]:
    """The RGB colour of keypoint k (shared by every view of the project)."""
    return KEYPOINT_COLOURS[k % len(KEYPOINT_COLOURS)]


def parts_grid(
    image: np.ndarray, heatmaps: np.ndarray, points: np.ndarray, tile: int = 160
) -> np.ndarray:
    """Grid of tiles: the image with all landmarks, then each heatmap over the image.

    Shape:
        image: (S, S, 3) uint8; heatmaps: (K, h, w); points: (K, 2) px of the image.
    """
    base = cv2.resize(image, (tile, tile), interpolation=cv2.INTER_AREA)
    scale = tile / image.shape[1]
    tiles = []
    first = base.copy()
    for k, (x, y) in enumerate(points * scale):
        cv2.circle(first, (round(x), round(y)), 4, keypoint_colour(k), -1, cv2.LINE_AA)
        cv2.putText(
            first,
            str(k),
            (round(x) + 4, round(y) - 4),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.35,
            keypoint_colour(k),
            1,
            cv2.LINE_AA,
        )
    tiles.append(first)
    for k, heat in enumerate(heatmaps):
        h = cv2.resize(
            heat / max(float(heat.max()), 1e-12), (tile, tile), interpolation=cv2.INTER_LINEAR
        )
        colour = np.array(keypoint_colour(k), np.float32)
        blend = base.astype(np.float32) * (1 - 0.75 * h[..., None]) + colour * 0.75 * h[..., None]
        t = blend.clip(0, 255).astype(np.uint8)
        x, y = points[k] * scale
        cv2.circle(t, (round(x), round(y)), 3, (255, 255, 255), -1, cv2.LINE_AA)
        cv2.putText(
            t, f"part {k}", (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (255, 255, 255), 1, cv2.LINE_AA
        )
        tiles.append(t)
    cols = min(6, len(tiles))
    rows = -(-len(tiles) // cols)
    tiles += [np.zeros_like(base)] * (rows * cols - len(tiles))
    return np.concatenate(
        [np.concatenate(tiles[r * cols : (r + 1) * cols], axis=1) for r in range(rows)], axis=0
    )
