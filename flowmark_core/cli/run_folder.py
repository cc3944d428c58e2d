"""Run folders of train.py and train-prior: checked before any work, held by one run at a time.

A folder that holds a run (its checkpoint files) is only written by `--resume` of that same
folder or by `--overwrite`; a folder inside the data set is refused (the data set would
then hold a "video" that is a run folder); and while a run writes it, the folder is locked
(`flock` on the folder itself: nothing is left behind, and a killed run releases it), so a
second run into the same folder stops at once instead of silently replacing the first one's
checkpoints.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

from flowmark_core.errors import OutputFileError
from flowmark_core.io.atomic import is_out_of_space, no_space_error, resolved


def inside(path: Path, folder: Path) -> bool:
    """True when `path` is `folder` or lies below it (after symbolic links)."""
    a, b = resolved(path), resolved(folder)
    return a == b or b in a.parents


def check_run_folder(
    out: Path,
    run_files: Sequence[str],
    resume: Path | None,
    overwrite: bool,
    data: Path | None = None,
) -> None:
    """Refuse an --out that is a file, inside the data set, not writable, or that holds a
    run other than the one resumed without --overwrite (one line naming it)."""
    if out.exists() and not out.is_dir():
        raise OutputFileError(f"{out}: --out is a file; expected a run folder")
    if data is not None and inside(out, data):
        raise OutputFileError(
            f"{out}: --out is inside the data set {data}; choose a folder outside it"
        )
    held = [name for name in run_files if (out / name).exists()]
    resumes_here = resume is not None and resolved(resume if resume.is_dir() else resume.parent)
    if held and not overwrite and resumes_here != resolved(out):
        how = f"--resume {out}" if resume is None else f"--resume {out} (not {resume})"
        raise OutputFileError(
            f"{out}: already holds a run ({held[0]}); continue it with {how}, "
            "start afresh with --overwrite, or choose another --out"
        )
    existing = resolved(out)
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        raise OutputFileError(f"{out}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK):
        raise OutputFileError(f"{out}: folder {existing} is not writable")


@contextlib.contextmanager
def run_folder_held(out: Path, run_files: Sequence[str]) -> Iterator[bool]:
    """Create `out` if needed and hold it for this run (yields whether it was created).

    Raises:
        OutputFileError: another run holds the folder, or it cannot be created.
    On leaving, a folder this run created is removed again when it holds no checkpoint.
    """
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if is_out_of_space(resolved(out).parent, exc):
            raise no_space_error(out) from None
        raise OutputFileError(f"{out}: cannot create the run folder ({exc.strerror})") from None
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputFileError(
                f"{out}: another run is writing this folder; wait for it to end or choose "
                "another --out"
            ) from None
        try:
            yield created
        finally:
            if created and not any((out / name).exists() for name in run_files):
                with contextlib.suppress(OSError):
                    shutil.rmtree(out)
    finally:
        os.close(fd)
