"""VGG-19 feature extractor for the perceptual loss, defined here (no torchvision needed).

Weights come from a torchvision-format VGG-19 state dict file (`features.N.weight` keys),
given as `train.vgg19_weights`; it is loaded with `weights_only=True` or from safetensors.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from flowmark_core.errors import CheckpointError

# torchvision's VGG-19 "E" layout: conv widths, "M" = max pool.
_LAYOUT = (
    64,
    64,
    "M",
    128,
    128,
    "M",
    256,
    256,
    256,
    256,
    "M",
    512,
    512,
    512,
    512,
    "M",
    512,
    512,
    512,
    512,
)
# Outputs after relu1_1, relu2_1, relu3_1, relu4_1, relu5_1 (indices into `features`).
_TAPS = (1, 6, 11, 20, 29)


class VGG19Features(nn.Module):
    """Returns the five relu_x_1 feature maps of VGG-19 for an image in [0, 1]."""

    mean: torch.Tensor
    std: torch.Tensor

    def __init__(self) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        cin = 3
        for item in _LAYOUT:
            if item == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(cin, int(item), 3, padding=1), nn.ReLU(inplace=False)]
                cin = int(item)
        self.features = nn.Sequential(*layers[: _TAPS[-1] + 1])
        self.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1))
        self.requires_grad_(False)

    def forward(self, image: torch.Tensor) -> list[torch.Tensor]:
        x = (image - self.mean) / self.std
        outs = []
        for i, layer in enumerate(self.features):
            x = layer(x)
            if i in _TAPS:
                outs.append(x)
        return outs


def load_vgg19(path: str | Path) -> VGG19Features:
    """Build VGG19Features and load torchvision-format weights from `path`."""
    p = Path(path)
    if not p.is_file():
        raise CheckpointError(f"{p}: VGG-19 weights file not found (train.vgg19_weights)")
    try:
        if p.suffix == ".safetensors":
            from safetensors.torch import load_file

            state = load_file(str(p))
        else:
            state = torch.load(str(p), map_location="cpu", weights_only=True)
    except Exception as exc:  # any reader failure becomes one line naming the file
        raise CheckpointError(f"{p}: cannot read VGG-19 weights ({type(exc).__name__})") from None
    model = VGG19Features()
    wanted = model.features.state_dict()
    picked = {}
    for key, ref in wanted.items():
        full = f"features.{key}"
        if full not in state or tuple(state[full].shape) != tuple(ref.shape):
            raise CheckpointError(f"{p}: not torchvision VGG-19 weights (missing or bad {full})")
        picked[key] = state[full]
    model.features.load_state_dict(picked)
    return model.eval()
