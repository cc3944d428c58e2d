"""Scrubbing: frame N shows frame N's keypoints; stale requests are dropped; cached frames
show at once; keypoint clicks select everywhere; the cursor line scrubs."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from flowmark_gui.views.frame_view import FrameView
from flowmark_gui.window.main_window import MainWindow
from tests.gui.conftest import WAIT_MS, settle


def shown_keypoints(view: FrameView) -> np.ndarray:
    """Positions of the keypoint dots a FrameView draws."""
    x, y = view.keypoints.dots.getData()
    return np.stack([x, y], axis=1)


def highlighted_rows(window: MainWindow) -> list[int]:
    """Rows the jitter table shows as selected."""
    rows = window.jitter.table.selectionModel().selectedRows()
    return sorted({index.row() for index in rows})


def test_scrubbing_to_frame_n_shows_frame_n_keypoints(loaded: MainWindow, qtbot: QtBot) -> None:
    session = loaded.session
    for n in (7, 2, 11):
        session.set_index(n)
        qtbot.waitUntil(lambda n=n: session.displayed.index == n, timeout=WAIT_MS)
        track = session.track.track
        np.testing.assert_allclose(
            shown_keypoints(loaded.panes.driving), track.stable[n], atol=1e-3
        )
        assert loaded.timeline.counter.text() == f"{n} / 11"
        assert loaded.timeline.slider.value() == n
        assert abs(loaded.plot.cursors[0].value() - n) < 0.5


def test_cached_frames_show_immediately(
    loaded: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    session, engine = loaded.session, loaded.controller.engine
    session.set_index(4)
    qtbot.waitUntil(lambda: session.displayed.index == 4, timeout=WAIT_MS)
    requests: list[int] = []
    monkeypatch.setattr(engine, "request_frame", requests.append)
    session.set_index(0)
    assert session.displayed.index == 0  # cached: no worker round trip
    session.set_index(4)
    assert session.displayed.index == 4
    assert requests == []


def test_a_new_request_supersedes_pending_ones(loaded: MainWindow, qtbot: QtBot) -> None:
    engine, session = loaded.controller.engine, loaded.session
    entered, gate = threading.Event(), threading.Event()
    engine.post(lambda: (entered.set(), gate.wait(10)))  # keep the worker busy while we "drag"
    qtbot.waitUntil(entered.is_set, timeout=WAIT_MS)
    rendered: list[int] = []
    # Direct connection: counted on the worker thread, so renders that finished before the
    # gate (the first screen's own) can never be counted, however late they are delivered.
    engine.frame_ready.connect(
        lambda r: rendered.append(r.result.index), Qt.ConnectionType.DirectConnection
    )
    for n in range(1, 11):
        session.set_index(n)
    gate.set()
    qtbot.waitUntil(lambda: session.displayed.index == 10, timeout=WAIT_MS)
    settle(qtbot, engine)
    with engine._cond:
        assert engine._frame_request is None  # nothing left to render either
    assert rendered == [10]


def test_dragging_the_trajectory_cursor_scrubs(loaded: MainWindow, qtbot: QtBot) -> None:
    loaded.plot.cursors[1].setValue(6.3)
    assert loaded.session.index == 6
    qtbot.waitUntil(lambda: loaded.session.displayed.index == 6, timeout=WAIT_MS)
    assert abs(loaded.plot.cursors[0].value() - 6.3) < 1e-6


def test_clicking_a_keypoint_selects_it_everywhere(loaded: MainWindow, qtbot: QtBot) -> None:
    session = loaded.session
    spots = loaded.panes.result.keypoints.dots.points()
    loaded.panes.result.keypoints._on_click(None, [spots[2]], object())
    assert session.selection == (2,)
    sizes = [p.size() for p in loaded.panes.source.keypoints.dots.points()]
    assert sizes[2] > sizes[0]
    assert sorted(loaded.plot.stable_curves) == [2]
    session.click_keypoint(4, additive=True)
    assert session.selection == (2, 4)
    assert sorted(loaded.plot.raw_curves) == [2, 4]
    loaded.jitter.table.cellClicked.emit(1, 0)
    assert session.selection == (1,)


def test_keyboard_steps_through_frames(loaded: MainWindow, qtbot: QtBot) -> None:
    session = loaded.session
    loaded.actions["next"].trigger()
    loaded.actions["next"].trigger()
    assert session.index == 2
    loaded.actions["prev"].trigger()
    assert session.index == 1
    loaded.actions["end"].trigger()
    assert session.index == 11
    loaded.actions["home"].trigger()
    assert session.index == 0


def test_the_jitter_table_follows_the_selection_made_in_the_panes(loaded: MainWindow) -> None:
    session = loaded.session
    session.click_keypoint(4, additive=False)
    session.click_keypoint(2, additive=True)
    assert highlighted_rows(loaded) == [2, 4]
    assert sorted(loaded.plot.stable_curves) == [2, 4]
    loaded.jitter.table.cellClicked.emit(1, 0)  # and a click in the table selects everywhere
    assert session.selection == (1,)
    assert highlighted_rows(loaded) == [1]
    session.set_selection(())
    assert highlighted_rows(loaded) == []


def test_playback_says_when_it_waits_for_rendering(loaded: MainWindow, qtbot: QtBot) -> None:
    engine = loaded.controller.engine
    gate = threading.Event()
    engine.post(lambda: gate.wait(10))  # nothing renders while the gate is closed
    loaded.actions["play"].trigger()
    qtbot.waitUntil(
        lambda: loaded.timeline.note.text().startswith("rendering ahead…"), timeout=WAIT_MS
    )
    gate.set()
    loaded.actions["play"].trigger()  # pause
    assert loaded.timeline.note.text() == ""
