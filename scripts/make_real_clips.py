"""Build the real-clip evaluation folder from the real-media cache (see fetch_real_media.sh).

carphone (120 frames, a man talking in a car) is copied whole; Megamind.avi is cut into its
four shots (cuts at frames 98, 154, 200), each written as a folder of PNG frames, so no clip
spans a cut. No ground truth: score them with `flowmark evaluate OUT` (face-mesh reference).

    python scripts/make_real_clips.py data/real-clips
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import sys
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flowmark_core.data.real_media import real_media_path
from flowmark_core.io.video_reader import open_video

MEGAMIND_CUTS = (0, 98, 154, 200, 270)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", help="new folder of clips")
    args = p.parse_args()
    out = Path(args.out)
    if out.exists():
        raise SystemExit(f"{out}: already exists; choose a new folder")
    tmp = out.with_name(f".{out.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    shutil.copy(real_media_path("carphone.mp4"), tmp / "carphone.mp4")
    frames = list(open_video(real_media_path("megamind.avi")))
    for shot, (start, stop) in enumerate(itertools.pairwise(MEGAMIND_CUTS), 1):
        folder = tmp / f"megamind-shot{shot}"
        folder.mkdir()
        for t, frame in enumerate(frames[start:stop]):
            cv2.imwrite(str(folder / f"{t:06d}.png"), cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    tmp.rename(out)
    print(f"wrote {out}: carphone.mp4 and {len(MEGAMIND_CUTS) - 1} Megamind shots")


if __name__ == "__main__":
    main()
