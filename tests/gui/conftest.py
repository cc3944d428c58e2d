"""GUI test setup: temporary settings, a tiny random-weights model, small synthetic media,
and a check that fails any test leaving a worker thread running."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from PySide6.QtCore import QCoreApplication
from pytestqt.qtbot import QtBot

from flowmark_core.adapt.library import LIBRARY_ENV
from flowmark_core.data.synthetic import render_clip
from flowmark_core.io.images import write_image
from flowmark_core.io.video_writer import VideoWriter
from flowmark_gui.state.model_handle import ModelSpec
from flowmark_gui.state.settings import SETTINGS_ENV
from flowmark_gui.window.main_window import MainWindow
from flowmark_gui.workers import WorkerThread, live_workers
from tests.model_configs import compact_config

Media = dict[str, Path]
WindowFactory = Callable[..., MainWindow]

TINY = compact_config()
WAIT_MS = 30000


def leftover_threads(before: set[threading.Thread], grace_s: float = 3.0) -> list[str]:
    """Names of worker threads still running after a grace period."""
    deadline = time.monotonic() + grace_s
    while True:
        workers = [w.objectName() for w in live_workers()]
        threads = [
            t.name
            for t in threading.enumerate()
            if t not in before and t.is_alive() and not t.daemon
        ]
        if not workers and not threads:
            return []
        if time.monotonic() > deadline:
            return workers + threads
        time.sleep(0.05)


@pytest.fixture(autouse=True)
def no_thread_left() -> Iterator[None]:
    """Fail the test if it leaves a worker (QThread) or Python thread running."""
    before = set(threading.enumerate())
    yield
    left = leftover_threads(before)
    if left:
        pytest.fail(f"test left threads running: {', '.join(left)}")


@pytest.fixture(autouse=True)
def one_torch_thread() -> Iterator[None]:
    """Workers run concurrently; one intra-op thread each avoids oversubscription."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(autouse=True)
def temporary_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """QSettings go to a temporary INI file, never the user's."""
    path = tmp_path / "settings.ini"
    monkeypatch.setenv(SETTINGS_ENV, str(path))
    return path


@pytest.fixture(autouse=True)
def temporary_model_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Adapted models and takes go to a temporary library, never the user's."""
    path = tmp_path / "model-library"
    monkeypatch.setenv(LIBRARY_ENV, str(path))
    return path


@pytest.fixture(scope="session")
def tiny_spec() -> ModelSpec:
    return ModelSpec(random_config=TINY, precision="float32")


def _write_video(path: Path, frames: np.ndarray, fps: float = 25.0) -> Path:
    with VideoWriter(path, fps=fps) as writer:
        for frame in frames:
            writer.write(frame)
    return path


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Small synthetic test media: two sources, short and long driving clips, bad files."""
    root = tmp_path_factory.mktemp("media")
    face_a = render_clip("faces", 3, 4, 1, 64).frames[0]
    face_b = render_clip("faces", 5, 6, 1, 64).frames[0]
    clip = render_clip("faces", 7, 8, 40, 64, expressive=True).frames
    write_image(root / "source.png", face_a)
    write_image(root / "other.png", face_b)
    avatars = root / "avatars"
    avatars.mkdir()
    shutil.copy(root / "source.png", avatars / "1.png")
    shutil.copy(root / "other.png", avatars / "2.png")
    (root / "bad.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00garbage" * 50)
    (root / "notes.txt").write_text("not media")
    return {
        "source": root / "source.png",
        "other": root / "other.png",
        "avatars": avatars,
        "driving": _write_video(root / "driving.mp4", clip[:12]),
        "long": _write_video(root / "long.mp4", clip),
        "bad": root / "bad.mp4",
        "text": root / "notes.txt",
    }


@pytest.fixture
def make_window(qtbot: QtBot, tiny_spec: ModelSpec) -> Iterator[Callable[..., object]]:
    """Build main windows (closed, with their workers stopped, at teardown)."""
    windows: list[MainWindow] = []

    def make(
        source: Path | None = None,
        driving: Path | None = None,
        camera: str | None = None,
        spec: ModelSpec | None = None,
    ) -> MainWindow:
        window = MainWindow(spec or tiny_spec, source, driving, camera)
        window.resize(1200, 800)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
        window.deleteLater()


def settle(qtbot: QtBot, worker: WorkerThread) -> None:
    """Wait until `worker` has run every job posted so far and the UI thread has received
    every signal those jobs emitted (a barrier job, then the queued signals are delivered)."""
    reached = threading.Event()
    worker.post(reached.set)
    qtbot.waitUntil(reached.is_set, timeout=WAIT_MS)
    QCoreApplication.processEvents()


def wait_tracked(qtbot: QtBot, window: MainWindow, stabilizer: str | None = None) -> None:
    """Wait until the driving video is tracked (optionally with this stabiliser) and the
    current frame is on screen."""

    def ready() -> bool:
        s = window.session
        if s.track is None or not s.has_current_result():
            return False
        return stabilizer is None or s.track.options.stabilizer == stabilizer

    qtbot.waitUntil(ready, timeout=WAIT_MS)


@pytest.fixture
def loaded(make_window: WindowFactory, media: Media, qtbot: QtBot) -> MainWindow:
    """A window with the tiny model, a source and the short driving video, tracked."""
    window = make_window(media["source"], media["driving"])
    wait_tracked(qtbot, window)
    return window
