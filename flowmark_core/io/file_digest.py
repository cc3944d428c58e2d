"""A short content digest of a file: names a model file in caches and metadata."""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_digest(path: str | Path, length: int = 16) -> str:
    """The first `length` hex digits of a file's SHA-256 (names a model in caches/metadata)."""
    h = hashlib.sha256()
    with Path(path).open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:length]
