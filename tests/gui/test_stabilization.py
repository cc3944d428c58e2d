"""Stabilisation re-tracks the video and changes the curves, jitter numbers and Result;
motion options (mode, best frame, recalibrate) re-render without re-tracking."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout
from pytestqt.qtbot import QtBot

from flowmark_core.animate import find_best_frame
from flowmark_gui.views.trajectory_plot import EMPTY_RANGE, TrajectoryPlot
from flowmark_gui.window.main_window import MainWindow
from tests.gui.conftest import WAIT_MS, WindowFactory, wait_tracked


def curve(plot: TrajectoryPlot, k: int, which: str) -> np.ndarray:
    curves = plot.stable_curves if which == "stable" else plot.raw_curves
    return np.asarray(curves[k][0].getData()[1])


def test_toggling_stabilization_changes_curves_and_result(loaded: MainWindow, qtbot: QtBot) -> None:
    session, plot = loaded.session, loaded.plot
    session.set_index(6)
    qtbot.waitUntil(lambda: session.displayed.index == 6, timeout=WAIT_MS)
    before_posed = session.displayed.kp_rendered.copy()
    raw_curve = curve(plot, 0, "raw")
    assert not plot.stable_curves[0][0].isVisible()  # no stabilisation: raw only
    combo = loaded.controls.stabilizer.combo
    combo.setCurrentIndex(combo.findData("one-euro"))
    wait_tracked(qtbot, loaded, "one-euro")
    qtbot.waitUntil(lambda: session.displayed.index == 6, timeout=WAIT_MS)
    assert plot.stable_curves[0][0].isVisible()
    np.testing.assert_allclose(curve(plot, 0, "raw"), raw_curve, atol=1e-5)
    assert not np.allclose(curve(plot, 0, "stable"), raw_curve, atol=1e-3)
    # the Result is posed with the stabilised keypoints (an untrained model's picture may
    # not change visibly for sub-pixel moves, so the pose is what is compared)
    assert not np.allclose(session.displayed.kp_rendered, before_posed, atol=1e-3)
    assert "one-euro" in loaded.jitter.summary.text()
    assert loaded.actions["stabilize"].isChecked()

    loaded.actions["stabilize"].trigger()  # S: back to none
    wait_tracked(qtbot, loaded, "none")
    assert not plot.stable_curves[0][0].isVisible()


def test_stabilizer_parameters_retrack_after_a_pause(loaded: MainWindow, qtbot: QtBot) -> None:
    controls = loaded.controls.stabilizer
    combo = controls.combo
    combo.setCurrentIndex(combo.findData("one-euro"))
    wait_tracked(qtbot, loaded, "one-euro")
    first = loaded.session.track
    controls.editors["min_cutoff"].setValue(0.05)
    controls.editors["min_cutoff"].setValue(0.02)
    qtbot.waitUntil(lambda: loaded.session.track is not first, timeout=WAIT_MS)
    assert loaded.session.track.options.stabilizer_params == {"min_cutoff": 0.02}
    assert not np.allclose(loaded.session.track.track.stable, first.track.stable)


def test_jitter_numbers_are_listed_per_keypoint(loaded: MainWindow) -> None:
    table = loaded.jitter.table
    assert table.rowCount() == loaded.session.num_kp
    values = loaded.jitter.values(0)
    assert all(np.isfinite(v) for v in values)
    assert table.item(0, 1).text() == f"{values[0]:.2f}"


def test_motion_options_rerender_without_retracking(loaded: MainWindow, qtbot: QtBot) -> None:
    session = loaded.session
    track = session.track
    session.set_index(5)
    qtbot.waitUntil(lambda: session.displayed.index == 5, timeout=WAIT_MS)
    relative = session.displayed.kp_rendered.copy()
    loaded.controls.motion.absolute.setChecked(True)
    qtbot.waitUntil(
        lambda: session.has_current_result() and session.options.mode == "absolute",
        timeout=WAIT_MS,
    )
    assert session.track is track
    np.testing.assert_allclose(session.displayed.kp_rendered, track.track.stable[5], atol=1e-3)
    assert not np.allclose(session.displayed.kp_rendered, relative, atol=1e-3)


def test_recalibrate_and_best_frame_set_the_reference(loaded: MainWindow, qtbot: QtBot) -> None:
    session = loaded.session
    session.set_index(8)
    qtbot.waitUntil(lambda: session.displayed.index == 8, timeout=WAIT_MS)
    loaded.actions["recalibrate"].trigger()  # R
    assert session.options.reference_index == 8
    qtbot.waitUntil(session.has_current_result, timeout=WAIT_MS)
    source_kp = session.source.keypoints.value
    # at the reference frame relative motion is zero: the source keypoints are rendered
    np.testing.assert_allclose(session.displayed.kp_rendered, source_kp, atol=1e-3)

    with qtbot.waitSignal(loaded.controller.engine.best_frame_found, timeout=WAIT_MS) as found:
        loaded.controls.motion.best.click()
    expected = find_best_frame(session.source.keypoints.value, session.track.track.stable)
    assert found.args == [expected]
    assert session.options.reference_index == expected
    assert session.index == expected


def test_raw_and_stabilized_curves_differ_at_a_glance(loaded: MainWindow, qtbot: QtBot) -> None:
    plot = loaded.plot
    combo = loaded.controls.stabilizer.combo
    combo.setCurrentIndex(combo.findData("one-euro"))
    wait_tracked(qtbot, loaded, "one-euro")
    raw, stable = plot.raw_curves[0][0], plot.stable_curves[0][0]
    assert raw.opts["pen"] is None and raw.opts["symbol"] == "o"  # faint points
    assert stable.opts["pen"] is not None and stable.opts["symbol"] is None  # a line
    names = [label.text for _sample, label in plot.legend.items]
    assert names == ["raw", "stabilised (one-euro)"]


def test_empty_trajectory_plots_show_the_same_plain_frame_range(
    make_window: WindowFactory, qtbot: QtBot
) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: window.session.model is not None, timeout=WAIT_MS)
    plot = window.plot
    for p in (plot.plot_x, plot.plot_y):
        # pyqtgraph recomputes the range from the view's geometry after a resize: equal up
        # to float rounding (100.00000000000001 was seen), not bit for bit
        assert tuple(p.viewRange()[0]) == pytest.approx(EMPTY_RANGE, abs=1e-9)
        assert not p.getAxis("bottom").autoSIPrefix


def test_the_flow_stabilizer_shows_few_explained_parameters(loaded: MainWindow) -> None:
    controls = loaded.controls.stabilizer
    combo = controls.combo
    combo.setCurrentIndex(combo.findData("flow"))
    main = [controls.form.itemAt(r, QFormLayout.ItemRole.FieldRole).widget() for r in range(1, 4)]
    assert [w.suffix() for w in main] == [" px", " px/frame", " px"]
    assert all(editor.toolTip() for editor in controls.editors.values())
    assert controls.advanced.isHidden()  # the expert ones wait under "Advanced"
    assert len(controls.editors) == 13  # every parameter is still editable
    controls.advanced_toggle.setChecked(True)
    assert not controls.advanced.isHidden()
    scroll = loaded.controls.widget(0)  # the Stabilise tab scrolls vertically only
    assert scroll.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff


def test_a_pending_retrack_is_announced(loaded: MainWindow, qtbot: QtBot) -> None:
    engine = loaded.controller.engine
    gate = threading.Event()
    engine.post(lambda: gate.wait(10))  # the re-track cannot start yet
    combo = loaded.controls.stabilizer.combo
    combo.setCurrentIndex(combo.findData("one-euro"))
    assert "re-tracking with one-euro" in loaded.plot.hint.text()
    assert "re-tracking with one-euro" in loaded.panes.driving.caption.text()
    gate.set()
    wait_tracked(qtbot, loaded, "one-euro")
    assert "re-tracking" not in loaded.plot.hint.text()


def test_s_turns_the_tuned_stabilizer_back_on_with_its_parameters(
    loaded: MainWindow, qtbot: QtBot
) -> None:
    controls = loaded.controls.stabilizer
    controls.combo.setCurrentIndex(controls.combo.findData("one-euro"))
    wait_tracked(qtbot, loaded, "one-euro")
    controls.editors["min_cutoff"].setValue(0.02)
    tuned = {"min_cutoff": 0.02}
    qtbot.waitUntil(
        lambda: loaded.session.track.options.stabilizer_params == tuned, timeout=WAIT_MS
    )
    loaded.actions["stabilize"].trigger()  # S: off
    wait_tracked(qtbot, loaded, "none")
    loaded.actions["stabilize"].trigger()  # S: on again, as it was tuned
    wait_tracked(qtbot, loaded, "one-euro")
    assert loaded.session.options.stabilizer_params == tuned
    assert loaded.session.track.options.stabilizer_params == tuned
