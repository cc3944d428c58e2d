"""Which videos to prepare, and who and where each one comes from (identity, source).

Identities and sources come from a `manifest.tsv` (columns `file`, `identity`,
`source_repo`, paths relative to the manifest's folder, as in the real-faces collection)
found in a given folder or named with `--metadata`; otherwise the identity is the part of the
video's name before `#` (`anna#take2.mp4`, the data set layout's convention) or, without one,
the video itself, and the source is its parent folder's name. An `unknown` identity is its
own person.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from flowmark_core.errors import InputFileError
from flowmark_core.io.frame_folder import list_frame_files, natural_key
from flowmark_core.io.video_reader import VIDEO_EXTENSIONS

MANIFEST_NAME = "manifest.tsv"
UNKNOWN_IDENTITY = "unknown"
_NAME_SAFE = str.maketrans({c: "-" for c in "#/\\ \t:"})


@dataclass(frozen=True)
class SourceVideo:
    """One input video with its labels.

    Attributes:
        path: the video file or frame folder.
        identity: the person (whole identities stay on one side of the split).
        source: where it comes from (whole sources stay on one side of the split).
        folder: the source folder name under the collection (for `--test-sources`).
    """

    path: Path
    identity: str
    source: str
    folder: str

    @property
    def clip_stem(self) -> str:
        """A file-name-safe name for the clips cut from this video."""
        return f"{self.folder}-{self.path.stem}".translate(_NAME_SAFE)


def _safe(text: str) -> str:
    return text.translate(_NAME_SAFE)


def read_metadata(manifest: Path) -> dict[Path, tuple[str, str]]:
    """`file -> (identity, source_repo)` from a manifest, paths resolved.

    Raises:
        InputFileError: unreadable file or missing columns.
    """
    try:
        with manifest.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputFileError(
            f"{manifest}: cannot be read as a tab-separated manifest ({exc})"
        ) from None
    needed = {"file", "identity", "source_repo"}
    if not rows or not needed <= set(rows[0]):
        raise InputFileError(
            f"{manifest}: expected a tab-separated header with columns {', '.join(sorted(needed))}"
        )
    base = manifest.parent
    return {
        (base / row["file"]).resolve(): (row["identity"] or UNKNOWN_IDENTITY, row["source_repo"])
        for row in rows
    }


def _is_video(path: Path) -> bool:
    if path.is_dir():
        return bool(list_frame_files(path))
    return path.suffix.lower() in VIDEO_EXTENSIONS


def _videos_under(folder: Path) -> list[Path]:
    found: list[Path] = []
    for entry in sorted(folder.iterdir(), key=lambda p: natural_key(p.name)):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            found.extend([entry] if list_frame_files(entry) else _videos_under(entry))
        elif entry.suffix.lower() in VIDEO_EXTENSIONS:
            found.append(entry)
    return found


def _find_manifest(inputs: list[Path]) -> Path | None:
    for item in inputs:
        for folder in [item, *item.parents] if item.is_dir() else item.parents:
            candidate = folder / MANIFEST_NAME
            if candidate.is_file():
                return candidate
    return None


def collect_videos(inputs: list[Path], metadata: Path | None = None) -> list[SourceVideo]:
    """Every video under `inputs` (files or folders, searched recursively), labelled.

    Raises:
        InputFileError: an input that does not exist or holds no video; a bad manifest.
    """
    paths: list[Path] = []
    for item in inputs:
        if not item.exists():
            raise InputFileError(f"{item}: no such file or folder")
        if item.is_dir() and not list_frame_files(item):
            found = _videos_under(item)
            if not found:
                raise InputFileError(
                    f"{item}: no videos found (expected {', '.join(VIDEO_EXTENSIONS)} files "
                    "or folders of frames)"
                )
            paths.extend(found)
        elif _is_video(item):
            paths.append(item)
        else:
            raise InputFileError(
                f"{item}: not a video (expected {', '.join(VIDEO_EXTENSIONS)} or a folder of "
                "frames)"
            )
    manifest = metadata or _find_manifest(inputs)
    labels = read_metadata(manifest) if manifest is not None else {}
    videos: list[SourceVideo] = []
    seen: set[Path] = set()
    for path in paths:
        resolved = path.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        folder = path.parent.name
        default = path.stem.split("#", 1)[0] if "#" in path.stem else f"{folder}-{path.stem}"
        identity, source = labels.get(resolved, (default, folder))
        if identity == UNKNOWN_IDENTITY:
            identity = f"{UNKNOWN_IDENTITY}-{folder}-{path.stem}"
        videos.append(SourceVideo(path, _safe(identity), source or folder, folder))
    return videos
