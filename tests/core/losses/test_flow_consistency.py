"""The optical-flow keypoint loss on hand-made inputs with known answers."""

import torch

from flowmark_core.config import FlowLossConfig
from flowmark_core.losses.flow_consistency import flow_consistency, flow_jacobian, flow_loss_weight
from flowmark_core.models.keypoints import Keypoints

S = 33  # pixel pitch in normalised units is 2 / (S - 1) = 1/16
CFG = FlowLossConfig(
    weight=1.0, fb_threshold=1.0, fb_cutoff=3.0, texture_threshold=0.0, max_motion=0.5
)


def _textured(batch: int = 1) -> torch.Tensor:
    g = torch.Generator().manual_seed(3)
    return torch.rand(batch, 3, S, S, generator=g)


def _uniform_flow(dx: float, dy: float) -> torch.Tensor:
    flow = torch.zeros(1, 2, S, S)
    flow[:, 0], flow[:, 1] = dx, dy
    return flow


def test_keypoint_moving_with_the_flow_has_zero_loss() -> None:
    kp_t = Keypoints(torch.tensor([[[0.1, -0.2], [0.3, 0.4]]]))
    shift = torch.tensor([2.0, -1.0]) / 16  # 2 px right, 1 px up
    kp_next = Keypoints(kp_t.value + shift)
    terms = flow_consistency(
        kp_t, kp_next, _uniform_flow(2.0, -1.0), torch.zeros(1, S, S), _textured(), CFG
    )
    assert float(terms.value) < 1e-6
    assert float(terms.mean_weight) == 1.0


def test_keypoint_moving_against_the_flow_has_the_expected_loss() -> None:
    kp_t = Keypoints(torch.tensor([[[0.0, 0.0]]]))
    kp_next = Keypoints(torch.tensor([[[-2.0 / 16, 0.0]]]))  # moved 2 px left, flow says 2 px right
    terms = flow_consistency(
        kp_t, kp_next, _uniform_flow(2.0, 0.0), torch.zeros(1, S, S), _textured(), CFG
    )
    # mean over (K=1, 2 coords) of |(-2/16) - (2/16)| and |0| = (4/16) / 2
    assert abs(float(terms.value) - 0.125) < 1e-6


def test_point_failing_forward_backward_check_contributes_nothing() -> None:
    kp_t = Keypoints(torch.tensor([[[0.0, 0.0], [0.5, 0.5]]]))
    kp_next = Keypoints(torch.tensor([[[0.3, 0.0], [0.5, 0.5]]]))  # first keypoint moves wrongly
    fb = torch.zeros(1, S, S)
    fb[:, 12:21, 12:21] = 10.0  # flow unreliable around the centre, where keypoint 0 sits
    terms = flow_consistency(kp_t, kp_next, _uniform_flow(0.0, 0.0), fb, _textured(), CFG)
    assert float(terms.value) == 0.0
    assert abs(float(terms.mean_weight) - 0.5) < 1e-6


def test_flat_colour_gets_no_weight_when_texture_is_required() -> None:
    cfg = FlowLossConfig(weight=1.0, texture_threshold=0.01, max_motion=0.5)
    kp_t = Keypoints(torch.tensor([[[0.0, 0.0]]]))
    kp_next = Keypoints(torch.tensor([[[0.3, 0.0]]]))
    flat = torch.full((1, 3, S, S), 0.5)
    terms = flow_consistency(
        kp_t, kp_next, _uniform_flow(0.0, 0.0), torch.zeros(1, S, S), flat, cfg
    )
    assert float(terms.value) == 0.0


def test_jacobian_target_follows_a_linear_flow() -> None:
    # F(p) = A p - p in pixels, so p + F(p) = A p and its Jacobian is A everywhere.
    a = torch.tensor([[1.1, 0.2], [-0.1, 0.9]])
    ys, xs = torch.meshgrid(
        torch.arange(S, dtype=torch.float32), torch.arange(S, dtype=torch.float32), indexing="ij"
    )
    p = torch.stack([xs, ys], 0)
    flow = (torch.einsum("ij,jhw->ihw", a, p) - p)[None]
    pts = torch.tensor([[[0.1, 0.1], [-0.3, 0.2]]])
    jac = flow_jacobian(flow, pts)
    assert torch.allclose(jac, a.expand(1, 2, 2, 2), atol=1e-4)
    kp_t = Keypoints(pts, torch.eye(2).expand(1, 2, 2, 2).clone())
    kp_next = Keypoints(pts, a.expand(1, 2, 2, 2).clone())
    cfg = FlowLossConfig(weight=1.0, jacobian_weight=1.0, texture_threshold=0.0, max_motion=10.0)
    terms = flow_consistency(kp_t, kp_next, flow, torch.zeros(1, S, S), _textured(), cfg)
    assert terms.jacobian is not None and float(terms.jacobian) < 1e-4


def test_warmup_and_ramp() -> None:
    cfg = FlowLossConfig(weight=1.0, warmup_steps=10, ramp_steps=4)
    assert flow_loss_weight(0, cfg) == 0.0 and flow_loss_weight(9, cfg) == 0.0
    assert flow_loss_weight(10, cfg) == 0.25 and flow_loss_weight(13, cfg) == 1.0
    assert flow_loss_weight(100, cfg) == 1.0
