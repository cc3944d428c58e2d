"""File choosers for sources, driving videos and models (FOMM checkpoints ask for YAML)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from flowmark_core.io.images import IMAGE_EXTENSIONS
from flowmark_core.io.video_reader import VIDEO_EXTENSIONS
from flowmark_gui.file_routing import is_fomm_checkpoint


def _patterns(extensions: tuple[str, ...]) -> str:
    return " ".join(f"*{ext}" for ext in extensions)


def ask_source(parent: QWidget) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(
        parent, "Open source image", "", f"Images ({_patterns(IMAGE_EXTENSIONS)})"
    )
    return Path(path) if path else None


def ask_driving(parent: QWidget) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(
        parent,
        "Open driving video",
        "",
        f"Videos and GIFs ({_patterns(VIDEO_EXTENSIONS)});;Frame folder (choose any frame) (*)",
    )
    if not path:
        return None
    chosen = Path(path)
    return chosen.parent if chosen.suffix.lower() in IMAGE_EXTENSIONS else chosen


def ask_model(parent: QWidget) -> tuple[Path, Path | None] | None:
    """(checkpoint, YAML config or None); None when cancelled."""
    path, _ = QFileDialog.getOpenFileName(
        parent,
        "Open model",
        "",
        "Models (*.safetensors *.pth.tar *.tar *.pth *.pt *.ckpt)",
    )
    if not path:
        return None
    if not is_fomm_checkpoint(path):
        return Path(path), None
    config, _ = QFileDialog.getOpenFileName(
        parent,
        "YAML config of this First Order Motion Model checkpoint",
        str(Path(path).parent),
        "YAML (*.yaml *.yml)",
    )
    return (Path(path), Path(config)) if config else None
