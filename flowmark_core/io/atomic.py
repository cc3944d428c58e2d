"""Atomic output files: write to a temporary name beside the target, rename on success.

A crash, an exception or Ctrl-C while writing never leaves a half-written file under the
user's name; the temporary file is removed and an existing target is left untouched.

Temporary names are `.<stem>.<pid>-<random>.tmp<suffix>`. A SIGKILL cannot be caught, so
the temporary of a killed process stays; the next write to the same target (and
`remove_stale_temporaries`) deletes every temporary of that target whose writing process is
gone. A full disk, a target that cannot be replaced (immutable file, sticky folder of
another owner) and an output that is one of the inputs each end in an `OutputFileError`
naming the target, never the temporary name.

A target that is a symbolic link is written through it: the temporary goes beside the
file the link names and replaces that file, so the link stays a link (and a link to another
file system does not fail at the rename, after all the work). `exclusive=True` never
replaces: the last step links the temporary to the target, and an existing target (another
run that finished first) is refused. Several outputs that belong together are committed as
one set by `flowmark_core.io.output_set.OutputSet`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from flowmark_core.errors import OutputFileError
from flowmark_core.io.file_mode import apply_default_mode
from flowmark_core.io.process_guard import stop_signals_blocked


class OutputGroup(Protocol):
    """A set of outputs committed together (`output_set.OutputSet`): `atomic_output` hands it
    each temporary and leaves the renaming to it."""

    def add(self, tmp: Path, target: Path) -> None:
        """Register a temporary to be renamed to `target` with the rest of the set."""


#: errno values that mean "the disk (or the quota) is full".
NO_SPACE_ERRNOS = (errno.ENOSPC, errno.EDQUOT)
#: Below this many free bytes a failed write is reported as a full disk.
NEARLY_FULL_BYTES = 1 << 20


def check_writable_dir(path: Path) -> None:
    """Raise `OutputFileError` unless the folder that will hold `path` exists and is writable."""
    parent = resolved(path).parent
    if not parent.exists():
        raise OutputFileError(f"{path}: output folder {parent} does not exist")
    if not parent.is_dir():
        raise OutputFileError(f"{path}: {parent} is not a folder")
    if not os.access(parent, os.W_OK):
        raise OutputFileError(f"{path}: output folder {parent} is not writable")
    if path.is_dir():
        raise OutputFileError(f"{path}: is a folder, expected a file name")


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """True when `a` and `b` name one file (after links: symbolic via resolve, hard via inode)."""
    pa, pb = Path(a), Path(b)
    with contextlib.suppress(OSError):
        if pa.exists() and pb.exists():
            return os.path.samefile(pa, pb)
    return resolved(pa) == resolved(pb)


def resolved(path: Path) -> Path:
    """`path.resolve()`, or the absolute path when a symbolic-link loop stops resolving."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


def refuse_output_over_input(
    output: str | os.PathLike[str], *inputs: str | os.PathLike[str] | None
) -> None:
    """Raise `OutputFileError` when `output` resolves to one of `inputs` (would destroy it)."""
    for item in inputs:
        if item is not None and same_file(output, item):
            raise OutputFileError(
                f"{output}: is the input file {item}; writing it would destroy the input "
                "(choose another output name)"
            )


def is_out_of_space(folder: Path, exc: BaseException | None = None) -> bool:
    """True when `exc` says the disk is full; for an error that hides its cause (an encoder's
    exit status, a library's bare failure) when `folder`'s file system is (nearly) full.

    An `OSError` with another errno has its own cause (a cross-device rename, a read-only
    folder) even on a nearly full file system, so it is never reported as a full disk.
    """
    if isinstance(exc, OSError) and exc.errno in NO_SPACE_ERRNOS:
        return True
    if exc is not None and "No space left" in str(exc):
        return True
    if isinstance(exc, OSError) and exc.errno is not None:
        return False
    try:
        return shutil.disk_usage(folder).free < NEARLY_FULL_BYTES
    except OSError:
        return False


def no_space_error(target: Path) -> OutputFileError:
    """The one-line error for a write that failed because the disk is full."""
    return OutputFileError(f"{target}: no space left on {target.resolve().parent}")


def _temporary_pattern(target: Path) -> re.Pattern[str]:
    return re.compile(
        rf"^\.{re.escape(target.stem)}\.(\d+)-[0-9a-f]+\.tmp{re.escape(target.suffix)}$"
    )


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def remove_stale_temporaries(target: str | os.PathLike[str]) -> list[Path]:
    """Delete temporaries of `target` left by processes that no longer run; return them."""
    path = Path(target)
    folder = path.resolve().parent
    pattern = _temporary_pattern(path)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.match(entry.name)
        if match is None or _process_alive(int(match.group(1))):
            continue
        with contextlib.suppress(OSError):
            os.unlink(entry.path)
            removed.append(Path(entry.path))
    return removed


def final_target(path: str | os.PathLike[str]) -> Path:
    """The file an output path names: a symbolic link is followed (written through)."""
    target = Path(path)
    if target.is_symlink():
        try:
            return target.resolve(strict=False)
        except (OSError, RuntimeError):  # a link loop
            raise OutputFileError(
                f"{target}: is a symbolic link that loops; expected a file name"
            ) from None
    return target


def new_temporary(target: Path) -> Path:
    """A new empty file beside `target` named as its temporaries are (removed when stale)."""
    folder = final_target(target).parent
    for _ in range(100):
        name = f".{target.stem}.{os.getpid()}-{secrets.token_hex(4)}.tmp{target.suffix}"
        tmp = folder / name
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno in NO_SPACE_ERRNOS:
                raise no_space_error(target) from None
            raise OutputFileError(
                f"{target}: cannot create a file in {folder} ({exc.strerror})"
            ) from None
        os.close(fd)
        return tmp
    raise OutputFileError(f"{target}: cannot create a temporary file in {folder}")


def _link_exclusive(tmp: Path, target: Path) -> None:
    """Give `tmp` the name `target` only if nothing holds that name yet."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise OutputFileError(
            f"{target}: already exists (another run wrote it meanwhile); not replaced"
        ) from None
    except OSError as exc:
        if exc.errno in NO_SPACE_ERRNOS:
            raise no_space_error(target) from None
        raise OutputFileError(f"{target}: cannot be written ({exc.strerror})") from None
    tmp.unlink()


def replace_output(tmp: Path, target: Path) -> None:
    """Rename the finished temporary `tmp` onto `target` (one-line errors naming it)."""
    try:
        os.replace(tmp, target)
    except OSError as exc:
        if exc.errno in NO_SPACE_ERRNOS:
            raise no_space_error(target) from None
        raise OutputFileError(
            f"{target}: cannot be replaced ({exc.strerror}; is it read-only, immutable, or "
            "owned by someone else in a shared folder?)"
        ) from None


@contextlib.contextmanager
def atomic_output(
    path: str | os.PathLike[str], *, exclusive: bool = False, group: OutputGroup | None = None
) -> Iterator[Path]:
    """Yield a temporary path next to `path` (same suffix); rename it to `path` on success.

    On any exception (including KeyboardInterrupt) the temporary file is removed and the
    exception propagates; a failure caused by a full disk becomes an `OutputFileError`
    saying "no space left on <folder>". `exclusive`: refuse to replace a file that exists
    at the end. `group`: the rename is left to the `OutputSet`, which commits its files
    together (or none of them).
    """
    target = final_target(path)
    check_writable_dir(target)
    remove_stale_temporaries(target)
    tmp: Path | None = None
    try:
        # Ctrl-C/SIGTERM is held while the file is created: acted on between its creation
        # and the assignment (a process descheduled there under load), it left it behind.
        with stop_signals_blocked():
            tmp = new_temporary(target)
            if group is not None:
                group.add(tmp, target)
        yield tmp
        if not tmp.exists() or tmp.stat().st_size == 0:
            raise OutputFileError(f"{target}: nothing was written")
        apply_default_mode(tmp)  # some writers recreate the file (0600); outputs get 0644
        if group is not None:
            return  # renamed with the rest of its set by the group
        if exclusive:
            _link_exclusive(tmp, target)
        else:
            replace_output(tmp, target)
    except BaseException as exc:
        if tmp is None:  # not created
            raise
        full = isinstance(exc, Exception) and is_out_of_space(tmp.parent, exc)
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        if full and not (isinstance(exc, OutputFileError) and "no space left" in str(exc)):
            raise no_space_error(target) from None
        raise
