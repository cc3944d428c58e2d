"""The app's view of the per-user model library (`flowmark_core.adapt.library`): its folder
from Qt's `QStandardPaths.AppDataLocation`, the models in it, and a note when a model adapted
to one person animates a photo that may be someone else."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Signal

from flowmark_core.adapt.library import LibraryModel, library_dir, library_models
from flowmark_gui.state.session import Session


def app_library_dir() -> Path:
    """The library folder: `FLOWMARK_MODEL_LIBRARY`, else `models/` in Qt's per-user
    application data folder (never the user's media folders)."""
    location = QStandardPaths.StandardLocation.AppDataLocation
    app_data = QStandardPaths.writableLocation(location)
    return library_dir(Path(app_data) if app_data else None)


class ModelLibrary(QObject):
    """The models of the library folder; `changed` after `refresh` found a difference."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = app_library_dir()
        self._models: list[LibraryModel] = []
        self.refresh()

    def models(self) -> list[LibraryModel]:
        return list(self._models)

    def refresh(self) -> None:
        """Read the folder again (model headers only, no weights)."""
        found = library_models(self.folder)
        if found != self._models:
            self._models = found
            self.changed.emit()

    def entry(self, path: str | Path | None) -> LibraryModel | None:
        """The library entry of a model file, or None."""
        if path is None:
            return None
        resolved = Path(path).resolve()
        return next((m for m in self._models if m.path.resolve() == resolved), None)


class AdaptedModelAdvisor(QObject):
    """Warns once per model and source photo when a model adapted to one person is used:
    it distorts other people's faces, and the app cannot tell who is on the photo."""

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._said: set[tuple[str, str]] = set()
        session.model_changed.connect(self.check)
        session.source_changed.connect(self.check)

    def check(self) -> None:
        s = self.session
        if s.model is None or s.source is None:
            return
        adapt = s.model.meta.get("adapt")
        if not isinstance(adapt, dict):
            return
        key = (str(s.model.info.path), str(s.source.path))
        if key in self._said:
            return
        self._said.add(key)
        person = str(adapt.get("person") or "") or "the person of its take"
        base = Path(str(s.model.meta.get("adapted_from") or "the model it came from")).stem
        s.warn(
            f"model {s.model.info.name} was adapted to {person}'s face: if "
            f"{s.source.path.name} shows someone else, it will distort their face; use "
            f"{base} (Model menu) for other people"
        )
