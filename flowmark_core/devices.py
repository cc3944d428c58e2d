"""Compute devices: the `--device` choices and turning a request into a torch device.

Shared by inference (animate, keypoints, the GUI), the motion prior and training; it imports
torch only when a device is resolved, so command-line parsers can use `DEVICES` cheaply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flowmark_core.errors import DeviceError

if TYPE_CHECKING:
    import torch

#: Values of every `--device` option.
DEVICES: tuple[str, ...] = ("cpu", "cuda")


def resolve_device(request: str | None, local_rank: int = 0) -> torch.device:
    """'cpu', 'cuda' or None (cuda when available) -> a torch device; DeviceError if absent.

    `local_rank` picks the GPU of this process under torchrun (one per process, round robin).
    """
    import torch

    if request is not None and request not in DEVICES:
        raise DeviceError(f"--device {request}: expected {' or '.join(DEVICES)}")
    if request == "cuda" or (request is None and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            raise DeviceError(
                "--device cuda: no CUDA device is available to this PyTorch build "
                f"(torch {torch.__version__}); install a CUDA build of torch or use --device cpu"
            )
        return torch.device("cuda", local_rank % torch.cuda.device_count())
    return torch.device("cpu")
