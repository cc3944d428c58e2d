"""Inference precision paths: naive float32, cached float32, and fast (bf16 + channels-last)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import torch

PRECISIONS = ("float32", "fast")
FAST_BF16_CPU_FLAGS = ("amx_bf16", "avx512_bf16")
"""CPU features with native bf16 arithmetic. On a 2-core avx512_bf16 CPU (no AMX) the fast
path ran the trained default model 1.3x (128 px) / 1.5x (256 px) faster in bf16 than in
float32 channels-last, within 1 of 255 at the 99.9th percentile (docs/benchmarks.md)."""


def cpu_has_fast_bf16() -> bool:
    """True when the CPU advertises native bf16 arithmetic (AMX tiles or AVX-512 BF16)."""
    try:
        flags = set(Path("/proc/cpuinfo").read_text().split())
    except OSError:
        return False
    return any(flag in flags for flag in FAST_BF16_CPU_FLAGS)


def use_bf16(device: torch.device, precision: str) -> bool:
    """Whether the 'fast' path runs bf16 autocast on this device."""
    if precision != "fast":
        return False
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    return cpu_has_fast_bf16()


@contextlib.contextmanager
def autocast_for(device: torch.device, enabled: bool) -> Iterator[None]:
    """bf16 autocast on `device` when enabled, else nothing."""
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=enabled):
        yield
