"""Conditional VAE over keypoint sequences: a recurrent decoder predicts, from the first
frame's keypoints and a latent code, where every keypoint (value and Jacobian) goes next.

Coordinates are the detector's normalised frame (x, y in [-1, 1], `flowmark_core.geometry`).
Values are predicted as displacements from the first frame; Jacobians as
J_t = J_0 · expm(A_t) with A_t a 2x2 matrix whose entries are softly bounded (tanh) by
`jacobian_bound`, so det J_t = det J_0 · exp(tr A_t) keeps the sign of det J_0 and stays within
exp(±2·bound) of it: every predicted Jacobian is invertible when the first one is.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from flowmark_core.motion_prior.config import PriorModelConfig


@dataclass(frozen=True)
class PriorOutput:
    """A decoded batch of sequences (frame 0 included, equal to the condition).

    Shape:
        values: (B, T+1, K, 2) normalised; jacobians: (B, T+1, K, 2, 2);
        relative: (B, T, K, 2, 2) = J_0^-1 J_t - I for t >= 1 (what the loss compares).
    """

    values: torch.Tensor
    jacobians: torch.Tensor
    relative: torch.Tensor


@dataclass(frozen=True)
class Gaussian:
    """A diagonal Gaussian over the latent code. Shape: mean, log_var (B, latent)."""

    mean: torch.Tensor
    log_var: torch.Tensor

    def sample(self, noise: torch.Tensor) -> torch.Tensor:
        return self.mean + torch.exp(0.5 * self.log_var) * noise


def kl_divergence(q: Gaussian, p: Gaussian) -> torch.Tensor:
    """KL(q || p) summed over latent dimensions, one value per batch item. Shape: (B,)."""
    var_ratio = torch.exp(q.log_var - p.log_var)
    mean_term = (q.mean - p.mean) ** 2 / torch.exp(p.log_var)
    return 0.5 * (var_ratio + mean_term - 1.0 - (q.log_var - p.log_var)).sum(-1)


def relative_jacobians(j0: torch.Tensor, jt: torch.Tensor) -> torch.Tensor:
    """J_0^-1 J_t - I. Shape: j0 (B, K, 2, 2), jt (B, T, K, 2, 2) -> (B, T, K, 2, 2)."""
    rel = torch.linalg.solve(j0[:, None].expand_as(jt), jt)
    return rel - torch.eye(2, dtype=jt.dtype, device=jt.device)


class _Recurrent(nn.Module):
    """One GRU or LSTM cell with a uniform (input, state) -> (output, state) interface."""

    def __init__(self, cell: str, inputs: int, hidden: int) -> None:
        super().__init__()
        self.lstm = cell == "lstm"
        self.cell = nn.LSTMCell(inputs, hidden) if self.lstm else nn.GRUCell(inputs, hidden)

    def init_state(self, h: torch.Tensor) -> object:
        return (h, torch.zeros_like(h)) if self.lstm else h

    def forward(self, x: torch.Tensor, state: object) -> tuple[torch.Tensor, object]:
        if self.lstm:
            h, c = self.cell(x, state)
            return h, (h, c)
        h = self.cell(x, state)
        return h, h


class MotionPrior(nn.Module):
    """CVAE: condition = first-frame keypoints; posterior from the true sequence (training),
    a learned conditional prior at inference; one latent code per sequence.

    Buffers `displacement_std` and `jacobian_std` (set from the training tracks) scale the
    features the networks see and the loss terms, so they are of order one.
    """

    displacement_std: torch.Tensor
    jacobian_std: torch.Tensor

    def __init__(self, config: PriorModelConfig) -> None:
        super().__init__()
        self.config = config
        k, h, z = config.num_kp, config.hidden, config.latent
        self.frame_features = 6 * k  # displacement (2) + relative Jacobian (4) per keypoint
        self.condition = nn.Sequential(nn.Linear(6 * k, h), nn.SiLU(), nn.Linear(h, h), nn.SiLU())
        self.prior_head = nn.Linear(h, 2 * z)
        self.encoder = _Recurrent(config.cell, self.frame_features + h, h)
        self.posterior_head = nn.Linear(2 * h, 2 * z)
        self.decoder_init = nn.Linear(h + z, h)
        self.decoder = _Recurrent(config.cell, self.frame_features + z, h)
        self.step_head = nn.Linear(h, 2 * k)
        self.jacobian_head = nn.Linear(h, 4 * k)
        with torch.no_grad():  # start from "nothing moves"
            for head in (self.step_head, self.jacobian_head):
                head.weight.mul_(0.1)
                head.bias.zero_()
        self.register_buffer("displacement_std", torch.tensor(0.05))
        self.register_buffer("jacobian_std", torch.tensor(0.1))

    # -- pieces ------------------------------------------------------------------------------
    def _condition(self, v0: torch.Tensor, j0: torch.Tensor) -> torch.Tensor:
        b = v0.shape[0]
        return self.condition(
            torch.cat([v0.reshape(b, -1), (j0 - torch.eye(2, device=j0.device)).reshape(b, -1)], 1)
        )

    def _features(self, disp: torch.Tensor, rel: torch.Tensor) -> torch.Tensor:
        """Scaled per-frame features. Shape: (B, T, K, 2), (B, T, K, 2, 2) -> (B, T, 6K)."""
        b, t = disp.shape[:2]
        return torch.cat(
            [
                (disp / self.displacement_std).reshape(b, t, -1),
                (rel / self.jacobian_std).reshape(b, t, -1),
            ],
            -1,
        )

    def prior(self, v0: torch.Tensor, j0: torch.Tensor) -> Gaussian:
        """The conditional prior p(z | first frame)."""
        mean, log_var = self.prior_head(self._condition(v0, j0)).chunk(2, -1)
        return Gaussian(mean, log_var.clamp(-8, 4))

    def posterior(
        self, v0: torch.Tensor, j0: torch.Tensor, values: torch.Tensor, jacobians: torch.Tensor
    ) -> Gaussian:
        """q(z | first frame, true future). values (B, T, K, 2), jacobians (B, T, K, 2, 2)."""
        c = self._condition(v0, j0)
        feats = self._features(values - v0[:, None], relative_jacobians(j0, jacobians))
        state = self.encoder.init_state(torch.zeros_like(c))
        h = c
        for t in range(feats.shape[1]):
            h, state = self.encoder(torch.cat([feats[:, t], c], -1), state)
        mean, log_var = self.posterior_head(torch.cat([h, c], -1)).chunk(2, -1)
        return Gaussian(mean, log_var.clamp(-8, 4))

    def decode(
        self, v0: torch.Tensor, j0: torch.Tensor, z: torch.Tensor, frames: int
    ) -> PriorOutput:
        """Roll the decoder out for `frames` steps from the first frame (its own outputs fed back)."""
        b, k = v0.shape[:2]
        c = self._condition(v0, j0)
        state = self.decoder.init_state(torch.tanh(self.decoder_init(torch.cat([c, z], -1))))
        disp = v0.new_zeros(b, k, 2)
        log_j = v0.new_zeros(b, k, 2, 2)
        eye = torch.eye(2, dtype=v0.dtype, device=v0.device)
        prev = v0.new_zeros(b, self.frame_features)
        values, jacobians, rels = [v0], [j0], []
        for _ in range(frames):
            h, state = self.decoder(torch.cat([prev, z], -1), state)
            disp = disp + self.step_head(h).view(b, k, 2) * self.displacement_std
            bound = self.config.jacobian_bound
            log_j = bound * torch.tanh(self.jacobian_head(h).view(b, k, 2, 2) / bound)
            rel = torch.linalg.matrix_exp(log_j) - eye
            values.append(v0 + disp)
            jacobians.append(j0 @ (rel + eye))
            rels.append(rel)
            prev = self._features(disp[:, None], rel[:, None])[:, 0]
        return PriorOutput(torch.stack(values, 1), torch.stack(jacobians, 1), torch.stack(rels, 1))

    # -- use ---------------------------------------------------------------------------------
    def forward(
        self, values: torch.Tensor, jacobians: torch.Tensor, noise: torch.Tensor
    ) -> tuple[PriorOutput, Gaussian, Gaussian]:
        """Training pass on true sequences (frame 0 first), z from the posterior.

        Shape: values (B, T+1, K, 2); jacobians (B, T+1, K, 2, 2); noise (B, latent).
        """
        v0, j0 = values[:, 0], jacobians[:, 0]
        q = self.posterior(v0, j0, values[:, 1:], jacobians[:, 1:])
        p = self.prior(v0, j0)
        return self.decode(v0, j0, q.sample(noise), values.shape[1] - 1), q, p

    @torch.no_grad()
    def sample(
        self,
        v0: torch.Tensor,
        j0: torch.Tensor,
        frames: int,
        seed: int | None = 0,
        mean: bool = False,
    ) -> PriorOutput:
        """Futures of each first frame: z from the prior, drawn with a generator seeded by
        `seed` (the same seed gives the same futures), or its mean when `mean`.

        Shape: v0 (B, K, 2); j0 (B, K, 2, 2).
        """
        p = self.prior(v0, j0)
        if mean:
            z = p.mean
        else:
            gen = torch.Generator(device="cpu").manual_seed(int(seed or 0))
            noise = torch.randn(p.mean.shape, generator=gen).to(p.mean.device)
            z = p.sample(noise)
        return self.decode(v0, j0, z, frames)
