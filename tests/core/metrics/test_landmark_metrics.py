"""Known-answer tests of the keypoint→landmark regressor, `box_size` and `nme`."""

from __future__ import annotations

import numpy as np
import pytest

from flowmark_core.metrics import box_size, fit_landmark_regressor, nme


def square_landmarks(frames: int = 3) -> np.ndarray:
    """Landmarks spanning a 40 x 10 px box (box size 20 px), (frames, 5, 2)."""
    base = np.array([[10.0, 20.0], [50.0, 20.0], [10.0, 30.0], [50.0, 30.0], [30.0, 25.0]])
    return np.repeat(base[None], frames, axis=0)


def test_regressor_recovers_exact_linear_map() -> None:
    rng = np.random.default_rng(0)
    n, k, lm = 200, 10, 68
    kp = rng.uniform(0, 256, (n, k, 2))
    weight = rng.normal(0, 0.3, (2 * k, 2 * lm))
    bias = rng.normal(100, 20, 2 * lm)
    gt = (kp.reshape(n, -1) @ weight + bias).reshape(n, lm, 2)
    model = fit_landmark_regressor(kp, gt, ridge=0.0)
    np.testing.assert_allclose(model.weight, weight, atol=1e-8)
    np.testing.assert_allclose(model.bias, bias, atol=1e-6)
    test_kp = rng.uniform(0, 256, (5, k, 2))
    expected = (test_kp.reshape(5, -1) @ weight + bias).reshape(5, lm, 2)
    np.testing.assert_allclose(model.predict(test_kp), expected, atol=1e-6)
    np.testing.assert_allclose(model.predict(test_kp[0]), expected[0], atol=1e-6)
    # The default small ridge barely moves an exact fit.
    ridged = fit_landmark_regressor(kp, gt)
    assert np.abs(ridged.predict(test_kp) - expected).max() < 0.1


def test_regressor_rejects_mismatched_inputs() -> None:
    with pytest.raises(ValueError):
        fit_landmark_regressor(np.zeros((4, 3, 2)), np.zeros((5, 2, 2)))
    with pytest.raises(ValueError):
        fit_landmark_regressor(np.zeros((4, 3, 2)), np.zeros((4, 2, 2)), ridge=-1.0)


def test_box_size_is_sqrt_of_width_times_height() -> None:
    np.testing.assert_allclose(box_size(square_landmarks()), [20.0, 20.0, 20.0])


def test_nme_of_known_offset() -> None:
    gt = square_landmarks()
    pred = gt + np.array([3.0, 4.0])  # 5 px everywhere, box 20 px
    assert nme(pred, gt) == pytest.approx(0.25)
    assert nme(gt, gt) == 0.0
    assert nme(pred[0], gt[0]) == pytest.approx(0.25)


def test_nme_ignores_invisible_landmarks() -> None:
    gt = square_landmarks(2)
    pred = gt.copy()
    pred[:, 4, 0] += 100.0  # the centre landmark is wrong, but not annotated
    visible = np.ones((2, 5), bool)
    visible[:, 4] = False
    assert nme(pred, gt, visible) == 0.0
    assert nme(pred, gt) == pytest.approx(100.0 / 20.0 / 5.0)
