"""Per-region follow: does a generated face open its mouth, blink and turn when the driver does?

Signals are read from the face-mesh reference's named landmarks
(`flowmark_core.metrics.reference_mesh.REFERENCE_NAMES`) in the face's own frame: u along
the eye line (outer corner of the subject's right eye to that of the left), v perpendicular
to it, down the face. Distances are divided by the frame's inter-ocular distance (outer eye
corners), so a driver and a portrait of different sizes compare directly:

- mouth: inner-lip gap (upper to lower inner lip);
- eyes: lid gap (upper to lower lid), mean of both eyes;
- yaw: the cheeks' midpoint minus the nose tip along u (the nose swings sideways as the head
  turns; positive when it moves towards the image's left, as for `mesh_animation.Pose` yaw > 0);
- pitch: nose tip minus the eyes' midpoint along v (the nose tip rises or drops with a nod);
- roll: the eye line's angle to the image's x axis, radians.

Follow of one signal = Pearson correlation over the frames where both faces were found, and
the generated signal's range relative to the driver's (5-95 percentile range, and standard
deviation). Offsets do not matter: a portrait's own neutral pose is not the driver's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flowmark_core.metrics.reference_mesh import REFERENCE_NAMES, inter_ocular

REGIONS: tuple[str, ...] = ("mouth", "eyes", "yaw", "pitch", "roll")
RANGE_PERCENTILES = (5.0, 95.0)
MIN_FRAMES = 3


def _at(points: np.ndarray, name: str) -> np.ndarray:
    return points[..., REFERENCE_NAMES.index(name), :]


def region_signals(landmarks: np.ndarray) -> dict[str, np.ndarray]:
    """Mouth, eye, yaw, pitch and roll signals of reference landmarks (see the module doc).

    Shape:
        landmarks: (T, L, 2) in `REFERENCE_NAMES` order, NaN where no face was found;
        each output: (T,) float64, NaN where no face was found.
    """
    pts = np.asarray(landmarks, dtype=np.float64)
    right, left = _at(pts, "right_eye_outer"), _at(pts, "left_eye_outer")
    iod = inter_ocular(pts)
    with np.errstate(invalid="ignore", divide="ignore"):
        u = (left - right) / iod[:, None]
    v = np.stack([-u[:, 1], u[:, 0]], axis=1)

    def gap(a: str, b: str) -> np.ndarray:
        return np.linalg.norm(_at(pts, a) - _at(pts, b), axis=-1) / iod

    def along(axis: np.ndarray, vector: np.ndarray) -> np.ndarray:
        return np.sum(axis * vector, axis=-1) / iod

    nose = _at(pts, "nose_tip")
    cheeks = 0.5 * (_at(pts, "right_cheek") + _at(pts, "left_cheek"))
    eyes = 0.5 * (right + left)
    return {
        "mouth": gap("upper_lip_inner", "lower_lip_inner"),
        "eyes": 0.5
        * (
            gap("right_eye_upper_lid", "right_eye_lower_lid")
            + gap("left_eye_upper_lid", "left_eye_lower_lid")
        ),
        "yaw": along(u, cheeks - nose),
        "pitch": along(v, nose - eyes),
        "roll": np.arctan2(u[:, 1], u[:, 0]),
    }


@dataclass(frozen=True)
class SignalFollow:
    """How one generated signal follows the driver's.

    Attributes:
        r: Pearson correlation over the frames with a face in both (NaN when fewer than
            `MIN_FRAMES` or either signal is constant).
        range_ratio: generated 5-95 percentile range / the driver's.
        std_ratio: generated standard deviation / the driver's.
        frames: frames with a face in both.
    """

    r: float
    range_ratio: float
    std_ratio: float
    frames: int


def _spread(x: np.ndarray) -> float:
    lo, hi = np.percentile(x, RANGE_PERCENTILES)
    return float(hi - lo)


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else float("nan")


def signal_follow(driver: np.ndarray, generated: np.ndarray) -> SignalFollow:
    """Correlation and range ratio of a generated signal against the driver's.

    Shape:
        driver, generated: (T,), NaN where no face was found.
    """
    d = np.asarray(driver, dtype=np.float64)
    g = np.asarray(generated, dtype=np.float64)
    if d.shape != g.shape:
        raise ValueError(f"driver {d.shape} and generated {g.shape} signals differ in shape")
    both = np.isfinite(d) & np.isfinite(g)
    n = int(both.sum())
    if n < MIN_FRAMES:
        return SignalFollow(float("nan"), float("nan"), float("nan"), n)
    d, g = d[both], g[both]
    r = float("nan")
    if np.ptp(d) > 0 and np.ptp(g) > 0:  # a constant signal has no correlation
        r = float(np.corrcoef(d, g)[0, 1])
    g_std = g.std() if np.ptp(g) > 0 else 0.0
    return SignalFollow(r, _ratio(_spread(g), _spread(d)), _ratio(g_std, d.std()), n)


@dataclass(frozen=True)
class RegionFollow:
    """Per-region follow of a generated clip against its driver.

    Attributes:
        regions: region name (`REGIONS`) -> its `SignalFollow`.
        face_found: share of generated frames where the reference found a face.
        frames: frames compared.
    """

    regions: dict[str, SignalFollow]
    face_found: float
    frames: int


def region_follow(driver: np.ndarray, generated: np.ndarray) -> RegionFollow:
    """Follow of every region of generated reference landmarks against the driver's.

    Shape:
        driver, generated: (T, L, 2) reference landmarks, NaN where no face was found.
    """
    if len(driver) != len(generated):
        raise ValueError(f"driver ({len(driver)}) and generated ({len(generated)}) differ")
    found = np.all(np.isfinite(np.asarray(generated)), axis=(1, 2))
    d, g = region_signals(driver), region_signals(generated)
    regions = {name: signal_follow(d[name], g[name]) for name in REGIONS}
    share = float(found.mean()) if len(found) else float("nan")
    return RegionFollow(regions, share, len(found))
