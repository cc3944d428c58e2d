"""A newcomer's first-use defects: a small window, the trajectory plot and
table, the status bar and the message log."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from flowmark_gui.state.values import CameraFrame
from flowmark_gui.window.main_window import MainWindow
from tests.gui.conftest import WAIT_MS, Media, WindowFactory, wait_tracked


def test_a_small_window_stacks_the_camera_views_and_reaches_the_overlays(
    make_window: WindowFactory, media: Media, qtbot: QtBot
) -> None:
    window = make_window(media["source"])
    window.resize(1024, 700)
    window.set_mode("camera")
    panel = window.camera_panel
    qtbot.waitUntil(lambda: panel.views.orientation() == Qt.Orientation.Vertical, timeout=WAIT_MS)
    assert panel.live.width() > 300  # was ~170 px side by side
    controls = window.controls
    assert [controls.tabText(i) for i in range(controls.count())] == [
        "Stabilise",
        "Motion",
        "Overlays",
    ]


def test_the_trajectory_legend_sits_under_the_plots_and_a_click_scrubs(
    loaded: MainWindow, qtbot: QtBot
) -> None:
    plot = loaded.plot
    assert plot.legend.parentItem() is not plot.plot_x.vb  # never over the curves
    assert plot.legend.scenePos().y() >= plot.plot_y.sceneBoundingRect().bottom() - 1
    assert plot.plot_x.vb.state["mouseEnabled"] == [False, False]  # a missed drag does not pan
    view = plot.widget
    centre = plot.plot_y.vb.viewRect().center()
    scene = plot.plot_y.vb.mapViewToScene(QPointF(7.0, centre.y()))
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(scene))
    qtbot.waitUntil(lambda: loaded.session.index == 7, timeout=WAIT_MS)


def test_the_jitter_table_keeps_its_columns_when_the_stabilizer_changes(
    loaded: MainWindow, qtbot: QtBot
) -> None:
    table = loaded.jitter.table
    widths = [table.columnWidth(c) for c in range(table.columnCount() - 1)]
    combo = loaded.controls.stabilizer.combo
    combo.setCurrentIndex(combo.findData("one-euro"))
    wait_tracked(qtbot, loaded, "one-euro")
    assert [table.columnWidth(c) for c in range(table.columnCount() - 1)] == widths
    assert "px/frame²" in loaded.jitter.explain.text()  # what the numbers mean


def test_information_stays_in_the_log_and_camera_figures_stay_in_camera_mode(
    loaded: MainWindow,
) -> None:
    loaded.session.info("a note that left the status bar")
    assert "a note that left the status bar" in loaded.messages.messages("info")
    assert loaded.messages.counts() == (0, 0)  # the button counts warnings and errors only
    image = loaded.session.displayed.output
    loaded.camera.frame.emit(CameraFrame(1, image, None, image, 22.0, 40.0))
    assert loaded.status.camera.text() == ""  # video mode: no camera figures
    loaded.set_mode("camera")
    loaded.camera.frame.emit(CameraFrame(2, image, None, image, 22.0, 40.0))
    assert loaded.status.camera.text().startswith("camera 22.0 fps")
