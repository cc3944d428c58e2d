"""Animation engine: Animator (batch + streaming), motion transfer, face crop, results."""

from flowmark_core.animate.animator import Animator
from flowmark_core.animate.motion_transfer import TransferOptions, find_best_frame, transfer_motion
from flowmark_core.animate.results import DetectedKeypoints, FrameResult, KeypointTrack

__all__ = [
    "Animator",
    "DetectedKeypoints",
    "FrameResult",
    "KeypointTrack",
    "TransferOptions",
    "find_best_frame",
    "transfer_motion",
]
