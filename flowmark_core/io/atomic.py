"""Atomic output files: write to a temporary name beside the target, rename on success.

A crash, an exception or Ctrl-C while writing never leaves a half-written file under the
user's name; the temporary file is removed and an existing target is left untouched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from flowmark_core.errors import OutputFileError
from flowmark_core.io.file_mode import apply_default_mode


def check_writable_dir(path: Path) -> None:
    """Raise `OutputFileError` unless the folder that will hold `path` exists and is writable."""
    parent = path.resolve().parent
    if not parent.exists():
        raise OutputFileError(f"{path}: output folder {parent} does not exist")
    if not parent.is_dir():
        raise OutputFileError(f"{path}: {parent} is not a folder")
    if not os.access(parent, os.W_OK):
        raise OutputFileError(f"{path}: output folder {parent} is not writable")
    if path.is_dir():
        raise OutputFileError(f"{path}: is a folder, expected a file name")


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to `path` (same suffix); rename it to `path` on success.

    On any exception (including KeyboardInterrupt) the temporary file is removed and the
    exception propagates.
    """
    target = Path(path)
    check_writable_dir(target)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}", dir=target.resolve().parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    apply_default_mode(tmp)  # mkstemp makes 0600; outputs get the usual permissions
    try:
        yield tmp
        if not tmp.exists() or tmp.stat().st_size == 0:
            raise OutputFileError(f"{target}: nothing was written")
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
