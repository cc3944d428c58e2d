"""Training logs: `metrics.csv` (and TensorBoard event files when installed); PNG image grids."""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import numpy as np
import torch

from flowmark_core.drawing import keypoint_colour
from flowmark_core.errors import OutputFileError
from flowmark_core.geometry import normalized_to_pixels
from flowmark_core.io.atomic import atomic_output, is_out_of_space, no_space_error


class ScalarLogger:
    """Writes scalars to `metrics.csv`, and to TensorBoard too when it is installed.

    A run resumed at `start_step` first drops the rows logged after that step by the run
    that was killed (they are logged again, with the resumed run's values): a step appears
    once in the log, and curves drawn from it do not zig-zag.
    """

    def __init__(self, out_dir: Path, start_step: int = 0) -> None:
        self.out_dir = out_dir
        self.kind = "csv"
        self._tb = None
        try:
            from torch.utils.tensorboard import SummaryWriter

            purge = {"purge_step": start_step + 1} if start_step else {}
            self._tb = SummaryWriter(str(out_dir / "tensorboard"), **purge)
            self.kind = "tensorboard"
        except Exception:  # tensorboard is optional; any import problem means CSV
            self._tb = None
        self._csv_path = out_dir / "metrics.csv"
        if self._csv_path.exists():
            drop_rows_after(self._csv_path, start_step)

    def log(self, step: int, values: dict[str, float]) -> None:
        if self._tb is not None:
            for k, v in values.items():
                self._tb.add_scalar(k, v, step)
            self._tb.flush()
        new = not self._csv_path.exists()
        try:
            with self._csv_path.open("a", newline="") as f:
                writer = csv.writer(f)
                if new:
                    writer.writerow(["step", "name", "value"])
                for k, v in values.items():
                    writer.writerow([step, k, f"{v:.6g}"])
        except OSError as exc:  # a write error names no file: say which, and why
            if is_out_of_space(self.out_dir, exc):
                raise no_space_error(self._csv_path) from None
            raise OutputFileError(f"{self._csv_path}: cannot be written ({exc.strerror})") from None

    def close(self) -> None:
        if self._tb is not None:
            self._tb.close()


def drop_rows_after(path: Path, step: int) -> None:
    """Rewrite a metrics.csv without its rows past `step` (atomically; kept when none are)."""
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        return
    kept = [row for row in rows[1:] if not (row and row[0].isdigit() and int(row[0]) > step)]
    if len(kept) == len(rows) - 1:
        return
    with atomic_output(path) as tmp, tmp.open("w", newline="") as f:
        csv.writer(f).writerows(rows[:1] + kept)


def _to_uint8(img: torch.Tensor) -> np.ndarray:
    return (img.detach().float().clamp(0, 1).permute(1, 2, 0).cpu().numpy() * 255).astype(np.uint8)


def draw_keypoints(image: np.ndarray, kp_norm: np.ndarray, radius: int = 2) -> np.ndarray:
    """Draw normalised keypoints (K, 2) on an RGB uint8 image, one colour per keypoint."""
    out = image.copy()
    h, w = out.shape[:2]
    for k, (x, y) in enumerate(normalized_to_pixels(kp_norm, w, h)):
        cv2.circle(out, (round(x), round(y)), radius, keypoint_colour(k), -1, cv2.LINE_AA)
    return out


def save_grid(
    path: Path,
    source: torch.Tensor,
    driving: torch.Tensor,
    prediction: torch.Tensor,
    kp_driving: torch.Tensor,
    occlusion: torch.Tensor | None,
    rows: int = 4,
) -> None:
    """PNG grid, one row per sample: source | driving | prediction | keypoints | occlusion."""
    source, driving, prediction, kp_driving = (
        t.detach().float() for t in (source, driving, prediction, kp_driving)
    )
    occlusion = None if occlusion is None else occlusion.detach().float()
    lines = []
    for i in range(min(rows, source.shape[0])):
        s, d, p = _to_uint8(source[i]), _to_uint8(driving[i]), _to_uint8(prediction[i])
        kp = draw_keypoints(d, kp_driving[i].float().cpu().numpy())
        if occlusion is not None:
            occ = cv2.resize(occlusion[i, 0].float().cpu().numpy(), (s.shape[1], s.shape[0]))
            occ_img = np.repeat((occ.clip(0, 1) * 255).astype(np.uint8)[..., None], 3, axis=2)
        else:
            occ_img = np.zeros_like(s)
        lines.append(np.concatenate([s, d, p, kp, occ_img], axis=1))
    grid = np.concatenate(lines, axis=0)
    with atomic_output(path) as tmp:
        cv2.imwrite(
            str(tmp.with_suffix(".png")) if tmp.suffix != ".png" else str(tmp),
            cv2.cvtColor(grid, cv2.COLOR_RGB2BGR),
        )
