"""The photo the mesh-motion tests animate; they need mediapipe (skipped without it)."""

from __future__ import annotations

import numpy as np
import pytest

from flowmark_core.metrics.reference_mesh import mediapipe_available
from tests.portraits import grace_hopper


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    why = mediapipe_available()
    if why is not None:
        pytest.skip(why)
    return grace_hopper()
