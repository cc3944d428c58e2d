"""Fréchet distance between Gaussians fitted to feature sets (the distance behind FID).

    d² = |mu1 - mu2|² + tr(S1 + S2 - 2 (S1^½ S2 S1^½)^½)

The matrix square root is taken through symmetric eigendecompositions (no SciPy), which is
exact for the symmetric positive semi-definite covariances this is meant for.
"""

from __future__ import annotations

import numpy as np


def gaussian_stats(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and (unbiased) covariance of features. Shape: (N, D) -> (D,), (D, D)."""
    x = np.asarray(features, np.float64)
    if x.ndim != 2 or x.shape[0] < 2:
        raise ValueError(f"expected at least 2 feature rows (N, D), got shape {x.shape}")
    return x.mean(0), np.atleast_2d(np.cov(x, rowvar=False))


def _psd_sqrt(m: np.ndarray) -> np.ndarray:
    vals, vecs = np.linalg.eigh(0.5 * (m + m.T))
    return (vecs * np.sqrt(np.clip(vals, 0.0, None))) @ vecs.T


def frechet_distance(mu1: np.ndarray, cov1: np.ndarray, mu2: np.ndarray, cov2: np.ndarray) -> float:
    """Squared Fréchet distance between N(mu1, cov1) and N(mu2, cov2) (as FID reports it)."""
    mu1, mu2 = (
        np.atleast_1d(np.asarray(mu1, np.float64)),
        np.atleast_1d(np.asarray(mu2, np.float64)),
    )
    cov1, cov2 = (
        np.atleast_2d(np.asarray(cov1, np.float64)),
        np.atleast_2d(np.asarray(cov2, np.float64)),
    )
    if mu1.shape != mu2.shape or cov1.shape != cov2.shape or cov1.shape != (mu1.size, mu1.size):
        raise ValueError(
            f"shapes do not match: {mu1.shape}, {cov1.shape}, {mu2.shape}, {cov2.shape}"
        )
    root1 = _psd_sqrt(cov1)
    cross = np.sqrt(np.clip(np.linalg.eigvalsh(root1 @ cov2 @ root1), 0.0, None)).sum()
    d2 = float(((mu1 - mu2) ** 2).sum() + np.trace(cov1) + np.trace(cov2) - 2.0 * cross)
    return max(d2, 0.0)


def frechet_distance_of(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (N, D) and (M, D)."""
    return frechet_distance(*gaussian_stats(features_a), *gaussian_stats(features_b))
