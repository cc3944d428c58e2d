"""A portrait warped through its mesh: unchanged when the mesh is, a dark mouth when it opens."""

from __future__ import annotations

import numpy as np

from flowmark_core.data.synthetic.mesh_animation import LOWER_INNER_LIP, UPPER_INNER_LIP
from flowmark_core.mesh_motion.render import MeshPortrait
from flowmark_core.mesh_motion.transfer import HeadMotion
from tests.core.data.test_faces_photo import _known_mesh

STILL = HeadMotion(1.0 + 0j, 0j)


def _portrait() -> MeshPortrait:
    rng = np.random.default_rng(0)
    mesh = _known_mesh()  # a 200 px face, eyes 88 px apart, closed mouth at y = 140
    mesh[:, :2] += 20
    image = np.clip(rng.normal(150, 10, (260, 240, 3)), 0, 255).astype(np.uint8)
    return MeshPortrait(image, mesh)


def _opened(portrait: MeshPortrait, px: float) -> np.ndarray:
    face = portrait.mesh[:, :2].copy()
    face[list(LOWER_INNER_LIP[1:-1]), 1] += px  # the lower inner lip drops, corners stay
    return face


def test_the_unmoved_mesh_renders_the_portrait_unchanged() -> None:
    portrait = _portrait()
    out = portrait.render(portrait.mesh[:, :2].copy(), STILL)
    assert out.shape == portrait.image.shape
    assert np.abs(out.astype(int) - portrait.image).max() <= 1


def test_an_opened_mouth_shows_teeth_and_a_dark_interior_not_a_stretched_lip() -> None:
    portrait = _portrait()
    out = portrait.render(_opened(portrait, 12.0), STILL)
    upper = portrait.mesh[list(UPPER_INNER_LIP), :2]
    x0, x1 = int(upper[:, 0].min()) + 8, int(upper[:, 0].max()) - 8
    y = int(upper[:, 1].mean())
    inside = out[y + 8 : y + 11, x0:x1].astype(float)
    assert inside.mean() < 80  # the interior colour is (52, 22, 24), the skin ~150
    teeth = out[y + 1 : y + 3, x0 + 2 : x1 - 2].astype(float)  # under the upper lip
    assert teeth.mean() > inside.mean() + 60
    outside = out[y + 30 : y + 40, x0:x1].astype(float)
    assert outside.mean() > 120


def test_a_mouth_opened_less_than_a_hundredth_of_the_eye_distance_gets_no_interior() -> None:
    portrait = _portrait()
    out = portrait.render(_opened(portrait, 0.5), STILL)
    assert out.astype(float).mean() > 140
    assert out.min() > 60
