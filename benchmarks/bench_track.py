"""Face-mesh tracking speed on a 640x480 video: `flowmark track --detector mediapipe-face`.

Makes a 640x480 clip of a real portrait (matplotlib's Grace Hopper sample) moving smoothly
(translation, zoom, a small rotation) and encodes it to mp4. Then, for each core count, a
fresh process pinned to that many CPUs (`sched_setaffinity`: MediaPipe's legacy API has no
thread setting, so cores are what can be limited) runs the face mesh (478 points, video
mode) over it twice: end to end as the command does (decode + detect + keep the points) and
on its first 300 frames decoded beforehand (detector only). Reports frames per second, the
share of frames with a face and the peak memory of the end-to-end pass, with the load average (the machine may be shared).
Writes the `track` section of docs/benchmarks.md.

    .venv/bin/python benchmarks/bench_track.py [--frames 300] [--cores 1,2] [--video PATH]

`--video` adds a row for another video (its own size), e.g. a long real clip.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2
import numpy as np

SIZE = (640, 480)
#: Frames decoded beforehand for the detector-only pass (held in memory).
DETECT_ONLY_FRAMES = 300


def make_clip(path: Path, frames: int) -> None:
    """The portrait moving over a 640x480 frame for `frames` frames at 30 fps."""
    import matplotlib

    from flowmark_core.io.video_writer import VideoWriter

    photo = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
    face = cv2.resize(cv2.imread(str(photo))[:, :, ::-1], (300, 352))
    w, h = SIZE
    with VideoWriter(path, fps=30) as writer:
        for t in range(frames):
            phase = 2 * np.pi * t / 90
            scale = 1.0 + 0.08 * np.sin(phase / 2)
            angle = 6.0 * np.sin(phase)
            centre = (w / 2 + 60 * np.sin(phase), h / 2 + 20 * np.cos(phase))
            m = cv2.getRotationMatrix2D((150, 176), angle, scale)
            m[:, 2] += np.array(centre) - (150, 176)
            frame = cv2.warpAffine(face, m, (w, h), borderMode=cv2.BORDER_REFLECT_101)
            writer.write(np.ascontiguousarray(frame))


def worker(video: str, cores: int) -> dict:
    """Run in a child pinned to `cores` CPUs: end-to-end and detector-only fps."""
    os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:cores])
    from flowmark_core.io.video_reader import open_video
    from flowmark_core.landmarks.mediapipe_detector import MediaPipeDetector
    from flowmark_core.landmarks.tracking import track_video

    clip = open_video(video)
    start = time.perf_counter()
    track = track_video(clip, "mediapipe-face")
    end_to_end = track.num_frames / (time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    frames = list(itertools.islice(clip, DETECT_ONLY_FRAMES))
    detector = MediaPipeDetector("mediapipe-face")
    try:
        start = time.perf_counter()
        for frame in frames:
            detector.detect(frame)
        detect_only = len(frames) / (time.perf_counter() - start)
    finally:
        detector.close()
    return {
        "frames": track.num_frames,
        "size": list(clip.size),
        "found": float(track.found().any(axis=1).mean()),
        "end_to_end_fps": end_to_end,
        "detect_fps": detect_only,
        "peak_mb": peak_mb,
    }


def run_child(video: Path, cores: int) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--worker", str(video), "--cores", str(cores)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "OMP_NUM_THREADS": str(cores)},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--cores", default="1,2", help="comma-separated core counts")
    parser.add_argument("--video", default=None, help="also time this video (2 cores)")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, int(args.cores))))
        return
    from benchmarks.report import table, write_section

    counts = [int(c) for c in args.cores.split(",")]
    load = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "portrait_640x480.mp4"
        make_clip(clip, args.frames)
        runs = [(f"portrait 640x480, {args.frames} frames", clip, c) for c in counts]
        if args.video:
            runs.append((Path(args.video).name, Path(args.video), max(counts)))
        for label, video, cores in runs:
            r = run_child(video, cores)
            rows.append(
                [
                    label,
                    f"{r['size'][0]}x{r['size'][1]}",
                    str(cores),
                    f"{r['found'] * 100:.0f}%",
                    f"{r['end_to_end_fps']:.1f}",
                    f"{r['detect_fps']:.1f}",
                    f"{r['peak_mb']:.0f}",
                ]
            )
            print(" | ".join(rows[-1]), flush=True)
    headers = ["video", "size", "cores", "face found", "track fps", "detector fps", "peak MB"]
    body = (
        "## Landmark tracking (`benchmarks/bench_track.py`)\n\n"
        "`flowmark track --detector mediapipe-face` (MediaPipe 0.10.21 face mesh with iris, "
        "478 points, video mode). *track fps*: decode + detect + keep the points, as the "
        "command runs; *detector fps*: the first 300 frames decoded beforehand; *peak MB*: "
        "the whole process after the end-to-end pass. Cores limited by CPU "
        "affinity (MediaPipe's legacy API has no thread setting). Target: >= 30 fps at "
        f"640x480 on two cores. {os.cpu_count()} CPUs, load average {load:.1f} at the start "
        "(the machine is shared: numbers on an idle machine are higher).\n\n" + table(headers, rows)
    )
    write_section("track", body)


if __name__ == "__main__":
    main()
