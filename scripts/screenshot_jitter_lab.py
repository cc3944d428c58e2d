"""Take the Jitter Lab screenshot of the README from a real window.

Run under a virtual X server:

    xvfb-run -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_jitter_lab.py \
        VIDEO TRACK [--frame N] [--region lips] [--out docs/screenshots/jitter-lab.jpg]

Opens VIDEO and TRACK in the lab, runs two filters (A: flow-offline, B: one-euro), selects
a region, shows frame N and saves the window (JPEG; PNG by the extension, ~5 MB).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("FLOWMARK_GUI_SETTINGS", str(Path(tempfile.mkdtemp()) / "settings.ini"))

from PySide6.QtWidgets import QApplication

SIZE = (1600, 1000)


def wait_until(condition: Callable[[], bool], timeout: float = 900.0) -> None:
    """Run the event loop until `condition()` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the lab did not get there in time")
        QApplication.processEvents()
        time.sleep(0.01)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", type=Path)
    parser.add_argument("track", type=Path)
    parser.add_argument("--frame", type=int, default=None, help="frame shown (default: middle)")
    parser.add_argument("--region", default="lips")
    parser.add_argument("--filters", default="flow-offline,one-euro", help="A,B")
    parser.add_argument(
        "--colouring", choices=("region", "acceleration", "jitter"), default="region"
    )
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots/jitter-lab.jpg"))
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    from flowmark_gui.jitter_lab import JitterLabWindow
    from flowmark_gui.jitter_lab.state import COLOURINGS

    lab = JitterLabWindow()
    lab.setGeometry(0, 0, *SIZE)
    lab.show()
    lab.open_files(args.video, args.track)
    wait_until(lambda: lab.state.data is not None and not lab.controller.busy)
    if lab.errors:
        raise SystemExit(lab.errors[-1])
    lab.run_filters([(name, "") for name in args.filters.split(",")])
    wait_until(lambda: not lab.controller.busy)
    if lab.errors:
        raise SystemExit(lab.errors[-1])
    lab.regions.select_regions([args.region])
    wait_until(lambda: lab.state.jitter is not None)
    lab.panel.colouring.setCurrentIndex(COLOURINGS.index(args.colouring))
    frame = args.frame if args.frame is not None else lab.state.length // 2
    lab.state.set_index(frame)
    wait_until(lambda: lab.canvas.shown_index == frame)
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:  # let the last paints land
        app.processEvents()
        time.sleep(0.01)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    shot = lab.grab()
    shot.save(str(args.out), quality=90)
    print(f"wrote {args.out} ({shot.width()}x{shot.height()})")
    lab.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
