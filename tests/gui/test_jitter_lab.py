"""Jitter Lab window (flowmark_gui/jitter_lab): a video and a track opened, points drawn on
the frame, regions and lasso selection, filters scored in a worker, A/B, export, bad tracks.

The videos are folders of PNG frames (exactly equal frames where the test needs a still
picture: optical flow is then zero, so a constant track has zero NMJ).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from flowmark_core.io.images import write_image
from flowmark_core.landmarks.formats import read_track
from flowmark_core.landmarks.layouts import MEDIAPIPE_FACE_GROUPS, MEDIAPIPE_IRIS_GROUPS
from flowmark_gui.jitter_lab import JitterLabWindow
from flowmark_gui.jitter_lab.data import RAW, filter_key
from flowmark_gui.jitter_lab.points import JITTER_RAMP, inside_polygon
from flowmark_gui.jitter_lab.views import trajectories
from flowmark_gui.jitter_lab.views.canvas import PIXEL_CENTRE
from flowmark_gui.jitter_lab.views.trajectories import MAX_CURVES

WAIT_MS = 60000
FRAMES = 12
WIDTH, HEIGHT = 96, 80
MESH = 478


def still_video(folder: Path, frames: int = FRAMES) -> Path:
    """A folder of `frames` identical textured frames (WIDTH x HEIGHT)."""
    folder.mkdir()
    rng = np.random.default_rng(3)
    picture = rng.integers(0, 256, (HEIGHT // 4, WIDTH // 4, 3), dtype=np.uint8)
    picture = np.kron(picture, np.ones((4, 4, 1), dtype=np.uint8))  # blocks: flow finds texture
    for t in range(frames):
        write_image(folder / f"{t:04d}.png", picture)
    return folder


def write_csv(path: Path, points: np.ndarray, first_frame: int = 0) -> Path:
    """A plain CSV track; 478 points are named mesh_0.. (the face mesh regions follow)."""
    count = points.shape[1]
    names = [f"mesh_{k}" if count == MESH else f"p{k}" for k in range(count)]
    lines = ["frame,point,x,y"]
    for t, row in enumerate(points):
        lines += [f"{t + first_frame},{n},{x:.4f},{y:.4f}" for n, (x, y) in zip(names, row)]
    path.write_text("\n".join(lines) + "\n")
    return path


def mesh_track(seed: int = 0, noise: float = 0.6) -> np.ndarray:
    """(FRAMES, 478, 2) points inside the frame: fixed places plus per-frame noise."""
    rng = np.random.default_rng(seed)
    base = rng.uniform([8, 8], [WIDTH - 8, HEIGHT - 8], size=(MESH, 2))
    return base[None] + rng.normal(0.0, noise, size=(FRAMES, MESH, 2))


@pytest.fixture
def lab(qtbot: QtBot) -> Iterator[JitterLabWindow]:
    window = JitterLabWindow()
    window.resize(1200, 800)
    window.show()
    yield window
    window.close()
    window.deleteLater()


def open_and_wait(qtbot: QtBot, lab: JitterLabWindow, video: Path, track: Path) -> None:
    lab.open_files(video, track)
    qtbot.waitUntil(lambda: lab.state.data is not None and not lab.controller.busy, timeout=WAIT_MS)


def run_and_wait(qtbot: QtBot, lab: JitterLabWindow, filters: list[tuple[str, str]]) -> None:
    lab.run_filters(filters)
    qtbot.waitUntil(lambda: not lab.controller.busy, timeout=WAIT_MS)


def scatter_xy(item: object) -> np.ndarray:
    x, y = item.getData()  # type: ignore[attr-defined]
    return np.stack([x, y], axis=1)


def test_points_drawn_on_the_frame_at_their_positions(qtbot: QtBot, lab, tmp_path) -> None:
    points = mesh_track()
    open_and_wait(qtbot, lab, still_video(tmp_path / "v"), write_csv(tmp_path / "t.csv", points))
    lab.state.set_index(7)
    qtbot.waitUntil(lambda: lab.canvas.shown_index == 7, timeout=WAIT_MS)
    shown = scatter_xy(lab.canvas.points)
    assert shown.shape == (MESH, 2)
    # track (0, 0) is the top-left pixel's centre; the image item's pixel 0 spans [0, 1]
    np.testing.assert_allclose(shown, points[7] + PIXEL_CENTRE, atol=1e-3)
    assert lab.canvas.image.image.shape[:2] == (HEIGHT, WIDTH)
    assert lab.slider.maximum() == FRAMES - 1
    assert lab.errors == []


def test_region_selection_shows_that_regions_trajectories(
    qtbot: QtBot, lab, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    points = mesh_track()
    open_and_wait(qtbot, lab, still_video(tmp_path / "v"), write_csv(tmp_path / "t.csv", points))
    lab.regions.select_regions(["left_iris"])
    iris = MEDIAPIPE_IRIS_GROUPS["left_iris"]
    assert lab.state.selection == iris
    assert set(lab.trajectories.curves["raw"]) == set(iris)
    k = iris[2]
    curve_x, curve_y = lab.trajectories.curves["raw"][k]
    np.testing.assert_allclose(curve_x.yData, points[:, k, 0], atol=1e-3)
    np.testing.assert_allclose(curve_y.yData, points[:, k, 1], atol=1e-3)
    assert len(scatter_xy(lab.canvas.rings)) == len(iris)
    monkeypatch.setattr(trajectories, "WINDOW", 4)  # a time window shorter than the track
    lab.trajectories.refresh()
    assert lab.trajectories.plot_x.viewRange()[0][1] < FRAMES - 2
    lab.state.set_index(FRAMES - 1)
    left, right = lab.trajectories.plot_x.viewRange()[0]
    assert left <= FRAMES - 1 <= right  # the window follows the cursor's frame

    lab.regions.select_regions(["lips"])  # more points than curves: the region's shakiest
    lips = set(MEDIAPIPE_FACE_GROUPS["lips"])
    assert set(lab.state.selection) == lips
    plotted = set(lab.trajectories.curves["raw"])
    assert len(plotted) == MAX_CURVES and plotted <= lips


def test_lasso_selects_the_points_inside(qtbot: QtBot, lab, tmp_path) -> None:
    points = mesh_track(noise=0.0)
    open_and_wait(qtbot, lab, still_video(tmp_path / "v"), write_csv(tmp_path / "t.csv", points))
    square = np.array([[10.0, 10.0], [50.0, 10.0], [50.0, 40.0], [10.0, 40.0]])
    lab.canvas.box.lassoed.emit(square, False)
    centre = points[lab.state.index] + PIXEL_CENTRE
    expected = np.flatnonzero(
        (centre[:, 0] > 10) & (centre[:, 0] < 50) & (centre[:, 1] > 10) & (centre[:, 1] < 40)
    )
    assert 0 < len(expected) < MESH
    assert lab.state.selection == tuple(expected.tolist())
    assert inside_polygon(np.array([[np.nan, np.nan]]), square).tolist() == [False]


def test_jitter_colouring_marks_the_shaky_points(qtbot: QtBot, lab, tmp_path) -> None:
    points = mesh_track(noise=0.0)
    shaky = [3, 200, 400]
    noise = np.random.default_rng(5).normal(0.0, 2.0, size=(FRAMES, len(shaky), 2))
    points[:, shaky] += noise
    open_and_wait(qtbot, lab, still_video(tmp_path / "v"), write_csv(tmp_path / "t.csv", points))
    assert lab.state.jitter is not None  # measured on the worker after opening
    assert np.all(lab.state.jitter[shaky] > 0.5)
    for colouring in ("acceleration", "jitter"):
        lab.panel.colouring.setCurrentText(f"by raw {colouring}")
        assert lab.state.colouring == colouring
        spots = lab.canvas.points.points()
        rgb = [spot.brush().color().getRgb()[:3] for spot in spots]
        assert len(rgb) == MESH
        values = lab.state.data.acceleration if colouring == "acceleration" else lab.state.jitter
        worst = shaky[int(np.argmax(values[shaky]))]
        assert rgb[worst] == JITTER_RAMP[-1]  # red: the shakiest
        assert all(rgb[k] != JITTER_RAMP[0] for k in shaky)
        assert rgb[0] == rgb[100] == JITTER_RAMP[0]  # blue: still points
    assert "colour: raw jitter" in lab.canvas.caption.text()


def test_two_filters_fill_the_table_constant_track_has_zero_nmj(qtbot, lab, tmp_path) -> None:
    constant = np.repeat(mesh_track(noise=0.0)[:1], FRAMES, axis=0)
    open_and_wait(qtbot, lab, still_video(tmp_path / "v"), write_csv(tmp_path / "c.csv", constant))
    run_and_wait(qtbot, lab, [("one-euro", ""), ("flow-offline", "")])
    assert lab.errors == []
    labels = [label for label, _cells in lab.table.rows()]
    assert labels == ["raw (none)", "one-euro", "flow-offline"]
    for key in (RAW, filter_key("one-euro"), filter_key("flow-offline")):
        metrics = lab.state.results[key].metrics
        for region in ("all", "lips", "left_iris"):
            # Farneback's flow between equal frames is zero up to float error (~1e-5 px)
            assert metrics[region]["nmj"] == pytest.approx(0.0, abs=1e-5)
            assert metrics[region]["acceleration"] == pytest.approx(0.0, abs=1e-9)
    assert all(cells[0] == "0.0000" for _label, cells in lab.table.rows())
    lab.table.region.setCurrentText("lips")
    assert lab.state.region == "lips"


def test_ab_shows_both_filters_on_plot_and_frame(qtbot: QtBot, lab, tmp_path) -> None:
    points = mesh_track(noise=1.5)
    open_and_wait(qtbot, lab, still_video(tmp_path / "v"), write_csv(tmp_path / "t.csv", points))
    run_and_wait(qtbot, lab, [("savgol", "window=5"), ("kalman", "")])
    a, b = filter_key("savgol", {"window": 5}), filter_key("kalman")
    assert (lab.state.a, lab.state.b) == (a, b)
    lab.regions.select_regions(["right_iris"])
    index = 6
    lab.state.set_index(index)
    qtbot.waitUntil(lambda: lab.canvas.shown_index == index, timeout=WAIT_MS)
    iris = MEDIAPIPE_IRIS_GROUPS["right_iris"]
    for layer, key in ((lab.canvas.layer_a, a), (lab.canvas.layer_b, b)):
        # on the frame: the selection's points as A and as B, in two colours
        expected = lab.state.results[key].dense[index, list(iris)] + PIXEL_CENTRE
        np.testing.assert_allclose(scatter_xy(layer), expected, atol=1e-6)
    assert not np.allclose(scatter_xy(lab.canvas.layer_a), scatter_xy(lab.canvas.layer_b))
    brush_a = lab.canvas.layer_a.opts["brush"].color().getRgb()
    brush_b = lab.canvas.layer_b.opts["brush"].color().getRgb()
    assert brush_a != brush_b
    for role, key in (("a", a), ("b", b)):
        assert set(lab.trajectories.curves[role]) == set(iris)
        curve_x, _ = lab.trajectories.curves[role][iris[0]]
        np.testing.assert_allclose(curve_x.yData, lab.state.results[key].dense[:, iris[0], 0])
    pen_a = lab.trajectories.curves["a"][iris[0]][0].opts["pen"].color().getRgb()
    pen_b = lab.trajectories.curves["b"][iris[0]][0].opts["pen"].color().getRgb()
    assert pen_a != pen_b
    lab.state.set_selection([])  # no selection: every point as A and as B
    assert len(scatter_xy(lab.canvas.layer_a)) == len(scatter_xy(lab.canvas.layer_b)) == MESH
    lab.panel.b.setCurrentIndex(0)  # "—": B off
    assert lab.state.b is None and len(scatter_xy(lab.canvas.layer_b)) == 0

    cached = lab.state.results[b]
    lab.run_filters([("kalman", "")])  # cached per (filter, params): no job, shown as A
    assert lab.controller.busy == "" and lab.state.results[b] is cached
    assert lab.state.a == b


def test_export_writes_the_smoothed_track_in_its_format(qtbot: QtBot, lab, tmp_path) -> None:
    points = mesh_track(noise=1.5)
    track_path = write_csv(tmp_path / "t.csv", points)
    open_and_wait(qtbot, lab, still_video(tmp_path / "v"), track_path)
    run_and_wait(qtbot, lab, [("savgol", "window=5")])
    key = filter_key("savgol", {"window": 5})
    out = tmp_path / "t.savgol.csv"
    with qtbot.waitSignal(lab.controller.exported, timeout=WAIT_MS):
        lab.controller.export(key, out)
    written = read_track(out)
    smoothed = lab.state.results[key].rows
    np.testing.assert_allclose(written.points, smoothed, atol=1e-4)
    assert not np.allclose(written.points, points, atol=1e-2)
    assert written.names == tuple(f"mesh_{k}" for k in range(MESH))

    before = track_path.read_bytes()
    lab.controller.export(key, track_path)  # never over the input
    qtbot.waitUntil(lambda: not lab.controller.busy, timeout=WAIT_MS)
    assert len(lab.errors) == 1 and "input" in lab.errors[0]
    assert track_path.read_bytes() == before


def test_bad_track_is_one_message_and_changes_nothing(qtbot: QtBot, lab, tmp_path) -> None:
    video = still_video(tmp_path / "v")
    points = mesh_track()
    open_and_wait(qtbot, lab, video, write_csv(tmp_path / "t.csv", points))
    run_and_wait(qtbot, lab, [("kalman", "")])
    data, results, index = lab.state.data, dict(lab.state.results), lab.state.index

    too_long = write_csv(tmp_path / "long.csv", np.concatenate([points, points]))
    lab.open_files(video, too_long)
    qtbot.waitUntil(lambda: len(lab.errors) == 1 and not lab.controller.busy, timeout=WAIT_MS)
    assert "long.csv" in lab.errors[0] and f"{FRAMES} frames" in lab.errors[0]

    wrong_count = tmp_path / "face.json"
    frame = [{"x": 0.5, "y": 0.5}] * 470
    wrong_count.write_text(str([frame] * FRAMES).replace("'", '"'))
    lab.open_files(video, wrong_count)
    qtbot.waitUntil(lambda: len(lab.errors) == 2 and not lab.controller.busy, timeout=WAIT_MS)
    assert "face.json" in lab.errors[1] and "470" in lab.errors[1]
    assert "\n" not in lab.errors[0] + lab.errors[1]

    assert lab.state.data is data and lab.state.results == results
    assert lab.state.index == index
    assert len(scatter_xy(lab.canvas.points)) == MESH
    assert lab.message.text() == lab.errors[-1]


def test_tools_menu_opens_one_lab_window(qtbot: QtBot, make_window) -> None:
    window = make_window()
    window.actions["jitter_lab"].trigger()
    lab = window.findChild(JitterLabWindow)
    assert lab is not None and lab.isVisible() and lab.isWindow()
    window.actions["jitter_lab"].trigger()
    assert window.findChildren(JitterLabWindow) == [lab]
    jobs, frames = lab.controller.jobs, lab.controller.frames
    lab.close()  # its workers stop with it (the window is deleted later)
    assert not jobs.isRunning() and not frames.isRunning()
