"""Silence file descriptor 2 around C library calls that write to it themselves.

libpng ("libpng error: Not enough image data", "Write Error") and MediaPipe/TFLite print
straight to file descriptor 2, around Python's `sys.stderr`; flowmark explains those
failures in its own one line, so their text would be a second, unexplained one.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def c_stderr_silenced() -> Iterator[None]:
    """Point file descriptor 2 at /dev/null for the block (Python's own writes are flushed
    first and go on working after it)."""
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no fd 2 at all: nothing to silence
        yield
        return
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 2)
        finally:
            os.close(null)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
