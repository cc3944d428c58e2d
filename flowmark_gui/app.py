"""`flowmark-gui`: parse the command line, create the QApplication and the main window."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from flowmark_core.io.process_guard import signals_handled
from flowmark_core.io.truncated_videos import ACCEPT_TRUNCATED_ENV
from flowmark_core.resources import sample_driving, sample_source
from flowmark_gui.state.model_handle import ModelSpec
from flowmark_gui.state.settings import APPLICATION, ORGANIZATION

EPILOG = """examples:
  flowmark-gui                                  bundled model and sample media
  flowmark-gui --source face.png --driving talk.mp4
  flowmark-gui --camera 0                       puppeteer with webcam 0
  flowmark-gui --camera clip.mp4                a video file stands in for the camera
  flowmark-gui --model vox-cpk.pth.tar --config vox-256.yaml
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="flowmark-gui",
        description="Animate a source image with a driving video or a webcam; inspect and "
        "stabilise keypoints.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--source", type=Path, default=None, help="source image (default: sample)")
    p.add_argument(
        "--driving", type=Path, default=None, help="driving video or frame folder (default: sample)"
    )
    p.add_argument(
        "--camera",
        metavar="PATH_OR_INDEX",
        default=None,
        help="start in camera mode with webcam INDEX, or a video file standing in for it",
    )
    p.add_argument(
        "--model",
        default=None,
        help="bundled model name or checkpoint (.safetensors, or FOMM .pth.tar with --config)",
    )
    p.add_argument("--config", default=None, help="YAML config (needed for FOMM checkpoints)")
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu", help="compute device")
    p.add_argument(
        "--precision", choices=["fast", "float32"], default="fast", help="inference precision"
    )
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        help="PyTorch CPU threads per worker (default: half the CPU cores)",
    )
    p.add_argument(
        "--accept-truncated",
        action="store_true",
        help="use the frames a damaged or cut video decodes (with a note) instead of refusing it",
    )
    return p


def configure_threads(requested: int | None) -> int:
    """CPU threads for inference: the scrubbing, export and camera workers can run at once,
    so each gets a share instead of every one spinning up all cores."""
    import torch

    count = requested if requested and requested > 0 else max(1, (os.cpu_count() or 2) // 2)
    torch.set_num_threads(count)
    return count


def _excepthook_for(app: QApplication) -> object:
    """Report exceptions escaping Qt slots in the status bar instead of dying silently."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        traceback.print_exception(kind, exc, tb)
        window = app.property("flowmark_window")
        session = getattr(window, "session", None)
        if session is not None:
            session.error(f"unexpected error: {kind.__name__}: {exc}".splitlines()[0])

    return hook


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `flowmark-gui`."""
    args = build_parser().parse_args(argv)
    if args.accept_truncated:  # every reader, in every worker thread, for this run
        os.environ[ACCEPT_TRUNCATED_ENV] = "1"
    from flowmark_gui.qt_check import xcb_problem  # before Qt aborts with a page of advice

    problem = xcb_problem()
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    configure_threads(args.threads)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    from flowmark_gui.window.main_window import MainWindow  # after QApplication exists

    spec = ModelSpec(args.model, args.config, args.device, args.precision)
    window = MainWindow(
        spec,
        source=args.source or sample_source(),
        driving=args.driving or sample_driving(),
        camera=args.camera,
    )
    app.setProperty("flowmark_window", window)
    sys.excepthook = _excepthook_for(app)  # type: ignore[assignment]
    with signals_handled(lambda *_: window.close(), [signal.SIGINT]):  # restored after
        wake = QTimer()
        wake.start(250)  # lets Python notice Ctrl-C while Qt's loop runs
        wake.timeout.connect(lambda: None)
        window.show()
        return int(app.exec())


if __name__ == "__main__":
    raise SystemExit(main())
