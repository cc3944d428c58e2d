"""Seeds and identities of synthetic data sets: which person, which clip, which split.

An identity's look comes only from (data set seed, family, identity number) and a clip's
motion and scene from (data set seed, family, identity number, clip number), so a data set
is reproducible and its train and test splits never share a person.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from flowmark_core.data.synthetic.bodies import body_clip
from flowmark_core.data.synthetic.body_model import BodyIdentity
from flowmark_core.data.synthetic.clip import SyntheticClip
from flowmark_core.data.synthetic.face_identity import FaceIdentity
from flowmark_core.data.synthetic.faces import face_clip
from flowmark_core.data.synthetic.faces_photo import faces_photo_clip

FAMILIES: tuple[str, ...] = ("faces", "bodies", "faces-photo")
_FAMILY_CODE = {"faces": 1, "bodies": 2, "faces-photo": 3}


def _check_family(family: str) -> None:
    if family not in FAMILIES:
        raise ValueError(f"unknown puppet family {family!r}; allowed: {', '.join(FAMILIES)}")


def identity_seed(dataset_seed: int, family: str, identity: int) -> int:
    """Seed of an identity's appearance."""
    _check_family(family)
    seq = np.random.SeedSequence([dataset_seed, _FAMILY_CODE[family], identity, 0])
    return int(seq.generate_state(1)[0])


def clip_seed(dataset_seed: int, family: str, identity: int, clip: int) -> int:
    """Seed of one clip's motion and scene."""
    _check_family(family)
    seq = np.random.SeedSequence([dataset_seed, _FAMILY_CODE[family], identity, clip + 1])
    return int(seq.generate_state(1)[0])


def render_clip(
    family: str,
    appearance_seed: int,
    motion_seed: int,
    frames: int,
    size: int,
    fps: float = 25.0,
    expressive: bool = False,
) -> SyntheticClip:
    """Render one clip of the identity drawn from `appearance_seed`.

    Args:
        expressive: faces only: bigger turns, more blinks and mouth movement.
    """
    _check_family(family)
    if family == "faces-photo":  # real portraits animated through their face mesh
        return faces_photo_clip(appearance_seed, motion_seed, frames, size, fps)
    rng = np.random.default_rng(appearance_seed)
    if family == "faces":
        return face_clip(FaceIdentity.random(rng), motion_seed, frames, size, fps, expressive)
    return body_clip(BodyIdentity.random(rng), motion_seed, frames, size, fps)


@dataclass(frozen=True)
class VideoPlan:
    """One video of a synthetic data set: `split/name` with name `id00007#01`."""

    split: str
    name: str
    identity: int
    clip: int
    appearance_seed: int
    motion_seed: int


def plan_dataset(
    family: str, videos: int, seed: int = 0, test_fraction: float = 0.15, clips_per_id: int = 2
) -> list[VideoPlan]:
    """Lay out `videos` clips over identities (`clips_per_id` each) and train/test splits.

    The last identities (a `test_fraction` of them, at least one when there are two or
    more identities and the fraction is positive) form the test split.
    """
    _check_family(family)
    if videos < 1 or clips_per_id < 1:
        raise ValueError("videos and clips_per_id must be >= 1")
    if not 0.0 <= test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in [0, 1), got {test_fraction}")
    n_ids = math.ceil(videos / clips_per_id)
    n_test = round(n_ids * test_fraction)
    if test_fraction > 0 and n_ids >= 2:
        n_test = min(max(n_test, 1), n_ids - 1)
    plans = []
    for v in range(videos):
        identity, clip = divmod(v, clips_per_id)
        split = "test" if identity >= n_ids - n_test else "train"
        plans.append(VideoPlan(
            split=split,
            name=f"id{identity:05d}#{clip:02d}",
            identity=identity,
            clip=clip,
            appearance_seed=identity_seed(seed, family, identity),
            motion_seed=clip_seed(seed, family, identity, clip),
        ))  # fmt: skip
    return plans
