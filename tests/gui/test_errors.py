"""Worker errors surface as one-line messages and the app keeps working."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from flowmark_core.animate import Animator
from flowmark_core.errors import InputFileError
from flowmark_gui.state.session import ERROR
from flowmark_gui.views.message_log import LEVEL_ROLE
from flowmark_gui.views.status_bar import progress_text
from flowmark_gui.window.main_window import MainWindow
from flowmark_gui.workers.base import WorkerThread, one_line
from tests.gui.conftest import WAIT_MS, Media, WindowFactory


def test_an_unexpected_worker_error_is_shown_and_the_app_survives(
    loaded: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = Animator.render

    def broken(self: Animator, *args: object, **kwargs: object) -> object:
        index = kwargs.get("index", args[4] if len(args) > 4 else 0)
        if index == 9:
            raise RuntimeError("boom\nsecond line")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Animator, "render", broken)
    loaded.session.set_index(9)
    qtbot.waitUntil(lambda: bool(loaded.status.errors()), timeout=WAIT_MS)
    assert loaded.status.errors()[-1] == "unexpected error: RuntimeError: boom"
    assert loaded.status.text == "unexpected error: RuntimeError: boom"
    loaded.session.set_index(4)
    qtbot.waitUntil(lambda: loaded.session.displayed.index == 4, timeout=WAIT_MS)


def test_bad_source_image_keeps_the_previous_one(
    loaded: MainWindow, media: Media, qtbot: QtBot, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    source = loaded.session.source
    loaded.controller.open_path(broken)
    qtbot.waitUntil(lambda: bool(loaded.status.errors()), timeout=WAIT_MS)
    assert "broken.png" in loaded.status.errors()[-1]
    assert loaded.session.source is source
    qtbot.waitUntil(loaded.session.has_current_result, timeout=WAIT_MS)


def test_a_bad_model_file_keeps_the_loaded_model(
    loaded: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"not a checkpoint")
    handle = loaded.session.model
    loaded.controller.open_path(bad)
    qtbot.waitUntil(lambda: bool(loaded.status.errors()), timeout=WAIT_MS)
    assert "\n" not in loaded.status.errors()[-1]
    assert loaded.session.model is handle
    loaded.session.set_index(2)
    qtbot.waitUntil(lambda: loaded.session.displayed.index == 2, timeout=WAIT_MS)


def test_fomm_checkpoint_drop_asks_for_the_config(loaded: MainWindow) -> None:
    assert not loaded.controller.open_path("/tmp/vox-cpk.pth.tar")
    assert "YAML config" in loaded.status.text


def test_one_line_messages() -> None:
    assert one_line(InputFileError("x.mp4: truncated\nmore")) == "x.mp4: truncated"
    assert one_line(ValueError("bad")) == "unexpected error: ValueError: bad"


def test_worker_reports_failures_through_its_signal(qtbot: QtBot) -> None:
    worker = WorkerThread("test-worker")
    worker.start()
    with qtbot.waitSignal(worker.failed, timeout=WAIT_MS) as failed:
        worker.post(lambda: (_ for _ in ()).throw(InputFileError("a.png: no such file")))
    assert failed.args == ["a.png: no such file"]
    assert worker.stop()


def test_every_error_stays_in_the_message_log_until_dismissed(
    make_window: WindowFactory, qtbot: QtBot, tmp_path: Path
) -> None:
    empty = tmp_path / "emptydir"
    empty.mkdir()
    window = make_window(empty, empty)  # --source emptydir --driving emptydir
    log = window.messages
    qtbot.waitUntil(lambda: len(log.messages(ERROR)) == 2, timeout=WAIT_MS)
    assert all("emptydir" in text for text in log.messages(ERROR))
    assert window.messages_dock.isVisible()
    assert window.status.log_button.isVisible() and "2" in window.status.log_button.text()
    first_error = next(
        log.list.item(i)
        for i in range(log.list.count())
        if log.list.item(i).data(LEVEL_ROLE) == ERROR
    )
    first_error.setSelected(True)
    log.dismiss_button.click()
    assert len(log.messages(ERROR)) == 1
    log.clear_button.click()  # Dismiss all: the log is empty and its dock closes
    assert log.messages() == [] and not window.status.log_button.isVisible()
    assert not window.messages_dock.isVisible()


def test_progress_text_fits_and_estimates_the_time_left(loaded: MainWindow) -> None:
    assert progress_text("tracking keypoints", 40, 120, 5.0) == (
        "tracking keypoints 40/120 · ~10 s left"
    )
    assert progress_text("tracking keypoints", 0, 0, 0.0) == "tracking keypoints…"
    bar = loaded.status.progress
    loaded.session.progress.emit("tracking keypoints", 40, 120)
    assert bar.isVisible()
    assert bar.width() >= bar.fontMetrics().horizontalAdvance(bar.text())
    loaded.session.progress.emit("tracking keypoints", -1, -1)
    assert not bar.isVisible()
