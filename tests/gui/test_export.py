"""Export: a valid video with the right frame count and size; Cancel leaves no file; the
app stays usable while exporting."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from flowmark_core.io.video_reader import open_video
from flowmark_gui.dialogs.export_dialog import ExportDialog
from flowmark_gui.render.export_job import ExportJob, run_export
from flowmark_gui.window.main_window import MainWindow
from flowmark_gui.workers import export as export_worker
from tests.gui.conftest import WAIT_MS, Media, WindowFactory, wait_tracked

Progress = Callable[[int, int], None]
Check = Callable[[], bool]


def _dialog(window: MainWindow, path: Path, layout: str = "result", size: int = 64) -> ExportDialog:
    dialog = window.show_export()
    dialog.path.setText(str(path))
    dialog.size.setValue(size)
    dialog.layout_box.setCurrentIndex(dialog.layout_box.findData(layout))
    return dialog


def test_export_writes_an_mp4_with_every_frame(
    loaded: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    loaded.session.set_overlays(heatmaps=True, motion=True, jacobians=True)
    dialog = _dialog(loaded, tmp_path / "out.mp4", "side-by-side")
    assert dialog.start()
    loaded.session.set_index(3)  # the app stays usable meanwhile
    qtbot.waitUntil(lambda: loaded.session.displayed.index == 3, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT_MS)
    assert "wrote 12 frames" in dialog.status.text()
    reader = open_video(tmp_path / "out.mp4")
    assert reader.frame_count == loaded.session.length == 12
    assert reader.size == (3 * 64 + 2 * 4, 64)
    assert dialog.progress.value() == 12
    assert dialog.export_button.isEnabled()


def test_export_gif_result_only(loaded: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    dialog = _dialog(loaded, tmp_path / "out.mp4", "result", size=48)
    dialog.format.setCurrentText("gif")
    assert dialog.path.text().endswith("out.gif")
    assert dialog.start()
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT_MS)
    reader = open_video(tmp_path / "out.gif")
    assert sum(1 for _ in reader) == 12
    assert reader.size == (48, 48)


def hold_after_first_frame(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Make exports wait after their first frame until they are cancelled (or released), so
    a test cannot lose the race between the export finishing and the Cancel click."""
    release = threading.Event()

    def held(
        job: ExportJob, handle: object, progress: Progress, cancelled: Check, note: object = None
    ) -> int:
        def progress_then_wait(done: int, total: int) -> None:
            progress(done, total)
            while done == 1 and not cancelled() and not release.wait(0.01):
                pass  # the export's own thread waits; the test never sleeps

        return run_export(job, handle, progress_then_wait, cancelled, note)  # type: ignore[arg-type]

    monkeypatch.setattr(export_worker, "run_export", held)
    return release


def test_cancel_leaves_no_file(
    make_window: WindowFactory,
    media: Media,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hold_after_first_frame(monkeypatch)
    window = make_window(media["source"], media["long"])
    wait_tracked(qtbot, window)
    out = tmp_path / "exports"
    out.mkdir()
    dialog = _dialog(window, out / "cancelled.mp4", "side-by-side", size=128)
    dialog.start()
    qtbot.waitUntil(lambda: dialog.progress.value() >= 1, timeout=WAIT_MS)
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT_MS)
    assert "cancelled" in dialog.status.text()
    assert dialog.progress.value() == 0  # not left at the last frame done
    assert not window.status.progress.isVisible()
    assert list(out.iterdir()) == []


def test_closing_the_dialog_says_the_export_continues(
    loaded: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = hold_after_first_frame(monkeypatch)
    dialog = _dialog(loaded, tmp_path / "background.mp4")
    assert dialog.start()
    qtbot.waitUntil(lambda: dialog.progress.value() >= 1, timeout=WAIT_MS)
    dialog.close_button.click()
    assert any("continues in the background" in t for _level, t in loaded.status.history)
    assert loaded.status.progress.isVisible()  # progress shows in the main window
    release.set()
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT_MS)
    assert (tmp_path / "background.mp4").exists()
    assert not loaded.status.progress.isVisible()


def test_export_needs_a_tracked_video(
    make_window: WindowFactory, media: Media, qtbot: QtBot, tmp_path: Path
) -> None:
    window = make_window(media["source"])
    qtbot.waitUntil(lambda: window.session.source is not None, timeout=WAIT_MS)
    dialog = _dialog(window, tmp_path / "x.mp4")
    assert not dialog.start()
    assert "driving video" in dialog.status.text()


def _needs_mediapipe() -> None:
    from flowmark_core.metrics.reference_mesh import mediapipe_available

    why = mediapipe_available()
    if why is not None:
        pytest.skip(why)


def test_mesh_expression_export_of_a_photo(
    make_window: WindowFactory, qtbot: QtBot, tmp_path: Path
) -> None:
    _needs_mediapipe()
    import cv2
    import numpy as np

    from flowmark_core.io.video_writer import VideoWriter
    from tests.portraits import grace_hopper

    photo = grace_hopper()
    source = tmp_path / "portrait.png"
    cv2.imwrite(str(source), cv2.resize(photo[:400], (160, 124))[:, :, ::-1])
    driving = tmp_path / "driving.mp4"
    with VideoWriter(driving, fps=10) as writer:
        for t in range(4):  # the photo shifting sideways: a real face that moves
            writer.write(np.ascontiguousarray(np.roll(photo[:480, :480], 4 * t, axis=1)))
    window = make_window(source, driving)
    wait_tracked(qtbot, window)
    dialog = _dialog(window, tmp_path / "hybrid.mp4", "result", size=96)
    assert dialog.mesh_expression.isEnabled()
    assert dialog.mesh_expression.isChecked()  # on by default for a real photo
    assert dialog.start()
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT_MS)
    assert "wrote 4 frames" in dialog.status.text()
    reader = open_video(tmp_path / "hybrid.mp4")
    assert reader.frame_count == 4 and reader.size == (96, 96)


def test_mesh_expression_export_without_a_face_says_so(
    make_window: WindowFactory, media: Media, qtbot: QtBot, tmp_path: Path
) -> None:
    _needs_mediapipe()
    import numpy as np

    from flowmark_core.io.images import write_image

    grey = tmp_path / "grey.png"
    write_image(grey, np.full((64, 64, 3), 128, np.uint8))
    window = make_window(grey, media["driving"])
    wait_tracked(qtbot, window)
    dialog = _dialog(window, tmp_path / "noface.mp4")
    assert not dialog.mesh_expression.isChecked()  # off for anything but a real photo
    dialog.mesh_expression.setChecked(True)
    assert dialog.start()
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT_MS)
    assert "no face found" in dialog.status.text()
    assert "grey.png" in dialog.status.text()
    assert not (tmp_path / "noface.mp4").exists()


def test_export_renders_the_result_as_sharp_as_the_app_shows_it(
    make_window: WindowFactory, qtbot: QtBot, tmp_path: Path
) -> None:
    """With sharp panes (the default) the exported Result is the model's motion applied at
    the source's resolution; without, the model-size output scaled up: the first frame
    (driven by itself, so nearly the source) is closer to the source in the first case."""
    import cv2
    import numpy as np

    from flowmark_core.io.images import read_image
    from flowmark_core.io.video_writer import VideoWriter
    from tests.portraits import grace_hopper

    photo = cv2.resize(grace_hopper()[:512], (256, 256), interpolation=cv2.INTER_AREA)
    source = tmp_path / "portrait.png"
    cv2.imwrite(str(source), photo[:, :, ::-1])
    driving = tmp_path / "driving.mp4"
    with VideoWriter(driving, fps=10) as writer:
        for _ in range(3):
            writer.write(photo)
    window = make_window(source, driving)
    wait_tracked(qtbot, window)
    errors = {}
    for sharp in (True, False):
        window.controller.update_options(sharp=sharp)
        qtbot.waitUntil(lambda s=sharp: window.session.options.sharp == s, timeout=WAIT_MS)
        dialog = _dialog(window, tmp_path / f"sharp-{sharp}.mp4", "result", size=256)
        dialog.mesh_expression.setChecked(False)  # the model alone (on by default for photos)
        assert dialog.start()
        qtbot.waitUntil(lambda d=dialog: not d.running, timeout=WAIT_MS)
        first = next(iter(open_video(tmp_path / f"sharp-{sharp}.mp4")))
        errors[sharp] = float(np.abs(first.astype(float) - read_image(source)).mean())
    assert errors[True] < errors[False]
