"""The flow-consistency loss builds every tensor on its inputs' device (the heatmap term's
pixel grid was built on the CPU, so training with it on CUDA crashed)."""

import pytest
import torch

from flowmark_core.config import FlowLossConfig
from flowmark_core.losses.flow_consistency import flow_consistency, heatmap_consistency
from flowmark_core.models import Keypoints
from tests.core.devices import DEVICES


def _inputs(device: str):
    g = torch.Generator().manual_seed(0)
    heat = torch.rand(2, 4, 10, 12, generator=g)
    heat_next = torch.rand(2, 4, 10, 12, generator=g)
    flow = torch.randn(2, 2, 32, 40, generator=g) * 2
    fb = torch.rand(2, 32, 40, generator=g)
    image = torch.rand(2, 3, 32, 40, generator=g)
    value = torch.rand(2, 4, 2, generator=g) * 1.6 - 0.8
    eye = torch.eye(2).expand(2, 4, 2, 2)
    kp_t = Keypoints(value, eye, heat)
    kp_next = Keypoints(value + 0.02, eye, heat_next)
    move = lambda t: t.to(device)  # noqa: E731
    return (
        Keypoints(*(move(t) for t in (kp_t.value, kp_t.jacobian, kp_t.heatmap))),
        Keypoints(*(move(t) for t in (kp_next.value, kp_next.jacobian, kp_next.heatmap))),
        move(flow),
        move(fb),
        move(image),
    )


def test_heatmap_term_allocates_nothing_on_another_device() -> None:
    """On the meta device any tensor made on the CPU is an error, so this runs everywhere."""
    kp_t, kp_next, flow, fb, _ = _inputs("meta")
    out = heatmap_consistency(kp_t.heatmap, kp_next.heatmap, flow, fb, FlowLossConfig())
    assert out.device.type == "meta" and out.shape == ()


@pytest.mark.parametrize("device", DEVICES)
def test_flow_consistency_is_the_same_on_every_device(device: str) -> None:
    cfg = FlowLossConfig()
    expected = flow_consistency(*_inputs("cpu"), cfg)
    terms = flow_consistency(*_inputs(device), cfg)
    for name in ("value", "jacobian", "heatmap", "mean_weight"):
        got = getattr(terms, name)
        assert got.device.type == device
        assert torch.allclose(got.cpu(), getattr(expected, name), atol=1e-5), name
