"""Take the README screenshots of the desktop app from a real window.

Run under a virtual X server at a realistic size (and again at a small one):

    xvfb-run -s "-screen 0 1600x1000x24" .venv/bin/python scripts/take_screenshots.py \
        [--model PATH] [--out docs/screenshots]
    xvfb-run -s "-screen 0 1024x700x24" .venv/bin/python scripts/take_screenshots.py \
        --size 1024x700 --out docs/screenshots/1024x700

Uses the bundled sample media and model (or `--model`); settings go to a temporary file.
With a real portrait (`--portrait`, default: matplotlib's grace_hopper.jpg when installed)
it also shows that photo animated by a real clip (carphone, from the real-media cache; else
the sample clip), with the model the app picks for photos (`real-portrait.png`).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("FLOWMARK_GUI_SETTINGS", str(Path(tempfile.mkdtemp()) / "settings.ini"))
os.environ.setdefault("FLOWMARK_MODEL_LIBRARY", str(Path(tempfile.mkdtemp()) / "models"))

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QWidget

from flowmark_core.data.real_media import real_media_path
from flowmark_core.errors import InputFileError
from flowmark_core.resources import photo_model_name, sample_driving, sample_source
from flowmark_gui.app import configure_threads
from flowmark_gui.state.model_handle import ModelSpec

if TYPE_CHECKING:
    from flowmark_gui.window.main_window import MainWindow

SIZE = (1560, 960)
REAL_FRAME = 80  # carphone: a big head turn and an open mouth around here


def default_portrait() -> Path | None:
    """matplotlib's sample portrait (Grace Hopper), when matplotlib is installed."""
    try:
        import matplotlib
    except ImportError:
        return None
    path = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
    return path if path.is_file() else None


def wait_until(condition: Callable[[], bool], timeout: float = 120.0) -> None:
    """Run the event loop until `condition()` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not get there in time")
        QApplication.processEvents()
        time.sleep(0.01)


def settle(seconds: float = 0.6) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)


def grab(widget: QWidget, path: Path, rect: QRect | None = None) -> None:
    """Save what the screen shows of `widget` (or of `rect` in screen coordinates)."""
    settle()
    screen = QApplication.primaryScreen()
    if rect is not None:
        area = rect
    elif widget.isWindow():
        area = widget.frameGeometry()
    else:
        area = QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())
    shot = screen.grabWindow(0, area.x(), area.y(), area.width(), area.height())
    shot.save(str(path))
    print(f"wrote {path} ({area.width()}x{area.height()})")


def real_driving() -> Path | None:
    """The real driving clip (carphone) when the real-media cache has it."""
    try:
        return real_media_path("carphone.mp4")
    except InputFileError:
        return None


def model_is(window: MainWindow, name: str) -> bool:
    """Whether the loaded model is the bundled model `name`."""
    model = window.session.model
    path = None if model is None else model.info.path
    return path is not None and Path(path).stem == name


def ready(window: MainWindow) -> bool:
    s = window.session
    return s.track is not None and s.has_current_result()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="checkpoint (default: bundled model)")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--size", default=None, help="window size WxH (default 1560x960)")
    parser.add_argument("--portrait", type=Path, default=default_portrait())
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x")) if args.size else SIZE
    args.out.mkdir(parents=True, exist_ok=True)
    configure_threads(None)
    app = QApplication(sys.argv[:1])  # noqa: F841 (kept alive for the run)
    from flowmark_gui.window.main_window import MainWindow

    window = MainWindow(ModelSpec(args.model), sample_source(), sample_driving())
    origin = 0 if args.size else 20  # a small screen is filled, a big one has a margin
    window.setGeometry(origin, origin, *size)
    window.show()
    wait_until(lambda: ready(window))
    session = window.session
    session.set_index(37)
    wait_until(lambda: session.displayed is not None and session.displayed.index == 37)
    session.set_selection((2, 6))
    grab(window, args.out / "first-screen.png")

    session.set_overlays(heatmaps=True, heatmap_opacity=0.9)
    window.controls.overlays.checks["motion"].setChecked(True)
    grab(window, args.out / "heatmap-overlay.png")
    session.set_overlays(heatmaps=False, motion=False)

    window.controller.update_options(stabilizer="flow", stabilizer_params={})
    wait_until(lambda: ready(window) and session.track.options.stabilizer == "flow")
    dock = window.trajectory_dock
    grab(dock, args.out / "trajectories-stabilised.png")
    window.controller.update_options(stabilizer="none", stabilizer_params={})
    wait_until(lambda: ready(window) and session.track.options.stabilizer == "none")
    grab(dock, args.out / "trajectories-raw.png")

    window.controller.update_options(stabilizer="flow", stabilizer_params={})
    wait_until(lambda: ready(window) and session.track.options.stabilizer == "flow")
    grab(window, args.out / "stabilised-window.png")
    dialog = window.show_export()
    dialog.path.setText(str(Path(tempfile.mkdtemp()) / "source-driving.mp4"))
    dialog.size.setValue(512)
    dialog.layout_box.setCurrentIndex(dialog.layout_box.findData("side-by-side"))
    frame = window.frameGeometry()  # centred on the window, whatever its size
    dialog.move(
        frame.x() + (frame.width() - dialog.width()) // 2,
        frame.y() + (frame.height() - dialog.height()) // 2,
    )
    dialog.start()
    wait_until(lambda: dialog.progress.value() >= 30)
    grab(window, args.out / "export-dialog.png")
    wait_until(lambda: not dialog.running, timeout=300)
    dialog.hide()

    if args.portrait is not None:
        # A real photo driven by a real clip (carphone, package media, when cached): the app
        # picks the photo model by itself; the window is grabbed once it is in use.
        driving = real_driving()
        if driving is not None:
            window.controller.open_path(driving)
            wait_until(lambda: session.driving is not None and session.driving.path == driving)
        window.controller.open_path(args.portrait)
        wait_until(lambda: session.source is not None and session.source.path == args.portrait)
        if window.controller.app_switches_for_photos():
            wait_until(lambda: model_is(window, photo_model_name()))
        session.set_index(REAL_FRAME if driving is not None else 37)
        wait_until(lambda: ready(window) and session.displayed.index == session.index)
        session.set_selection(())
        grab(window, args.out / "real-portrait.png")

    window.camera.add_source(str(sample_driving()))
    window.set_mode("camera")
    controls = window.camera_panel.controls
    controls.source.setCurrentIndex(controls.source.findData(str(sample_driving())))
    controls.ghost.setValue(30)
    controls.start.click()
    wait_until(lambda: window.camera.frames_seen >= 40)
    grab(window, args.out / "camera-mode.png")

    window.set_mode("video")
    window.model_adapter.begin()  # Model ▸ Learn My Face…
    setup = window.model_adapter.setup
    setup.name.setText("Grace")
    setup.move(
        frame.x() + (frame.width() - setup.width()) // 2,
        frame.y() + (frame.height() - setup.height()) // 2,
    )
    grab(window, args.out / "learn-my-face.png")
    setup.reject()
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
