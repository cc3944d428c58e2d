"""Work around a reference-counting bug of some PySide6 builds on Python < 3.12.

PySide6 6.12.0 on Python 3.11 returns `True` from `SignalInstance.emit()` without taking a
reference to it, so every emit from Python (ours and pyqtgraph's) steals one reference to
`True`; after enough frames the interpreter aborts with "bool_dealloc: deallocating True
or False". Python 3.12+ makes `True` immortal, which hides the bug there. We detect the
leak at import and, if present, give `True` a reference count no session can exhaust —
what Python 3.12 does by design.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

_PROBES = 64
_RESERVE = 1 << 48


class _Probe(QObject):
    ping = Signal(int)


def emit_steals_true() -> bool:
    """True when emitting a signal drops a reference to `True` (the PySide bug)."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for i in range(_PROBES):
        probe.ping.emit(i)
    leaked = before - sys.getrefcount(True)
    # pay back what the probe itself stole
    ctypes.c_ssize_t.from_address(id(True)).value += max(leaked, 0)
    return leaked >= _PROBES // 2


def protect_bool_refcounts() -> bool:
    """Apply the workaround when needed; True if it was applied."""
    if sys.version_info >= (3, 12) or not emit_steals_true():
        return False
    ctypes.c_ssize_t.from_address(id(True)).value += _RESERVE
    return True


# Applied on import, before anything emits; imported by the package and by `app`, so it
# also runs when an editable install treats `flowmark_gui` as a namespace package.
APPLIED = protect_bool_refcounts()
