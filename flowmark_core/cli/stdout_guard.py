"""stdout that cannot turn a finished command into a failure.

The "wrote ..." line comes after the output was committed; a reader that left (`| head`),
a full device behind `> file` or an encoding that cannot spell a file name must not make
the command fail (exit 1 "internal error", or 2) after its work is done. Encoding errors
are escaped; the first failed write stops further stdout writes and is remembered, so the
command finishes and `problem()` says what happened (a reader that left is no problem).
"""

from __future__ import annotations

import errno
from typing import Any, TextIO


class ForgivingStdout:
    """Wraps a text stream; write/flush never raise OSError (see the module docstring)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.error: OSError | None = None
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")

    def write(self, text: str) -> int:
        if self.error is None:
            try:
                self._stream.write(text)
            except OSError as exc:
                self.error = exc
        return len(text)

    def flush(self) -> None:
        if self.error is None:
            try:
                self._stream.flush()
            except OSError as exc:
                self.error = exc

    def problem(self) -> str | None:
        """A note for a failed stdout write, None when there was none or the reader left."""
        if self.error is None or self.error.errno == errno.EPIPE:
            return None
        return f"standard output could not be written ({self.error.strerror}); the work was done"

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
