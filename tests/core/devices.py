"""Devices and dtypes for device-parametrised tests: the CPU always, CUDA where present.

On a machine without a GPU the CUDA cases are reported as skipped, not silently absent.
"""

import pytest
import torch

DEVICES = [
    "cpu",
    pytest.param(
        "cuda",
        marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device here"),
    ),
]
DTYPES = [torch.float32, torch.bfloat16]
