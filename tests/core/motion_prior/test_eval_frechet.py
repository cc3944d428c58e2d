"""Fréchet distance on Gaussians with known answers; the FID Inception-v3 definition's shapes
and weights-file loading (no real weights exist here)."""

from pathlib import Path

import numpy as np
import pytest
import torch

from flowmark_core.errors import CheckpointError
from flowmark_core.evaluation.frechet import frechet_distance, frechet_distance_of, gaussian_stats
from flowmark_core.evaluation.inception import FID_FEATURES, FIDInception, load_fid_inception


def test_one_dimensional_gaussians() -> None:
    # d² = (m1 - m2)² + s1 + s2 - 2 sqrt(s1 s2) with variances s
    assert frechet_distance([1.0], [[4.0]], [3.0], [[1.0]]) == pytest.approx(4.0 + 4 + 1 - 2 * 2)
    assert frechet_distance([0.0], [[2.0]], [0.0], [[2.0]]) == pytest.approx(0.0, abs=1e-12)


def test_diagonal_covariances() -> None:
    mu1, mu2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    s1, s2 = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 1.0])
    expected = ((mu1 - mu2) ** 2).sum() + ((np.sqrt(s1) - np.sqrt(s2)) ** 2).sum()
    assert frechet_distance(mu1, np.diag(s1), mu2, np.diag(s2)) == pytest.approx(expected)


def test_rotated_covariance_is_invariant_and_non_commuting_case() -> None:
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    s1, s2 = np.diag([1.0, 2.0, 3.0, 4.0]), np.diag([2.0, 2.0, 1.0, 0.5])
    mu = np.zeros(4)
    plain = frechet_distance(mu, s1, mu, s2)
    rotated = frechet_distance(mu, q @ s1 @ q.T, mu, q @ s2 @ q.T)
    assert rotated == pytest.approx(plain, rel=1e-9)
    # non-commuting: tr sqrt(S1^½ S2 S1^½) checked against a direct computation
    a = rng.normal(size=(4, 4))
    s3 = a @ a.T + np.eye(4)
    vals, vecs = np.linalg.eigh(s1)
    root = vecs @ np.diag(np.sqrt(vals)) @ vecs.T
    cross = np.sqrt(np.linalg.eigvalsh(root @ s3 @ root)).sum()
    expected = np.trace(s1) + np.trace(s3) - 2 * cross
    assert frechet_distance(mu, s1, mu, s3) == pytest.approx(expected, rel=1e-9)


def test_sampled_gaussians_approach_the_closed_form() -> None:
    rng = np.random.default_rng(1)
    a = rng.normal([0, 0], [1, 2], size=(200000, 2))
    b = rng.normal([1, 0], [2, 2], size=(200000, 2))
    # (1)² + (1 - 2)² + (2 - 2)² = 2
    assert frechet_distance_of(a, b) == pytest.approx(2.0, abs=0.03)
    mu, cov = gaussian_stats(a)
    assert mu.shape == (2,) and cov.shape == (2, 2)


def test_inception_definition_shapes() -> None:
    net = FIDInception().eval()
    with torch.no_grad():
        out = net(torch.rand(2, 3, 64, 80))
    assert out.shape == (2, FID_FEATURES)
    keys = net.state_dict().keys()
    for key in (
        "Conv2d_1a_3x3.conv.weight",
        "Mixed_5b.branch_pool.bn.running_var",
        "Mixed_7c.branch3x3dbl_3b.conv.weight",
        "fc.weight",
    ):
        assert key in keys
    assert net.state_dict()["fc.weight"].shape == (1008, FID_FEATURES)
    assert net.state_dict()["Mixed_6b.branch7x7_2.conv.weight"].shape == (128, 128, 1, 7)


def test_weights_file_loads_strictly(tmp_path: Path) -> None:
    net = FIDInception()
    state = {k: v for k, v in net.state_dict().items() if not k.endswith("num_batches_tracked")}
    torch.save(state, tmp_path / "pt_inception.pth")
    loaded = load_fid_inception(tmp_path / "pt_inception.pth")
    torch.testing.assert_close(
        loaded.state_dict()["Mixed_7b.branch1x1.conv.weight"],
        state["Mixed_7b.branch1x1.conv.weight"],
    )
    del state["Mixed_7c.branch_pool.conv.weight"]
    torch.save(state, tmp_path / "broken.pth")
    with pytest.raises(CheckpointError, match="missing key Mixed_7c.branch_pool.conv.weight"):
        load_fid_inception(tmp_path / "broken.pth")
    with pytest.raises(CheckpointError, match="not found"):
        load_fid_inception(tmp_path / "absent.pth")
