"""What the stabilisers' parameters mean to a user: label, unit, tooltip, and whether the
parameter is one of the few that matter (shown) or an expert one (under "Advanced")."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParamSpec:
    label: str
    unit: str  # shown after the value ("" when unitless)
    tip: str
    main: bool = False


AT_256 = " (pixels of a 256 px frame)"
SPECS: dict[str, ParamSpec] = {
    # one-euro filter
    "min_cutoff": ParamSpec(
        "cutoff at rest", " Hz", "lower removes more jitter from still keypoints", True
    ),
    "beta": ParamSpec(
        "speed response",
        "",
        "how fast the cutoff rises with keypoint speed; higher follows quick moves with less "
        "lag, lower smooths more",
        True,
    ),
    "d_cutoff": ParamSpec("speed smoothing", " Hz", "cutoff of the low-pass on the speed"),
    # optical-flow (Kalman) stabiliser
    "measurement_noise": ParamSpec(
        "detector noise",
        " px",
        "how far a single detection may be off" + AT_256 + "; higher smooths more",
        True,
    ),
    "process_noise": ParamSpec(
        "motion noise",
        " px/frame",
        "how far a keypoint may move beyond what the optical flow says, per frame"
        + AT_256
        + "; lower smooths more",
        True,
    ),
    "gate": ParamSpec(
        "take-over distance",
        " px",
        "prediction–detection distance" + AT_256 + " at which the detection takes over",
        True,
    ),
    "untrusted_noise": ParamSpec(
        "textureless noise",
        " px/frame",
        "extra motion noise where the image has no texture (flow is unreliable there)" + AT_256,
    ),
    "fb_threshold": ParamSpec(
        "flow error limit",
        " px",
        "forward-backward flow error" + AT_256 + " above which the flow is not used",
    ),
    "fb_soft": ParamSpec(
        "flow error softness",
        " px",
        "forward-backward flow error" + AT_256 + " at which the flow's weight drops to 0.61",
    ),
    "texture_ref": ParamSpec(
        "texture reference",
        "",
        "structure-tensor eigenvalue (1/px², intensities 0–1) at which half the textureless "
        "noise is added; 0 ignores texture",
    ),
    "min_gain": ParamSpec("minimum gain", "", "0–1: a slow pull toward the detection always"),
    "hold_gate": ParamSpec(
        "hold-off gate",
        " σ",
        "disagreement (in standard deviations) at which a detection that the flow contradicts "
        "is held off; 0 never holds off",
    ),
    "max_hold": ParamSpec(
        "max hold", " frames", "frames a keypoint may be held off before the detection wins"
    ),
    "common_motion": ParamSpec(
        "occluder cue",
        " px",
        "flow this far from the keypoints' common motion"
        + AT_256
        + " is not trusted to hold a keypoint off; 0 = off",
    ),
    "max_flow_size": ParamSpec(
        "flow resolution", " px", "frames are shrunk to this larger side for optical flow"
    ),
    "preset": ParamSpec("flow quality", "", "DIS optical-flow preset: faster or finer"),
}


def spec_for(name: str) -> ParamSpec:
    """The description of parameter `name` (an expert one named as it is, if unknown)."""
    return SPECS.get(name, ParamSpec(name.replace("_", " "), "", name))
