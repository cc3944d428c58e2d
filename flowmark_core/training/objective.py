"""The training objective: one module computing every loss of a batch (what DDP wraps).

The model and each loss stay separate modules; this class only composes them, so that one
DistributedDataParallel forward covers every use of the detector in a step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from flowmark_core.config import ExperimentConfig
from flowmark_core.losses.equivariance import RandomWarp, equivariance_losses
from flowmark_core.losses.flow_consistency import flow_consistency
from flowmark_core.losses.keypoint_separation import keypoint_separation_loss
from flowmark_core.losses.reconstruction import ReconstructionLoss
from flowmark_core.losses.vgg import VGG19Features
from flowmark_core.models import GeneratorOutput, Keypoints, MotionModel
from flowmark_core.models.discriminator import (
    MultiScaleDiscriminator,
    feature_matching_loss,
    generator_gan_loss,
)

Discriminate = Callable[[list[torch.Tensor]], list[tuple[list[torch.Tensor], torch.Tensor]]]
"""A discriminator's forward: image pyramid -> per scale (features, patch scores)."""


@dataclass(frozen=True)
class TrainBatch:
    """A collated batch. Shape: images (B, 3, S, S) in [0, 1]; flow (B, 2, S, S) px;
    flow_error (B, S, S) px; seeds (B,) int64. `driving_next`/`flow` have numel 0 when the
    data set runs without flow."""

    source: torch.Tensor
    driving: torch.Tensor
    driving_next: torch.Tensor
    flow: torch.Tensor
    flow_error: torch.Tensor
    seeds: torch.Tensor

    def to(self, device: torch.device) -> TrainBatch:
        return TrainBatch(
            *(
                t.to(device, non_blocking=True)
                for t in (
                    self.source,
                    self.driving,
                    self.driving_next,
                    self.flow,
                    self.flow_error,
                    self.seeds,
                )
            )
        )

    @property
    def has_flow(self) -> bool:
        return self.driving_next.numel() > 0 and self.flow.numel() > 0


@dataclass(frozen=True)
class ObjectiveOutput:
    """Total loss, each weighted term (for logging), and what the image grid shows.

    `measures` are logged beside the terms but are not losses (not in `total`): e.g.
    `flow_mean_weight`, the mean trust weight of the flow loss over the batch's keypoints.
    """

    total: torch.Tensor
    terms: dict[str, torch.Tensor]
    generated: GeneratorOutput
    kp_source: Keypoints
    kp_driving: Keypoints
    measures: dict[str, torch.Tensor]


def _split(kp: Keypoints, parts: int) -> list[Keypoints]:
    vals = kp.value.chunk(parts)
    jacs = kp.jacobian.chunk(parts) if kp.jacobian is not None else [None] * parts
    heats = kp.heatmap.chunk(parts) if kp.heatmap is not None else [None] * parts
    return [Keypoints(v, j, h) for v, j, h in zip(vals, jacs, heats)]


class TrainingObjective(nn.Module):
    """Computes reconstruction, equivariance, flow-consistency and (optional) GAN losses."""

    def __init__(
        self,
        model: MotionModel,
        config: ExperimentConfig,
        vgg: VGG19Features | None,
        discriminator: MultiScaleDiscriminator | None = None,
    ) -> None:
        super().__init__()
        self.model = model
        self.cfg = config
        t, lc = config.train, config.loss
        self.reconstruction = ReconstructionLoss(
            t.scales, vgg, lc.perceptual, lc.reconstruction_l1, lc.reconstruction_ssim
        )
        # The discriminator is called, not owned: as a submodule its parameters would also be
        # the objective's, inside the objective's DDP wrap (beside the Trainer's own wrap of
        # the discriminator) and its state. The Trainer trains and saves it on its own.
        self.discriminate: Discriminate | None = (
            None if discriminator is None else discriminator.__call__
        )

    def forward(self, batch: TrainBatch, flow_scale: float) -> ObjectiveOutput:
        """Losses of one batch; `flow_scale` is the warm-up factor of the flow loss (0..1)."""
        cfg, lc = self.cfg, self.cfg.loss
        fc = lc.flow
        warp = RandomWarp(
            batch.seeds,
            cfg.train.sigma_affine,
            cfg.train.sigma_tps,
            cfg.train.points_tps,
            device=batch.driving.device,
        )
        warped = warp.warp_image(batch.driving)
        use_flow = flow_scale > 0 and batch.has_flow and fc.enabled
        images = [batch.source, batch.driving, warped] + ([batch.driving_next] if use_flow else [])
        kps = _split(self.model.detect(torch.cat(images)), len(images))
        kp_source, kp_driving, kp_warped = kps[0], kps[1], kps[2]
        generated = self.model.generator(batch.source, kp_source, kp_driving)
        pred = generated.prediction.float()
        terms: dict[str, torch.Tensor] = {}
        measures: dict[str, torch.Tensor] = {}
        with torch.autocast(pred.device.type, enabled=False):  # losses in float32 (SSIM needs it)
            terms["reconstruction"] = self.reconstruction(pred, batch.driving.float())
        eq_value, eq_jac = equivariance_losses(kp_driving, kp_warped, warp)
        if lc.equivariance_value > 0:
            terms["equivariance_value"] = lc.equivariance_value * eq_value
        if eq_jac is not None and lc.equivariance_jacobian > 0:
            terms["equivariance_jacobian"] = lc.equivariance_jacobian * eq_jac
        if lc.keypoint_separation > 0:
            terms["keypoint_separation"] = lc.keypoint_separation * keypoint_separation_loss(
                torch.cat([kp_source.value, kp_driving.value]), lc.keypoint_separation_sigma
            )
        if use_flow:
            flow_terms = flow_consistency(
                kp_driving, kps[3], batch.flow.float(), batch.flow_error.float(), batch.driving, fc
            )
            terms["flow_value"] = flow_scale * fc.weight * flow_terms.value
            measures["flow_mean_weight"] = flow_terms.mean_weight.detach()
            if flow_terms.jacobian is not None and fc.jacobian_weight > 0:
                terms["flow_jacobian"] = flow_scale * fc.jacobian_weight * flow_terms.jacobian
            if flow_terms.heatmap is not None and fc.heatmap_weight > 0:
                terms["flow_heatmap"] = flow_scale * fc.heatmap_weight * flow_terms.heatmap
        if self.discriminate is not None and (lc.generator_gan > 0 or lc.feature_matching > 0):
            pyr_fake = self.reconstruction.pyramid(pred)
            pyr_real = self.reconstruction.pyramid(batch.driving)
            fake = self.discriminate(pyr_fake)
            if lc.generator_gan > 0:
                terms["generator_gan"] = lc.generator_gan * generator_gan_loss([s for _, s in fake])
            if lc.feature_matching > 0:
                with torch.no_grad():
                    real = self.discriminate(pyr_real)
                terms["feature_matching"] = lc.feature_matching * feature_matching_loss(
                    [f for f, _ in real], [f for f, _ in fake]
                )
        total = sum(terms.values())
        return ObjectiveOutput(
            total,  # type: ignore[arg-type]  # sum() of tensors is a tensor (0 only when empty)
            terms,
            generated,
            kp_source.detach(),
            kp_driving.detach(),
            measures,
        )
