"""`data synth --family faces-photo` without `--portraits` still writes the same data set.

The hash was taken from the output of the code before `--portraits` existed (commit 59d800b)
with this environment's numpy 2.4.6, OpenCV 4.14.0 and mediapipe 0.10.21: other versions
render differently (see `rendered_with` in dataset.json), so the test runs only with them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from flowmark_core.data.synthetic.face_mesh_fit import PORTRAITS, portrait_faces
from flowmark_core.data.synthetic.writer import synthesize_dataset
from flowmark_core.metrics.reference_mesh import mediapipe_available

BEFORE_PORTRAITS = "6bbd24958f77269197606b0523120c2d4942e7d45c49ebaae7988c48b8cee1df"


def _tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_the_cached_faces_give_the_same_clips_as_before(tmp_path: Path) -> None:
    why = mediapipe_available()
    if why is not None:
        pytest.skip(why)
    import mediapipe

    from flowmark_core.data.real_media import real_media_dir

    missing = [name for name in PORTRAITS if not (real_media_dir() / name).is_file()]
    if missing:
        pytest.skip(f"real-media cache lacks {', '.join(missing)} (flowmark data fetch-real)")
    versions = (np.__version__, cv2.__version__, mediapipe.__version__)
    if versions != ("2.4.6", "4.14.0", "0.10.21"):
        pytest.skip(
            f"the known hash is for numpy/opencv/mediapipe 2.4.6/4.14.0/0.10.21: {versions}"
        )
    portrait_faces.cache_clear()  # mesh the cached portraits, whatever an earlier test did
    out = tmp_path / "set"
    counts = synthesize_dataset(
        out, "faces-photo", 4, 3, 64, seed=5, test_fraction=0.5, clips_per_id=1, workers=0,
        progress=False,
    )  # fmt: skip
    assert counts == {"train": 2, "test": 2}
    assert _tree_hash(out) == BEFORE_PORTRAITS
