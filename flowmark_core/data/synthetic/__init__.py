"""Synthetic puppets (faces, articulated bodies) rendered with exact landmark ground truth.

`render_clip` draws one clip; `plan_dataset` + `synthesize_dataset` build a whole data set
in the First Order Motion Model layout (see `writer.py`).
"""

from flowmark_core.data.synthetic.bodies import body_clip
from flowmark_core.data.synthetic.body_model import BODY_LANDMARKS, BodyIdentity
from flowmark_core.data.synthetic.clip import SyntheticClip
from flowmark_core.data.synthetic.face_identity import FaceIdentity
from flowmark_core.data.synthetic.faces import FACE_LANDMARKS, face_clip
from flowmark_core.data.synthetic.identities import (
    FAMILIES,
    VideoPlan,
    clip_seed,
    identity_seed,
    plan_dataset,
    render_clip,
)

__all__ = [
    "BODY_LANDMARKS",
    "FACE_LANDMARKS",
    "FAMILIES",
    "BodyIdentity",
    "FaceIdentity",
    "SyntheticClip",
    "VideoPlan",
    "body_clip",
    "clip_seed",
    "face_clip",
    "identity_seed",
    "plan_dataset",
    "render_clip",
]
