"""Jitter Lab responsiveness: the time to open a 478-point x 5,000-frame track over its
video, and the scrub rate (frames shown per second) forwards and by random jumps.

The video is synthetic (a moving textured pattern, 640x480); the track is a face-mesh
sized random walk written by the core writers as a plain CSV and as NPZ. *Open* runs from
the request to the first frame on screen with its points (reading and matching on the
worker, then the first decode; the per-point jitter follows on the worker). *Scrub*: frame i
is asked for once frame i-1 is on screen with its points. Wall clock and CPU time are both
reported (the machine may be shared). Targets: open <= 3 s, scrub >= 30 frames/s.
Prints a Markdown table and writes it to docs/benchmarks.md.

Run: `QT_QPA_PLATFORM=offscreen python benchmarks/bench_jitter_lab.py [--frames 5000]`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("FLOWMARK_GUI_SETTINGS", str(Path(tempfile.mkdtemp()) / "settings.ini"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from PySide6.QtWidgets import QApplication

from benchmarks.report import machine, table, write_section
from flowmark_core.io.video_writer import VideoWriter
from flowmark_core.landmarks.formats import write_track
from flowmark_core.landmarks.layouts import mediapipe_layout
from flowmark_core.landmarks.track import DetectorTrack

WIDTH, HEIGHT, POINTS, FPS = 640, 480, 478, 30.0


def run_loop(until: Callable[[], bool], timeout_s: float = 600.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not until():
        if time.monotonic() > deadline:
            raise TimeoutError("the lab did not get there in time")
        QApplication.processEvents()
        time.sleep(0.0005)


def make_video(path: Path, frames: int) -> None:
    """A textured pattern drifting a pixel per frame (every frame differs, as real video)."""
    rng = np.random.default_rng(0)
    texture = rng.integers(0, 256, (HEIGHT // 8 + 2, WIDTH // 8 + 2, 3), dtype=np.uint8)
    texture = np.kron(texture, np.ones((8, 8, 1), dtype=np.uint8))
    with VideoWriter(path, fps=FPS) as writer:
        for t in range(frames):
            dx, dy = t % 16, (t // 3) % 16
            writer.write(np.ascontiguousarray(texture[dy : dy + HEIGHT, dx : dx + WIDTH]))


def make_track(frames: int) -> DetectorTrack:
    """478 points on a face-sized patch, a smooth drift plus detector-like noise."""
    rng = np.random.default_rng(1)
    base = rng.uniform([200, 120], [440, 380], size=(POINTS, 2))
    drift = np.cumsum(rng.normal(0, 0.3, size=(frames, 1, 2)), axis=0)
    drift = np.clip(drift, -100, 100)
    points = base[None] + drift + rng.normal(0, 0.8, size=(frames, POINTS, 2))
    detector, names, groups = mediapipe_layout(POINTS)  # type: ignore[misc]
    return DetectorTrack(points, names=names, groups=groups, detector=detector, fps=FPS,
                         frame_size=(WIDTH, HEIGHT))  # fmt: skip


def on_screen(lab: object, index: int) -> Callable[[], bool]:
    return lambda: lab.canvas.shown_index == index  # type: ignore[attr-defined]


def open_time(lab: object, video: Path, track: Path) -> tuple[float, float, float]:
    """(wall s to the first frame with points, CPU s of the process, wall s until the
    points' jitter is measured too)."""
    start, cpu = time.perf_counter(), time.process_time()
    lab.open_files(video, track)  # type: ignore[attr-defined]
    state = lab.state  # type: ignore[attr-defined]
    run_loop(lambda: state.data is not None and state.data.track_path == track)
    run_loop(on_screen(lab, lab.state.index))  # type: ignore[attr-defined]
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    run_loop(lambda: lab.state.jitter is not None)  # type: ignore[attr-defined]
    return wall, used, time.perf_counter() - start


def scrub_rate(lab: object, indices: list[int]) -> tuple[float, float]:
    """(frames/s on the wall clock, frames per CPU second of the process)."""
    start, cpu = time.perf_counter(), time.process_time()
    for i in indices:
        lab.state.set_index(i)  # type: ignore[attr-defined]
        run_loop(on_screen(lab, i))
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    return len(indices) / wall, len(indices) / used


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=5000)
    parser.add_argument("--scrub", type=int, default=300, help="frames stepped through")
    parser.add_argument("--jumps", type=int, default=60, help="random jumps")
    parser.add_argument("--work", type=Path, default=None, help="folder for the media")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-jitter-lab-"))
    work.mkdir(parents=True, exist_ok=True)
    video = work / "synthetic.mp4"
    if not video.exists():
        make_video(video, args.frames)
    track = make_track(args.frames)
    paths = {"plain CSV": work / "track.csv", "NPZ": work / "track.npz"}
    for path in paths.values():
        if not path.exists():
            write_track(track, path)
    app = QApplication(sys.argv[:1])  # noqa: F841 (kept alive for the run)
    from flowmark_gui.jitter_lab import JitterLabWindow

    lab = JitterLabWindow()
    lab.resize(1600, 1000)
    lab.show()
    load = os.getloadavg()
    rows = []
    for label, path in paths.items():
        wall, used, jitter = open_time(lab, video, path)
        size = f"{path.stat().st_size / 1e6:.0f} MB"
        rows.append([f"open, {label} ({size})", f"{wall:.2f} s", f"{used:.2f} s"])
        rows.append([f"… and each point's jitter measured ({label})", f"{jitter:.2f} s", "–"])
        print(rows[-2:], flush=True)
    lab.regions.select_regions(["lips"])  # the scrub draws a selection's rings too
    start = args.frames // 3
    forward, per_cpu = scrub_rate(lab, list(range(start, start + args.scrub)))
    rows.append([f"scrub forwards ({args.scrub} frames)", f"{forward:.1f} frames/s",
                 f"{per_cpu:.1f} frames/CPU-s"])  # fmt: skip
    rng = np.random.default_rng(2)
    jumps = [int(i) for i in rng.integers(0, args.frames, args.jumps)]
    jumping, per_cpu = scrub_rate(lab, jumps)
    rows.append([f"scrub by random jumps ({args.jumps})", f"{jumping:.1f} frames/s",
                 f"{per_cpu:.1f} frames/CPU-s"])  # fmt: skip
    draws = []
    for i in range(start, start + 200):
        t0 = time.perf_counter()
        lab.canvas.draw_points(i)
        draws.append(time.perf_counter() - t0)
    draw_ms = 1000 * float(np.median(draws))
    rows.append(["points drawn per frame (UI thread, median)", f"{draw_ms:.1f} ms", "–"])
    lab.close()
    load_end = os.getloadavg()
    body = (
        "## Jitter Lab (`benchmarks/bench_jitter_lab.py`)\n\n"
        f"A {POINTS}-point x {args.frames}-frame track over a synthetic {WIDTH}x{HEIGHT} "
        f"H.264 video, offscreen. Machine: {machine()}, {os.cpu_count()} CPUs, load average "
        f"{load[0]:.1f} at the start and {load_end[0]:.1f} at the end (the machine is shared "
        "with training runs: numbers on an idle machine are higher). *Open*: from the request "
        "to the first frame on screen with its points (read and match on the worker, then the "
        "first decode); the per-point jitter (a 9-frame low-pass of every point) is measured "
        "on the worker after that, the lab usable meanwhile. *Scrub*: the next frame is asked "
        "for once the last is on screen with its points (decoding on the frame worker). *CPU*: "
        "the process's CPU time (all threads) over the same span, what an idle two-core "
        "machine would need at most on the wall clock. Targets: open <= 3 s, scrub >= 30 "
        "frames/s.\n\n" + table(["measure", "wall clock", "CPU"], rows)
    )
    print(body)
    write_section("jitter-lab", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
