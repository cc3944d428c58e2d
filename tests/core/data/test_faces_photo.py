"""faces-photo family: a synthetic "photo" whose face mesh is known (no mediapipe needed)."""

from __future__ import annotations

import numpy as np
import pytest

from flowmark_core.data.synthetic.face_mesh_fit import MESH_POINTS, PortraitFace
from flowmark_core.data.synthetic.faces_photo import (
    PhotoAppearance,
    PhotoRenderer,
    photo_clip,
)
from flowmark_core.data.synthetic.mesh_animation import (
    _EYES,
    LANDMARK_NAMES,
    LANDMARK_VERTICES,
    LOWER_INNER_LIP,
    UPPER_INNER_LIP,
    Expression,
    MeshAnimator,
    Pose,
)
from flowmark_core.data.synthetic.mesh_warp import backward_map, delaunay, dense_motion

SIZE = 128


def _known_mesh() -> np.ndarray:
    """A 478-vertex "face" of 200 px photo pixels: a jittered grid with the features the
    animator uses placed where a face has them (pupils 60 px apart)."""
    rng = np.random.default_rng(0)
    pts = []
    for y in np.linspace(40, 170, 23):
        for x in np.linspace(45, 155, 21):
            if ((x - 100) / 58) ** 2 + ((y - 105) / 68) ** 2 < 1:
                pts.append((x + rng.uniform(-1, 1), y + rng.uniform(-1, 1)))
    pts = np.array(pts[:MESH_POINTS] + [(100.0, 100.0)] * (MESH_POINTS - len(pts[:MESH_POINTS])))
    mesh = np.column_stack([pts, np.zeros(MESH_POINTS)])
    for side, (corners, upper, lower, iris) in zip((-1, 1), _EYES):
        cx = 100 + 30 * side
        mesh[corners[0], :2] = (cx + 14 * side, 90)
        mesh[corners[1], :2] = (cx - 14 * side, 90)
        for k, (u, w) in enumerate(zip(upper, lower)):
            x = cx + side * (10 - 20 * k / (len(upper) - 1))
            mesh[u, :2], mesh[w, :2] = (x, 85 + 0.3 * k), (x, 95 - 0.3 * k)
        mesh[iris[0], :2] = (cx, 90.2)
        for j, i in enumerate(iris[1:]):
            a = j * np.pi / 2
            mesh[i, :2] = (cx + 3 * np.cos(a), 90 + 3 * np.sin(a))
    for k, (u, w) in enumerate(zip(UPPER_INNER_LIP, LOWER_INNER_LIP)):
        x = 82 + 36 * k / (len(UPPER_INNER_LIP) - 1)
        mesh[u, :2] = (x, 140)
        mesh[w, :2] = (x, 140.6) if 0 < k < len(UPPER_INNER_LIP) - 1 else (x, 140)
    for name, (i,) in LANDMARK_VERTICES.items():
        if "brow" in name:
            mesh[i, :2] = (100 + (30 if "left" in name else -30), 70)
    mesh[1, :2], mesh[12, :2], mesh[15, :2], mesh[152, :2] = (
        (100, 118),
        (100, 136),
        (100, 146),
        (100, 168),
    )
    mesh[:, 2] = -40 * np.sqrt(
        np.clip(1 - ((mesh[:, 0] - 100) / 70) ** 2 - ((mesh[:, 1] - 105) / 80) ** 2, 0, 1)
    )
    # Distinct points for the triangulation: nudge exact duplicates apart.
    _, first = np.unique(np.round(mesh[:, :2], 2), axis=0, return_index=True)
    dup = np.setdiff1d(np.arange(MESH_POINTS), first)
    mesh[dup, :2] += rng.uniform(-0.3, 0.3, (len(dup), 2))
    return mesh


def _known_face() -> PortraitFace:
    """A 320 px textured photo with a distinct colour dot on every named landmark vertex."""
    rng = np.random.default_rng(1)
    mesh = _known_mesh()
    mesh[:, :2] += 60  # a margin of plain photo around the face: no reflected dots
    image = np.clip(rng.normal(128, 8, (320, 320, 3)), 0, 255).astype(np.uint8)
    yy, xx = np.mgrid[0:320, 0:320]
    for k, verts in enumerate(LANDMARK_VERTICES.values()):
        x, y = mesh[verts[0], :2]
        disc = (xx - x) ** 2 + (yy - y) ** 2 <= 5.0**2
        image[disc] = (255, 18 * k, 0)
    return PortraitFace(image, mesh, np.ones((320, 320), np.float32), "known")


def _plain_look(flip: bool = False) -> PhotoAppearance:
    return PhotoAppearance(0, 0.25, (0.5, 0.4), flip, 0.0, 1.0, 1.0, 0.0, 0.0, False, 0)


def _dot_centre(frame: np.ndarray, k: int) -> np.ndarray:
    """Centroid of the dot of landmark k (its colour), in pixel centres."""
    r, g, b = (frame[..., c].astype(int) for c in range(3))
    hit = (r > 240) & (np.abs(g - 18 * k) <= 7) & (b < 6)  # dot cores, not blends
    ys, xs = np.nonzero(hit)
    assert len(xs) > 0, f"dot of landmark {LANDMARK_NAMES[k]} not found"
    return np.array([xs.mean(), ys.mean()])


def test_delaunay_covers_a_square_with_two_triangles() -> None:
    tri = delaunay(np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]]))
    assert tri.shape == (2, 3)
    assert sorted(np.unique(tri)) == [0, 1, 2, 3]


def test_dense_motion_of_a_translated_mesh_is_the_translation() -> None:
    a = np.array([[-5.0, -5.0], [40.0, -5.0], [-5.0, 40.0], [40.0, 40.0], [17.0, 18.0]])
    flow, covered = dense_motion(a, a + np.array([2.5, -1.0]), delaunay(a), (32, 32))
    assert covered.all()
    np.testing.assert_allclose(flow[..., 0], 2.5, atol=1e-4)
    np.testing.assert_allclose(flow[..., 1], -1.0, atol=1e-4)


def test_landmarks_land_on_the_warped_dots() -> None:
    face = _known_face()
    renderer = PhotoRenderer(face, _plain_look(), SIZE)
    pose = Pose(yaw=0.2, pitch=-0.1, roll=0.12, zoom=1.05, shift=(3.0, -2.0))
    frame, verts, _ = renderer.render(pose, Expression(brow=0.8), (0.0, 0.0))
    landmarks = np.array([verts[list(v)].mean(0) for v in LANDMARK_VERTICES.values()])
    _neutral, verts0, _ = renderer.render(Pose(), Expression(), (0.0, 0.0))
    moved = 0
    for k in range(len(LANDMARK_NAMES)):
        # The dot's centroid is where its centre went (a small dot: the warp is ~affine there).
        np.testing.assert_allclose(
            _dot_centre(frame, k), landmarks[k], atol=0.5, err_msg=LANDMARK_NAMES[k]
        )
        moved += np.linalg.norm(landmarks[k] - verts0[LANDMARK_VERTICES[LANDMARK_NAMES[k]][0]]) > 2
    assert moved >= 10  # the pose really moved them


def test_backward_map_takes_every_face_vertex_to_its_source() -> None:
    face = _known_face()
    renderer = PhotoRenderer(face, _plain_look(), SIZE)
    verts, depth = renderer.vertices(Pose(yaw=-0.15, roll=-0.1), Expression(jaw=0.7), (0.0, 0.0))
    map_xy, covered = backward_map(verts, renderer.source, renderer.triangles, (SIZE, SIZE), depth)
    # At an integer pixel inside the mesh the map is the affine image of that pixel, so
    # checking vertices that fall near pixel centres is exact up to the local scale.
    inside = np.all((verts[:MESH_POINTS] > 1) & (verts[:MESH_POINTS] < SIZE - 2), axis=1)
    px = np.round(verts[:MESH_POINTS][inside]).astype(int)
    near = np.linalg.norm(px - verts[:MESH_POINTS][inside], axis=1) < 0.1
    got = map_xy[px[near, 1], px[near, 0]]
    want = renderer.source[:MESH_POINTS][inside][near]
    assert near.sum() >= 5 and covered[px[near, 1], px[near, 0]].all()
    # Vertices where no fold covers them map back within a pixel of their source.
    assert np.median(np.linalg.norm(got - want, axis=1)) < 0.5


def test_jaw_opens_down_and_shows_a_dark_mouth() -> None:
    face = _known_face()
    anim = MeshAnimator(face.mesh)
    opened = anim.deform(Expression(jaw=1.0))
    assert opened[152, 1] - face.mesh[152, 1] > 5  # the chin drops
    np.testing.assert_allclose(opened[list(UPPER_INNER_LIP)], face.mesh[list(UPPER_INNER_LIP)])
    renderer = PhotoRenderer(face, _plain_look(), SIZE)
    frame, verts, _ = renderer.render(Pose(), Expression(jaw=1.0), (0.0, 0.0))
    mouth = verts[list(LOWER_INNER_LIP)].mean(0) - [0.0, 1.5]
    assert frame[round(mouth[1]), round(mouth[0])].max() < 80


def test_clip_is_deterministic_per_seed_and_mirrors_names() -> None:
    face = _known_face()
    a = photo_clip(face, _plain_look(), 7, 6, SIZE)
    b = photo_clip(face, _plain_look(), 7, 6, SIZE)
    c = photo_clip(face, _plain_look(), 8, 6, SIZE)
    np.testing.assert_array_equal(a.frames, b.frames)
    np.testing.assert_array_equal(a.landmarks, b.landmarks)
    assert np.abs(a.frames.astype(int) - c.frames.astype(int)).mean() > 0.5
    assert a.frames.shape == (6, SIZE, SIZE, 3) and a.landmarks.shape == (6, 14, 2)
    assert a.mesh.shape[:2] == (6, len(a.mesh[0])) and a.triangles.shape[1] == 3
    flipped = photo_clip(face, _plain_look(flip=True), 7, 6, SIZE)
    names = list(flipped.names)
    # Subject's right stays image-left after the mirror (names are swapped with the image).
    assert np.all(
        flipped.landmarks[:, names.index("right_eye_outer"), 0]
        < flipped.landmarks[:, names.index("left_eye_outer"), 0]
    )
    np.testing.assert_allclose(
        flipped.landmarks[:, names.index("nose_tip"), 0],
        SIZE - 1 - a.landmarks[:, names.index("nose_tip"), 0],
        atol=1e-4,
    )


def test_faces_photo_is_a_registered_family() -> None:
    from flowmark_core.data.synthetic import FAMILIES

    assert "faces-photo" in FAMILIES


@pytest.mark.parametrize("blink", [1.0])
def test_a_closed_eye_hides_its_pupil(blink: float) -> None:
    from flowmark_core.data.synthetic.faces_photo import _frame_landmarks

    verts = np.zeros((MESH_POINTS, 2)) + 10
    _, visible = _frame_landmarks(verts, (blink, 0.0), SIZE)
    assert not visible[LANDMARK_NAMES.index("right_pupil")]
    assert visible[LANDMARK_NAMES.index("left_pupil")]
