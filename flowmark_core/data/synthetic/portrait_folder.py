"""A folder of portrait photos as face sources for `faces-photo`: who is in each photo.

Every `.jpg`/`.jpeg`/`.png` under the folder (searched recursively, hidden entries skipped) is
one portrait. Identities come from the nearest `manifest.tsv` in the folder or above it
(columns `file`, `identity`, `source_repo`, paths relative to the manifest's folder, as in the
real-faces collection); a file the manifest does not list, or one labelled `unknown`, is its
own person. Identity labels are compared in the same file-name-safe form `data prepare`
writes (`#`, `/`, `\\`, space, tab and `:` become `-`), so a prepared data set's identities
can be excluded by name.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from flowmark_core.data.prepare.sources import MANIFEST_NAME, UNKNOWN_IDENTITY, read_metadata
from flowmark_core.errors import InputFileError
from flowmark_core.io.frame_folder import natural_key

PORTRAIT_EXTENSIONS: tuple[str, ...] = (".jpg", ".jpeg", ".png")
_KEY = str.maketrans({c: "-" for c in "#/\\ \t:"})


def identity_key(label: str) -> str:
    """An identity label in its file-name-safe form (how identities are compared)."""
    return label.strip().translate(_KEY)


@dataclass(frozen=True)
class Portrait:
    """One portrait photo.

    Attributes:
        path: the image file.
        name: its path relative to the portraits folder (posix), for reports.
        identity: the person (`identity_key` form).
    """

    path: Path
    name: str
    identity: str


def _images_under(folder: Path) -> list[Path]:
    found: list[Path] = []
    for entry in sorted(folder.iterdir(), key=lambda p: natural_key(p.name)):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            found.extend(_images_under(entry))
        elif entry.suffix.lower() in PORTRAIT_EXTENSIONS and entry.is_file():
            found.append(entry)
    return found


def find_manifest(folder: Path) -> Path | None:
    """The nearest `manifest.tsv` in `folder` or one of its parents."""
    for candidate in (folder, *folder.parents):
        manifest = candidate / MANIFEST_NAME
        if manifest.is_file():
            return manifest
    return None


def collect_portraits(folder: Path) -> list[Portrait]:
    """Every portrait under `folder`, labelled with its identity (see the module doc).

    Raises:
        InputFileError: the folder is missing or holds no portrait; a bad manifest.
    """
    if not folder.is_dir():
        raise InputFileError(f"--portraits {folder}: no such folder")
    paths = _images_under(folder)
    if not paths:
        raise InputFileError(
            f"--portraits {folder}: no portraits found (expected {', '.join(PORTRAIT_EXTENSIONS)}"
            " files)"
        )
    manifest = find_manifest(folder.resolve())
    labels = read_metadata(manifest) if manifest is not None else {}
    portraits = []
    for path in paths:
        name = path.relative_to(folder).as_posix()
        label = labels.get(path.resolve(), (UNKNOWN_IDENTITY, ""))[0]
        own = label == UNKNOWN_IDENTITY or not label.strip()
        identity = identity_key(f"{UNKNOWN_IDENTITY}-{name}" if own else label)
        portraits.append(Portrait(path, name, identity))
    return portraits


def _identities_in_table(path: Path, text: str) -> set[str]:
    """Identities of a tab-separated table with an `identity` column (test rows only when it
    has a `split` column, as a `data prepare` manifest does)."""
    rows = list(csv.DictReader(text.splitlines(), delimiter="\t"))
    if not rows or "identity" not in rows[0]:
        raise InputFileError(f"--exclude-identities {path}: no 'identity' column in its header")
    if "split" in rows[0]:
        rows = [row for row in rows if row["split"] == "test"]
    return {identity_key(row["identity"]) for row in rows if row["identity"]}


def read_identity_list(spec: str) -> set[str]:
    """Identities named by `--exclude-identities`: a comma-separated list, or a file.

    A file holds one identity per line (commas also separate; `#` starts a comment), or is a
    tab-separated table with an `identity` column (a `data prepare` manifest: its test rows).

    Raises:
        InputFileError: the file cannot be read, or a table has no `identity` column.
    """
    path = Path(spec)
    if not path.is_file():
        if path.suffix.lower() in (".txt", ".tsv", ".csv") or "/" in spec:
            raise InputFileError(f"--exclude-identities {spec}: no such file")
        return {identity_key(item) for item in spec.split(",") if item.strip()}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"--exclude-identities {path}: cannot be read ({exc})") from None
    first = text.split("\n", 1)[0]
    if "\t" in first:
        return _identities_in_table(path, text)
    names: set[str] = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        names.update(identity_key(item) for item in line.split(",") if item.strip())
    return names
