"""Full-resolution output: the model's motion applied to the full-resolution source.

The model runs at its own size S (keypoints, dense motion, occlusion, generator output).
Its dense deformation is a smooth field, so it can be upsampled to the source's size H x W
and used to warp the full-resolution source directly: every pixel the source can supply
keeps the source's detail. The generator's output (upsampled, bicubic) is used only where
the source cannot supply the pixel: where the occlusion map says so, or where the
deformation points outside the source.

`render_full_resolution` is a pure function of tensors: no model, no I/O.
`FullResolutionSource` is the glue for a pipeline: the source at output resolution, the
crop box, and the paste back into the uncropped frame. The deformation is a normalised sampling field
(`flowmark_core.geometry`); `align_corners` is the model's, so the full-resolution warp reads
the field exactly as the model's own warp does.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from flowmark_core.animate.face_crop import CropBox, crop, paste
from flowmark_core.geometry import make_coordinate_grid
from flowmark_core.models.generator import GeneratorOutput

DEFAULT_TRUST = (0.3, 0.8)
"""Occlusion values mapped linearly onto the source's weight: below 0.3 the generator's pixel
is used, above 0.8 the warped source's (the occlusion map of a trained model rarely reaches
exactly 1 on visible skin)."""


def identity_grid(
    height: int,
    width: int,
    align_corners: bool,
    dtype: torch.dtype = torch.float32,
    device: torch.device | str = "cpu",
) -> torch.Tensor:
    """The sampling field that leaves an image unchanged under `align_corners`.

    Shape:
        output: (height, width, 2), x first.
    """  # fmt: skip
    grid = make_coordinate_grid(height, width, dtype, device)
    if align_corners:
        return grid
    scale = torch.tensor([(width - 1) / width, (height - 1) / height], dtype=dtype, device=device)
    return grid * scale


def upsample_deformation(
    deformation: torch.Tensor, height: int, width: int, align_corners: bool
) -> torch.Tensor:
    """Resize a sampling field by resizing its displacement from the identity (bilinear).

    Identity in, identity out, at any size; a smooth displacement is interpolated between the
    model's pixel centres.

    Shape:
        deformation: (B, h, w, 2); output: (B, height, width, 2).
    """
    _, h, w, _ = deformation.shape
    field = deformation.float()
    small = identity_grid(h, w, align_corners, field.dtype, field.device)
    offset = (field - small).permute(0, 3, 1, 2)
    offset = F.interpolate(
        offset, size=(height, width), mode="bilinear", align_corners=align_corners
    )
    big = identity_grid(height, width, align_corners, field.dtype, field.device)
    return offset.permute(0, 2, 3, 1) + big


def upsample_image(
    image: torch.Tensor, height: int, width: int, align_corners: bool
) -> torch.Tensor:
    """Bicubic upsampling clamped to [0, 1] (the baseline and the fill for occluded pixels).

    Shape:
        image: (B, C, h, w); output: (B, C, height, width).
    """
    if image.shape[2:] == (height, width):
        return image.float()
    up = F.interpolate(
        image.float(), size=(height, width), mode="bicubic", align_corners=align_corners
    )
    return up.clamp(0.0, 1.0)


def source_weight(
    occlusion: torch.Tensor | None,
    inside: torch.Tensor,
    trust: tuple[float, float] | None = DEFAULT_TRUST,
) -> torch.Tensor:
    """How much of each output pixel comes from the warped source, in [0, 1].

    Args:
        occlusion: full-resolution occlusion (1 = the source supplies the pixel) or None.
        inside: full-resolution fraction of the bilinear sample that lies inside the source.
        trust: occlusion values (low, high) mapped onto weight 0..1; None uses the occlusion
            map as it is.

    Shape:
        occlusion, inside, output: (B, 1, H, W).
    """
    weight = inside
    if occlusion is not None:
        occ = occlusion.float()
        if trust is not None:
            lo, hi = trust
            occ = ((occ - lo) / (hi - lo)).clamp(0.0, 1.0)
        weight = weight * occ
    return weight


MODES = ("detail", "replace")


def render_full_resolution(
    source: torch.Tensor,
    deformation: torch.Tensor,
    occlusion: torch.Tensor | None,
    prediction: torch.Tensor,
    align_corners: bool,
    mode: str = "detail",
    trust: tuple[float, float] | None = DEFAULT_TRUST,
) -> torch.Tensor:
    """The driven frame at the source's resolution.

    Modes:
        "detail": the generator's output (upsampled) plus the fine detail of the warped
            full-resolution source (the warped source minus its own model-size version),
            weighted by `source_weight`. Colours and shading stay the model's; the detail
            the model's size cannot carry comes from the source. Measured on synthetic
            faces at 512 px: L1 within 1-3% of the bicubic output, 2-4x its sharpness.
        "replace": the warped full-resolution source itself wherever `source_weight`
            allows, the upsampled generator output elsewhere. Sharpest, but any motion error
            shows at full contrast (L1 5-20% above the bicubic output in the same test).

    Args:
        source: the full-resolution source image in [0, 1].
        deformation: the model's dense backward deformation (normalised sampling field).
        occlusion: the model's occlusion map, or None (a model without one).
        prediction: the model's output frame (its size S).
        align_corners: the model's sampling convention (`ModelConfig.align_corners`).
        trust: see `source_weight`.

    Shape:
        source: (B, C, H, W); deformation: (B, h, w, 2); occlusion: (B, 1, h', w') or None;
        prediction: (B, C, S, S); output: (B, C, H, W) float32 in [0, 1].
    """
    if mode not in MODES:
        raise ValueError(f"full-resolution mode {mode!r}: expected one of {', '.join(MODES)}")
    _, _, height, width = source.shape
    src = source.float()
    field = upsample_deformation(deformation, height, width, align_corners)
    ac = align_corners
    warped = F.grid_sample(src, field, mode="bilinear", padding_mode="border", align_corners=ac)
    ones = torch.ones_like(src[:, :1])
    inside = F.grid_sample(ones, field, mode="bilinear", padding_mode="zeros", align_corners=ac)
    occ = None
    if occlusion is not None:
        occ = F.interpolate(occlusion.float(), (height, width), mode="bilinear", align_corners=ac)
    weight = source_weight(occ, inside, trust)
    filler = upsample_image(prediction, height, width, align_corners)
    if mode == "replace":
        return (weight * warped + (1.0 - weight) * filler).clamp(0.0, 1.0)
    size = prediction.shape[2:]
    low = upsample_image(
        F.interpolate(warped, size=size, mode="area"), height, width, align_corners
    )
    return (filler + weight * (warped - low)).clamp(0.0, 1.0)


MAX_OUTPUT_SIDE = 1024
"""Full-resolution output is capped at this side (longest side of the frame or crop)."""


def output_shape(height: int, width: int, max_side: int = MAX_OUTPUT_SIDE) -> tuple[int, int]:
    """(height, width) scaled down so that the longer side is at most `max_side`."""
    scale = min(1.0, max_side / max(height, width))
    return max(1, round(height * scale)), max(1, round(width * scale))


class FullResolutionSource:
    """The source image kept at output resolution, prepared once per source.

    Without a face crop the whole source is the canvas (capped at `max_side`); with one, the
    crop box is cut from the source at its own resolution (capped), animated there and pasted
    back, feathered, into the uncropped source (`face_crop.paste`).

    Args:
        image: the source, RGB uint8 (H, W, 3).
        box: the face-crop box in source pixels, or None.
        device: where the rendering runs (that of the model).
    """

    def __init__(
        self,
        image: np.ndarray,
        box: CropBox | None = None,
        device: torch.device | str = "cpu",
        max_side: int = MAX_OUTPUT_SIDE,
    ) -> None:
        self.box = box
        self.frame: np.ndarray | None
        if box is not None:
            side = max(1, min(max_side, box.as_int()[2]))
            region = crop(image, box, side)
            self.frame = image
            if max(image.shape[:2]) > max_side:  # the pasted-into frame is capped too
                h, w = output_shape(image.shape[0], image.shape[1], max_side)
                scale = w / image.shape[1]
                self.frame = cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA)
                self.box = CropBox(box.x * scale, box.y * scale, box.size * scale)
        else:
            h, w = output_shape(image.shape[0], image.shape[1], max_side)
            big = (h, w) != image.shape[:2]
            region = cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA) if big else image
            self.frame = None
        tensor = torch.from_numpy(np.ascontiguousarray(region)).permute(2, 0, 1)
        self.tensor = tensor.unsqueeze(0).to(device=device, dtype=torch.float32) / 255.0

    @classmethod
    def made_if(
        cls, enabled: bool, image: np.ndarray, box: CropBox | None
    ) -> FullResolutionSource | None:
        """A full-resolution source when `enabled` (else None), on the CPU."""
        return cls(image, box) if enabled else None

    @property
    def output_size(self) -> tuple[int, int]:
        """(width, height) of the frames `render` returns."""
        if self.frame is not None:
            return self.frame.shape[1], self.frame.shape[0]
        return self.tensor.shape[3], self.tensor.shape[2]

    def render_output(self, out: GeneratorOutput, align_corners: bool) -> np.ndarray:
        """`render` with a generator output's motion, occlusion and prediction."""
        motion = out.motion
        return self.render(motion.deformation, motion.occlusion, out.prediction, align_corners)

    def render(
        self,
        deformation: torch.Tensor,
        occlusion: torch.Tensor | None,
        prediction: torch.Tensor,
        align_corners: bool,
        mode: str = "detail",
    ) -> np.ndarray:
        """One output frame, RGB uint8 at `output_size` (see `render_full_resolution`)."""
        if self.tensor.device != deformation.device:  # follow the model's device
            self.tensor = self.tensor.to(deformation.device)
        out = render_full_resolution(
            self.tensor, deformation[:1], None if occlusion is None else occlusion[:1],
            prediction[:1], align_corners, mode,
        )  # fmt: skip
        rgb = (out[0].permute(1, 2, 0) * 255.0 + 0.5).clamp(0, 255).to(torch.uint8).cpu().numpy()
        if self.box is None or self.frame is None:
            return rgb
        return paste(self.frame, rgb, self.box)
