"""Fault campaign 3, RC10: interrupting `flowmark data fetch-real` left its
/tmp/flowmark-real-media.* folder (96 MB a try): the script was SIGKILLed, so its
`trap 'rm -rf "$WORK"' EXIT` never ran. Now it gets SIGTERM and runs its trap."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

#: Stands in for scripts/fetch_real_media.sh: its work folder and trap, then a long download.
SCRIPT = """
WORK=$(mktemp -d "$TMPDIR/flowmark-real-media.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
echo "$WORK" > "$FIFO"
sleep 600
"""


def test_an_interrupted_fetch_removes_its_work_folder(tmp_path: Path) -> None:
    script, fifo = tmp_path / "fetch.sh", tmp_path / "fifo"
    script.write_text(SCRIPT)
    os.mkfifo(fifo)
    driver = textwrap.dedent(f"""
        import flowmark_core.data.real_media as real_media
        from pathlib import Path
        from flowmark_core.cli.main import main
        real_media.FETCH_SCRIPT = Path({str(script)!r})
        raise SystemExit(main(["data", "fetch-real"]))
    """)
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT), TMPDIR=str(tmp_path),
               FIFO=str(fifo), FLOWMARK_REAL_MEDIA=str(tmp_path / "cache"))  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-c", driver], env=env, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)  # fmt: skip
    try:
        with open(fifo) as f:  # blocks until the script made its folder
            work = Path(f.read().strip())
        assert work.is_dir()
        proc.send_signal(signal.SIGTERM)  # to flowmark only, as `kill PID` does
        _, err = proc.communicate(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == 130, err
    assert not work.exists()
