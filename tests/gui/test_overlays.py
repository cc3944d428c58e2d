"""Overlays are toggled independently (menu/keyboard actions and the Controls dock)."""

from __future__ import annotations

import numpy as np
from pytestqt.qtbot import QtBot

from flowmark_gui.views.keypoint_layer import labelled
from flowmark_gui.window.main_window import MainWindow
from tests.gui.conftest import WAIT_MS, wait_tracked


def test_each_overlay_toggles_on_its_own(loaded: MainWindow) -> None:
    driving, result = loaded.panes.driving, loaded.panes.result
    assert driving.heatmap.image is None and not result.arrows._lines
    loaded.actions["overlay_heatmaps"].trigger()  # H
    assert driving.heatmap.image is not None and driving.heatmap.image.shape[2] == 4
    assert loaded.controls.overlays.checks["heatmaps"].isChecked()
    assert result.occlusion.image is None  # the others stay off
    loaded.actions["overlay_motion"].trigger()  # M
    assert loaded.session.overlays.motion  # arrows only where the picture moves (defects test)
    loaded.actions["overlay_occlusion"].trigger()  # O
    assert result.occlusion.image is not None
    loaded.actions["overlay_jacobians"].trigger()  # J
    assert driving.keypoints.jacobians._lines
    loaded.actions["overlay_keypoints"].trigger()  # K off
    assert len(driving.keypoints.dots.getData()[0]) == 0
    assert driving.heatmap.image is not None  # heatmaps do not depend on the dots


def test_heatmaps_of_the_selected_keypoint_only(loaded: MainWindow) -> None:
    session = loaded.session
    session.set_overlays(heatmaps=True, heatmap_opacity=1.0)
    everything = loaded.panes.source.heatmap.image.copy()
    loaded.controls.overlays.scope.setCurrentIndex(1)  # selected keypoints
    assert session.overlays.heatmap_selected_only
    assert (
        loaded.panes.source.heatmap.image is None
        or not loaded.panes.source.heatmap.image[..., 3].any()
    )
    hint = loaded.controls.overlays.scope_hint
    assert not hint.isHidden() and "click a keypoint" in hint.text()  # why nothing shows
    session.click_keypoint(1, additive=False)
    assert hint.isHidden()
    only = loaded.panes.source.heatmap.image
    assert only[..., 3].sum() < everything[..., 3].sum()
    loaded.controls.overlays.opacity.setValue(30)
    assert session.overlays.heatmap_opacity == 0.3


def test_face_crop_retracks_and_still_renders(loaded: MainWindow, qtbot: QtBot) -> None:
    first = loaded.session.track
    loaded.controls.motion.face_crop.setChecked(True)
    qtbot.waitUntil(lambda: loaded.session.track is not first, timeout=WAIT_MS)
    wait_tracked(qtbot, loaded)
    assert loaded.session.track.options.face_crop
    assert "mean flow residual" in loaded.jitter.summary.text()  # jitter numbers stay on
    assert np.asarray(loaded.session.displayed.output).ndim == 3


def test_labels_do_not_pile_up() -> None:
    points = np.array([[10.0, 10.0], [12.0, 11.0], [40.0, 40.0], [41.0, 40.0]])
    assert labelled(points, (), min_gap=5.0) == {0, 2}  # close neighbours are left out
    assert labelled(points, (1, 3), min_gap=5.0) == {1, 3}  # a selection: only its numbers
    assert labelled(points, (), min_gap=0.5) == {0, 1, 2, 3}


def test_pane_labels_follow_the_selection(loaded: MainWindow) -> None:
    labels = loaded.panes.driving.keypoints._labels
    loaded.session.click_keypoint(2, additive=False)
    assert [k for k, label in enumerate(labels) if label.isVisible()] == [2]
    loaded.session.set_selection(())
    assert sum(label.isVisible() for label in labels) >= 1
