"""The resumable record of a `data prepare` run: `DATASET/.prepare-journal.jsonl`.

The first line holds the settings; each further line is one finished input video (its clips
and dropped pieces), appended and flushed to disk when the video is done. A rerun with the
same settings skips the videos recorded; other settings are refused (a data set is made by
one recipe).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from flowmark_core.errors import ConfigError, DatasetError

JOURNAL_NAME = ".prepare-journal.jsonl"


def video_key(path: Path) -> str:
    """Identifies an input video's content by path, size and modification time."""
    st = path.stat()
    return f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"


class Journal:
    """Open (or start) the journal of a data set folder.

    Raises:
        DatasetError: the folder holds other files and no journal (not made by this command).
        ConfigError: the journal was made with other settings.
    """

    def __init__(self, root: Path, settings: dict[str, Any]) -> None:
        self.path = root / JOURNAL_NAME
        self.done: dict[str, dict[str, Any]] = {}
        if self.path.exists():
            lines = self.path.read_text(encoding="utf-8").splitlines()
            recorded = json.loads(lines[0]) if lines else {}
            if recorded != settings:
                changed = sorted(k for k in settings if recorded.get(k) != settings[k])
                raise ConfigError(
                    f"{root}: prepared with other settings ({', '.join(changed) or 'unknown'} "
                    "differ); resume with the same options or choose a new output folder"
                )
            for line in lines[1:]:
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut by a kill: that video is done again
                self.done[entry["key"]] = entry
        else:
            if root.exists() and any(root.iterdir()):
                raise DatasetError(
                    f"{root}: folder is not empty and was not made by `flowmark data prepare`; "
                    "choose a new or empty output folder"
                )
            root.mkdir(parents=True, exist_ok=True)
            self._append(settings)

    def _append(self, entry: dict[str, Any]) -> None:
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def record(self, key: str, entry: dict[str, Any]) -> None:
        """Mark a video done with what it gave."""
        entry = {**entry, "key": key}
        self._append(entry)
        self.done[key] = entry
