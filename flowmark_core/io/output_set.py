"""Outputs that belong together (results.json + results.md, OUT-1..OUT-N) committed as a set.

Each file is written through `atomic_output(..., group=the_set)` as usual, but its rename
is left to `OutputSet.commit()`, which renames them all or none: before each rename an
existing target is kept under a backup name (a hard link, a copy where links are not
supported); when a later rename fails, the targets already renamed get their old files
back (or are removed when they had none), so a failure never leaves a mix of two runs.
Leaving the `with` block without a commit (an error, Ctrl-C) removes every temporary.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path
from types import TracebackType

from flowmark_core.io.atomic import new_temporary, replace_output
from flowmark_core.io.process_guard import stop_signals_blocked


class OutputSet:
    """Collects (temporary, target) pairs and renames them together."""

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []

    def add(self, tmp: Path, target: Path) -> None:
        """Register a temporary that `commit()` will rename to `target`."""
        self._pending.append((tmp, target))

    def __enter__(self) -> OutputSet:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._discard()

    def _discard(self) -> None:
        for tmp, _target in self._pending:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        self._pending = []

    def commit(self) -> None:
        """Rename every temporary onto its target; on a failure put the old files back."""
        done: list[tuple[Path, Path | None]] = []  # (target, its backup or None)
        with stop_signals_blocked():  # a signal never splits the set
            try:
                for tmp, target in self._pending:
                    backup = _backup(target)
                    try:
                        replace_output(tmp, target)
                    except BaseException:
                        _drop(backup)
                        raise
                    done.append((target, backup))
            except BaseException:
                for target, backup in reversed(done):
                    _restore(target, backup)
                self._discard()
                raise
            for _target, backup in done:
                _drop(backup)
            self._pending = []


def _backup(target: Path) -> Path | None:
    """A second name for the current `target` (None when there is none to keep)."""
    if not target.exists():
        return None
    backup = new_temporary(target)  # a fresh name of ours (cleaned when stale)
    backup.unlink()
    try:
        os.link(target, backup)
    except OSError:
        shutil.copy2(target, backup)
    return backup


def _restore(target: Path, backup: Path | None) -> None:
    with contextlib.suppress(OSError):
        if backup is None:
            target.unlink()
        else:
            os.replace(backup, target)


def _drop(backup: Path | None) -> None:
    if backup is not None:
        with contextlib.suppress(FileNotFoundError):
            backup.unlink()
