"""Drag and drop: images onto Source, videos onto Driving, routing elsewhere, bad files."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from flowmark_gui.state.settings import recent_files
from flowmark_gui.window.main_window import MainWindow
from tests.gui.conftest import WAIT_MS, Media, settle, wait_tracked


def drop(widget: QWidget, *paths: Path) -> bool:
    """Send a drag-enter and a drop of `paths` to `widget`; True if the drop was accepted."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = QPointF(widget.width() / 2, widget.height() / 2)
    enter = QDragEnterEvent(
        pos.toPoint(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, enter)
    event = QDropEvent(
        pos,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, event)
    return event.isAccepted()


def test_drop_image_on_source_replaces_the_source(
    loaded: MainWindow, media: Media, qtbot: QtBot
) -> None:
    old = loaded.session.source
    assert drop(loaded.panes.source, media["other"])
    qtbot.waitUntil(lambda: loaded.session.source.path == media["other"], timeout=WAIT_MS)
    assert not (loaded.session.source.image == old.image).all()
    qtbot.waitUntil(loaded.session.has_current_result, timeout=WAIT_MS)
    assert str(media["other"].resolve()) in recent_files()


def test_drop_video_on_driving_opens_and_tracks_it(
    loaded: MainWindow, media: Media, qtbot: QtBot
) -> None:
    assert drop(loaded.panes.driving, media["long"])
    qtbot.waitUntil(lambda: loaded.session.length == 40, timeout=WAIT_MS)
    wait_tracked(qtbot, loaded)
    assert loaded.session.driving.path == media["long"]
    assert loaded.timeline.slider.maximum() == 39


def test_drop_on_the_window_routes_by_type(loaded: MainWindow, media: Media, qtbot: QtBot) -> None:
    drop(loaded, media["long"])
    qtbot.waitUntil(lambda: loaded.session.length == 40, timeout=WAIT_MS)
    drop(loaded, media["other"])
    qtbot.waitUntil(lambda: loaded.session.source.path == media["other"], timeout=WAIT_MS)


def test_a_video_dropped_on_source_opens_as_the_driving_video(
    loaded: MainWindow, media: Media, qtbot: QtBot
) -> None:
    source = loaded.session.source
    assert drop(loaded.panes.source, media["long"])  # a video onto Source
    qtbot.waitUntil(lambda: loaded.session.length == 40, timeout=WAIT_MS)
    assert loaded.session.source is source
    texts = [text for _level, text in loaded.status.history]
    assert any("long.mp4 is a video, so it was opened as the driving video" in t for t in texts)


def test_files_flowmark_cannot_use_change_nothing(
    loaded: MainWindow, media: Media, qtbot: QtBot
) -> None:
    source, driving, track = loaded.session.source, loaded.session.driving, loaded.session.track
    drop(loaded, media["text"])  # not media at all
    drop(loaded.panes.source, media["text"])
    texts = [text for _level, text in loaded.status.history]
    assert any("notes.txt: not an image" in t for t in texts)
    settle(qtbot, loaded.controller.engine)  # nothing was posted that could change them
    assert loaded.session.source is source
    assert loaded.session.driving is driving
    assert loaded.session.track is track


def test_bad_dropped_video_keeps_the_previous_state(
    loaded: MainWindow, media: Media, qtbot: QtBot
) -> None:
    driving, track = loaded.session.driving, loaded.session.track
    drop(loaded.panes.driving, media["bad"])
    qtbot.waitUntil(lambda: bool(loaded.status.errors()), timeout=WAIT_MS)
    message = loaded.status.errors()[-1]
    assert "bad.mp4" in message and "\n" not in message
    assert loaded.session.driving is driving and loaded.session.track is track
    loaded.session.set_index(5)  # still usable
    qtbot.waitUntil(lambda: loaded.session.displayed.index == 5, timeout=WAIT_MS)


def test_a_frame_folder_with_a_bad_frame_is_refused_whole(
    loaded: MainWindow, media: Media, qtbot: QtBot, tmp_path: Path
) -> None:
    folder = tmp_path / "frames"
    folder.mkdir()
    for i in range(10):
        shutil.copy(media["source"], folder / f"frame_{i:03d}.png")
    (folder / "frame_006.png").write_bytes(b"")  # zero bytes among good frames
    session = loaded.session
    session.set_index(5)
    qtbot.waitUntil(session.has_current_result, timeout=WAIT_MS)
    driving, track = session.driving, session.track
    assert drop(loaded.panes.driving, folder)
    qtbot.waitUntil(lambda: bool(loaded.status.errors()), timeout=WAIT_MS)
    message = loaded.status.errors()[-1]
    assert "frame_006.png" in message and "\n" not in message
    qtbot.waitUntil(lambda: session.driving is driving, timeout=WAIT_MS)
    assert session.track is track and session.index == 5  # the previous video, as it was
    assert "tracking" not in loaded.panes.driving.caption.text()
    qtbot.waitUntil(session.has_current_result, timeout=WAIT_MS)
    assert not loaded.status.progress.isVisible()
    loaded.actions["play"].trigger()  # Space still plays
    assert session.playing
    loaded.actions["play"].trigger()
