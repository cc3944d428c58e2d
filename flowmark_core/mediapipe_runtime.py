"""MediaPipe, imported and run without its native log lines on the user's terminal.

MediaPipe 0.10.21's C++ side logs through absl before `absl::InitializeLog()` (which its
Python bindings never call), so every message goes straight to file descriptor 2: the
`W0000 ... inference_feedback_manager.cc:114] Feedback manager requires a model with a
single signature inference` lines, "WARNING: All log messages before absl::InitializeLog()
is called are written to STDERR", and TFLite's "INFO: Created TensorFlow Lite XNNPACK
delegate for CPU". No environment variable reaches them (`GLOG_minloglevel` and
`TF_CPP_MIN_LOG_LEVEL` were tried: absl's log is not glog, and the bindings export no
log-level call), and they are written from the graph's own threads while a solution is built
or runs a frame.

So `import_mediapipe()` (the one way flowmark imports MediaPipe: the face-mesh reference,
faces-photo synthesis and `flowmark track` all go through it) wraps the legacy solutions'
constructor and `process` in `quiet_native_stderr()`. The constructor starts the graph,
whose threads open the calculators (and log) asynchronously: the wrapped constructor waits
until the graph is idle, or the lines came later, e.g. while the caller opened a video. For
the duration of the call, fd 2
points at a temporary file; afterwards it is restored and every captured line that is not
one of those info/warning lines (errors, Python warnings, anything else) is written back to
stderr, so nothing else is lost. The redirect is process-wide, so it is reference-counted
under a lock: nested or concurrent callers share one window.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from typing import Any

from flowmark_core.errors import FlowmarkError

MEDIAPIPE_HINT = (
    "install the face-mesh reference with: .venv/bin/pip install --no-deps mediapipe==0.10.21 "
    '"protobuf>=4.25.3,<5" absl-py attrs flatbuffers (or run `make`)'
)

#: Native lines dropped: absl/glog INFO and WARNING lines (errors are kept), absl's
#: "before InitializeLog" notice and TFLite's INFO lines.
NATIVE_LOG_LINE = re.compile(
    r"^(?:[IW]\d{4} [\d:.]+\s+\d+ \S+:\d+\] "
    r"|WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|INFO: (?:Created TensorFlow Lite|Initialized TensorFlow Lite))"
)

_lock = threading.Lock()
_depth = 0
_saved_fd: int | None = None
_capture: Any = None
_PATCHED = "_flowmark_quiet"


def _begin() -> None:
    global _depth, _saved_fd, _capture
    with _lock:
        _depth += 1
        if _depth > 1:
            return
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError):  # no fd 2 (embedded, closed): nothing to hide
            return
        capture = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115 (closed in _end)
        os.dup2(capture.fileno(), 2)
        _saved_fd, _capture = saved, capture


def _end() -> None:
    global _depth, _saved_fd, _capture
    with _lock:
        _depth -= 1
        if _depth > 0 or _saved_fd is None:
            return
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.flush()
        os.dup2(_saved_fd, 2)
        os.close(_saved_fd)
        capture, _saved_fd, _capture = _capture, None, None
    capture.seek(0)
    text = capture.read().decode("utf-8", errors="replace")
    capture.close()
    kept = [ln for ln in text.splitlines(keepends=True) if not NATIVE_LOG_LINE.match(ln)]
    if kept:
        os.write(2, "".join(kept).encode("utf-8"))


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Hide MediaPipe/absl/TFLite info and warning lines written to fd 2 inside the block.

    Other lines written to stderr meanwhile (by any thread) are shown when the block ends.
    """
    _begin()
    try:
        yield
    finally:
        _end()


def _quietly(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with quiet_native_stderr():
            return method(*args, **kwargs)

    setattr(wrapper, _PATCHED, True)
    return wrapper


def _settled(method: Callable[..., Any]) -> Callable[..., Any]:
    """`method` (which starts the solution's graph) followed by a wait until the graph is
    idle, so the log lines its threads write while opening its calculators come inside the
    quiet window, not after it (seen: they came while the caller opened a video)."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        self._graph.wait_until_idle()
        return result

    return wrapper


def _silence_solutions() -> None:
    """Run every legacy solution's construction and `process` inside `quiet_native_stderr`."""
    from mediapipe.python.solution_base import SolutionBase

    for name in ("__init__", "process", "reset"):
        method = getattr(SolutionBase, name)
        if not getattr(method, _PATCHED, False):
            started = method if name == "process" else _settled(method)
            setattr(SolutionBase, name, _quietly(started))


def import_mediapipe() -> Any:
    """The mediapipe module with quiet solutions; `FlowmarkError` with the install command.

    Raises:
        FlowmarkError: mediapipe is missing or has no legacy solutions (not 0.10.21).
    """
    try:
        with quiet_native_stderr():
            import mediapipe
    except ImportError as exc:
        raise FlowmarkError(f"mediapipe is not installed; {MEDIAPIPE_HINT}") from exc
    if not hasattr(mediapipe, "solutions"):
        raise FlowmarkError(
            f"mediapipe {getattr(mediapipe, '__version__', '?')} has no face mesh "
            f"(legacy solutions); {MEDIAPIPE_HINT}"
        )
    _silence_solutions()
    return mediapipe
