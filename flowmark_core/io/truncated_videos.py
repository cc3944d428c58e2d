"""Whether a video that decodes short of its header is refused or used as far as it decodes.

One switch for every reader (`FileVideoReader` checks it when a video ends early), kept in
an environment variable so that spawned workers (DataLoader, synth) see the same choice;
`flowmark ... --accept-truncated` turns it on for its run. Light to import (no OpenCV).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

#: "1": use the frames a damaged or cut video decodes (with a note); unset or "0": refuse it.
ACCEPT_TRUNCATED_ENV = "FLOWMARK_ACCEPT_TRUNCATED"


def truncated_videos_accepted() -> bool:
    """True when damaged or cut videos are used as far as they decode."""
    return os.environ.get(ACCEPT_TRUNCATED_ENV, "") not in ("", "0")


@contextlib.contextmanager
def accepting_truncated_videos(accept: bool = True) -> Iterator[None]:
    """Within the block, a video that decodes short of its header is used (with a note) when
    `accept`, refused with `TruncatedVideoError` otherwise; the previous choice is restored."""
    previous = os.environ.get(ACCEPT_TRUNCATED_ENV)
    os.environ[ACCEPT_TRUNCATED_ENV] = "1" if accept else "0"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(ACCEPT_TRUNCATED_ENV, None)
        else:
            os.environ[ACCEPT_TRUNCATED_ENV] = previous
