"""Motion model family: keypoint detector, dense motion network, generator, discriminator."""

from flowmark_core.models.generator import Generator, GeneratorOutput, SourceState
from flowmark_core.models.keypoints import KeypointDetector, Keypoints
from flowmark_core.models.model import MotionModel, build_model
from flowmark_core.models.motion import DenseMotionNetwork, MotionField

__all__ = [
    "DenseMotionNetwork",
    "Generator",
    "GeneratorOutput",
    "KeypointDetector",
    "Keypoints",
    "MotionField",
    "MotionModel",
    "SourceState",
    "build_model",
]
