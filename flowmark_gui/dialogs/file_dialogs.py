"""File choosers for sources, driving videos and models (FOMM checkpoints ask for YAML).

Every chooser is a roomy Qt file dialog (detail view, a wide name column) instead of the
small default with truncated columns."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QHeaderView, QTreeView, QWidget

from flowmark_core.io.images import IMAGE_EXTENSIONS
from flowmark_core.io.video_reader import VIDEO_EXTENSIONS
from flowmark_gui.state.file_routing import is_fomm_checkpoint

DIALOG_SIZE = (960, 600)
NAME_COLUMN_PX = 420


def make_file_dialog(
    parent: QWidget | None, title: str, directory: str, filters: str, save: bool = False
) -> QFileDialog:
    """A file dialog big enough to read file names in (not shown yet)."""
    dialog = QFileDialog(parent, title, directory, filters)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setViewMode(QFileDialog.ViewMode.Detail)
    if save:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    else:
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    width, height = DIALOG_SIZE
    if parent is not None:  # not larger than the window it belongs to
        width = min(width, max(parent.width(), 640))
        height = min(height, max(parent.height(), 420))
    dialog.resize(width, height)
    for tree in dialog.findChildren(QTreeView):
        header = tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, NAME_COLUMN_PX)
    return dialog


def choose_file(
    parent: QWidget | None, title: str, directory: str, filters: str, save: bool = False
) -> str:
    """The chosen path, or "" when cancelled."""
    dialog = make_file_dialog(parent, title, directory, filters, save)
    if not dialog.exec():
        return ""
    files = dialog.selectedFiles()
    return files[0] if files else ""


def _patterns(extensions: tuple[str, ...]) -> str:
    return " ".join(f"*{ext}" for ext in extensions)


def ask_source(parent: QWidget) -> Path | None:
    path = choose_file(parent, "Open source image", "", f"Images ({_patterns(IMAGE_EXTENSIONS)})")
    return Path(path) if path else None


def ask_driving(parent: QWidget, directory: str = "") -> Path | None:
    path = choose_file(
        parent,
        "Open driving video",
        directory,
        f"Videos and GIFs ({_patterns(VIDEO_EXTENSIONS)});;Frame folder (choose any frame) (*)",
    )
    if not path:
        return None
    chosen = Path(path)
    return chosen.parent if chosen.suffix.lower() in IMAGE_EXTENSIONS else chosen


def ask_model(parent: QWidget) -> tuple[Path, Path | None] | None:
    """(checkpoint, YAML config or None); None when cancelled."""
    path = choose_file(
        parent,
        "Open model",
        "",
        "Models (*.safetensors *.pth.tar *.tar *.pth *.pt *.ckpt)",
    )
    if not path:
        return None
    if not is_fomm_checkpoint(path):
        return Path(path), None
    config = choose_file(
        parent,
        "YAML config of this First Order Motion Model checkpoint",
        str(Path(path).parent),
        "YAML (*.yaml *.yml)",
    )
    return (Path(path), Path(config)) if config else None
