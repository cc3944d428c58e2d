"""The per-user model library: where adapted models are kept and what each one is.

The folder is the platform's per-user data folder, the one Qt's
`QStandardPaths.AppDataLocation` gives the app (organisation "flowmark", application
"flowmark-gui"), plus `models/`: on Linux `$XDG_DATA_HOME/flowmark/flowmark-gui/models`
(`~/.local/share/...` without it), on macOS `~/Library/Application Support/...`, on Windows
`%APPDATA%/...`. `FLOWMARK_MODEL_LIBRARY` overrides it (tests, a shared folder). The app
passes Qt's own path; `flowmark adapt` uses these rules, so both see the same models. No
Qt here. Models never go into the user's media folders.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowmark_core.checkpoints import read_checkpoint_header
from flowmark_core.errors import FlowmarkError

LIBRARY_ENV = "FLOWMARK_MODEL_LIBRARY"
ORGANIZATION, APPLICATION = "flowmark", "flowmark-gui"
MODEL_SUFFIX = ".safetensors"


def platform_data_dir() -> Path:
    """The per-user application data folder, as `QStandardPaths.AppDataLocation` has it."""
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        xdg = os.environ.get("XDG_DATA_HOME", "")
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".local" / "share"
    return base / ORGANIZATION / APPLICATION


def library_dir(app_data: Path | None = None) -> Path:
    """The model library folder (not created): `FLOWMARK_MODEL_LIBRARY`, else `models/` in
    `app_data` (the app passes Qt's path), else in `platform_data_dir()`."""
    override = os.environ.get(LIBRARY_ENV)
    if override:
        return Path(override).expanduser()
    return (app_data if app_data is not None else platform_data_dir()) / "models"


def slug(name: str) -> str:
    """A file-name-safe form of a model name ("Anna's take 2" -> "anna-s-take-2")."""
    text = re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-")
    return text[:60] or "my-face"


def new_model_path(folder: Path, name: str) -> Path:
    """A file name for a new model called `name` in `folder` that no file has yet."""
    stem = slug(name)
    candidate, n = folder / f"{stem}{MODEL_SUFFIX}", 2
    while candidate.exists():
        candidate = folder / f"{stem}-{n}{MODEL_SUFFIX}"
        n += 1
    return candidate


@dataclass(frozen=True)
class LibraryModel:
    """One adapted model of the library, from its metadata (no weights read).

    Attributes:
        name: what the user called it; person: whose face it learned.
        created: ISO date and time; take: the clip it learned from.
        held_out_l1 / base_l1: mean L1 redrawing the take's last (unseen) frames, by this
            model and by the model it came from (lower is better; None: not measured).
    """

    path: Path
    name: str
    person: str
    created: str
    take: str
    steps: int
    base: str
    held_out_l1: float | None
    base_l1: float | None

    def card_lines(self) -> list[str]:
        """The model's card as short lines (Model menu tooltip, setup dialog)."""
        lines = [
            f"for this person: {self.person or 'not named'}",
            f"made {self.created.replace('T', ' ')} from {self.take} ({self.steps} steps)",
            f"adapted from {self.base}",
        ]
        if self.held_out_l1 is not None and self.base_l1 is not None:
            lines.append(held_out_text(self.held_out_l1, self.base_l1))
        lines.append(f"file: {self.path}")
        return lines


def held_out_text(adapted: float, base: float) -> str:
    """ "held-out error 0.062 (the model it came from: 0.081, 23 % lower)" and the like."""
    change = (adapted - base) / base * 100 if base > 0 else 0.0
    way = "lower" if change <= 0 else "higher: worse than the model it came from"
    return (
        f"held-out error {adapted:.3f} on the take's last frames (the model it came from: "
        f"{base:.3f}, {abs(change):.0f} % {way})"
    )


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def read_library_model(path: Path) -> LibraryModel | None:
    """The library entry of `path`, or None when it is not an adapted model."""
    try:
        _config, meta = read_checkpoint_header(path)
    except FlowmarkError:
        return None
    adapt = meta.get("adapt")
    if not isinstance(adapt, dict):
        return None
    stored = adapt.get("held_out")
    held: dict[str, Any] = stored if isinstance(stored, dict) else {}
    return LibraryModel(
        path=path,
        name=str(adapt.get("name") or path.stem),
        person=str(adapt.get("person") or ""),
        created=str(adapt.get("created") or ""),
        take=str(adapt.get("video") or ""),
        steps=int(adapt.get("steps") or 0),
        base=Path(str(meta.get("adapted_from") or "?")).stem,
        held_out_l1=_number(held.get("l1")),
        base_l1=_number(held.get("base_l1")),
    )


def library_models(folder: Path) -> list[LibraryModel]:
    """The adapted models in `folder`, newest first (other files are left out)."""
    if not folder.is_dir():
        return []
    entries = [read_library_model(p) for p in folder.glob(f"*{MODEL_SUFFIX}")]
    found = [e for e in entries if e is not None]
    return sorted(found, key=lambda e: (e.created, e.path.name), reverse=True)
