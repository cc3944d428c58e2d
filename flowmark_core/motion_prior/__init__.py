"""Image-to-video (the seed's Sec. 4.2): a conditional VAE over keypoint sequences that
imagines how a still's keypoints move, trained on tracks a trained detector extracted.

Modules: `config` (typed options), `model` (the CVAE), `tracks` (cached track extraction),
`training` (the train-prior loop), `checkpoint` (safetensors file), `generate` (sampling and
rendering a still's futures).
"""

from flowmark_core.motion_prior.config import PriorModelConfig, PriorTrainConfig
from flowmark_core.motion_prior.model import MotionPrior, PriorOutput

__all__ = ["MotionPrior", "PriorModelConfig", "PriorOutput", "PriorTrainConfig"]
