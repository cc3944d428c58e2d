"""Inference precision paths: naive float32, cached float32, and fast (bf16 + channels-last)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import torch

PRECISIONS = ("float32", "fast")


def cpu_has_amx() -> bool:
    """True when the CPU advertises AMX bf16 tiles (fast bf16 matrix maths)."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "amx_bf16" in flags


def use_bf16(device: torch.device, precision: str) -> bool:
    """Whether the 'fast' path runs bf16 autocast on this device."""
    if precision != "fast":
        return False
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    return cpu_has_amx()


@contextlib.contextmanager
def autocast_for(device: torch.device, enabled: bool) -> Iterator[None]:
    """bf16 autocast on `device` when enabled, else nothing."""
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=enabled):
        yield
