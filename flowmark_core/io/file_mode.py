"""Give files written through a private temporary name the permissions a user expects.

`tempfile.mkstemp` creates files readable only by their owner (0600); after the atomic
rename the output would keep that mode. Outputs get 0666 minus the process umask instead,
like a file opened normally.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def current_umask() -> int:
    """The process umask, read without changing it where the system allows."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # fallback: briefly set, then restore
    os.umask(mask)
    return mask


def apply_default_mode(path: str | os.PathLike[str]) -> None:
    """chmod `path` to 0666 & ~umask (ignored where the file system does not support it)."""
    with contextlib.suppress(OSError):
        os.chmod(path, 0o666 & ~current_umask())
