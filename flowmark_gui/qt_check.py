"""Before the window opens: can Qt's xcb platform plugin load? On a fresh Debian/Ubuntu it
often cannot (missing X11 client libraries) and Qt aborts with "Could not load the Qt
platform plugin xcb" and a page of advice. This finds the missing libraries first and
names the one `apt-get install` line that adds them."""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

# library file -> Debian/Ubuntu package
PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
}
# Loaded by Qt >= 6.5 at run time (dlopen), so `ldd` does not list it.
DLOPENED = ("libxcb-cursor.so.0",)
_NOT_FOUND = re.compile(r"^\s*(\S+)\s*=>\s*not found", re.MULTILINE)


def wants_xcb(env: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """True when Qt will pick the xcb (X11) platform plugin."""
    if not sys.platform.startswith("linux"):
        return False
    platform = env.get("QT_QPA_PLATFORM", "").strip().lower()
    if platform:
        return platform.split(";")[0].startswith("xcb")
    return env.get("XDG_SESSION_TYPE", "").lower() != "wayland"


def missing_from_ldd(ldd_output: str) -> list[str]:
    """Libraries `ldd` reports as "not found", each once, in order."""
    return list(dict.fromkeys(_NOT_FOUND.findall(ldd_output)))


def install_line(libraries: list[str]) -> str:
    """The apt-get line installing the packages that hold `libraries`."""
    packages = dict.fromkeys(PACKAGES.get(lib, lib) for lib in libraries)
    return "sudo apt-get install -y " + " ".join(packages)


def _xcb_plugin() -> Path | None:
    import PySide6

    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return plugin if plugin.is_file() else None


def _loadable(library: str) -> bool:
    try:
        ctypes.CDLL(library)
    except OSError:
        return False
    return True


def xcb_problem() -> str | None:
    """One line naming the missing libraries and the command adding them, or None when the
    xcb plugin can load (or is not the one Qt will use, or cannot be checked)."""
    if not wants_xcb():
        return None
    plugin = _xcb_plugin()
    ldd = shutil.which("ldd")
    if plugin is None or ldd is None:
        return None
    try:
        out = subprocess.run(
            [ldd, str(plugin)], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    missing = missing_from_ldd(out) + [lib for lib in DLOPENED if not _loadable(lib)]
    if not missing:
        return None
    return (
        f"flowmark-gui: Qt's X11 (xcb) platform plugin cannot load, these libraries are "
        f"missing: {', '.join(missing)}; install them with: {install_line(missing)}"
    )
