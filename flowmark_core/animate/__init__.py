"""Animation engine: the inference core (model, device, precision; tensors in and out) and
the pipeline around it (`Animator`: face crop, stabiliser, motion transfer, frame loop)."""

from flowmark_core.animate.inference_core import InferenceCore
from flowmark_core.animate.motion_transfer import TransferOptions, find_best_frame, transfer_motion
from flowmark_core.animate.pipeline import HEAVY_OUTPUTS, Animator
from flowmark_core.animate.results import DetectedKeypoints, FrameResult, KeypointTrack

__all__ = [
    "HEAVY_OUTPUTS",
    "Animator",
    "DetectedKeypoints",
    "FrameResult",
    "InferenceCore",
    "KeypointTrack",
    "TransferOptions",
    "find_best_frame",
    "transfer_motion",
]
