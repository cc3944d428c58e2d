"""The Model menu: the bundled models, then "My models" (the library, each with its card
as a tooltip), the active model checked; rebuilt when the model or the library changes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu

from flowmark_gui.controllers.model_cards import bundled_cards, card_tooltip
from flowmark_gui.controllers.model_library import ModelLibrary
from flowmark_gui.state.session import Session


def _same_file(a: str | Path | None, b: str | Path | None) -> bool:
    return a is not None and b is not None and Path(a).resolve() == Path(b).resolve()


class ModelMenu:
    """Fills `menu`; `open_model` loads a checkpoint path; `tail` actions end the menu."""

    def __init__(
        self,
        menu: QMenu,
        session: Session,
        library: ModelLibrary,
        open_model: Callable[[Path], object],
        tail: list[QAction],
    ) -> None:
        self.menu, self.session, self.library = menu, session, library
        self._open_model, self._tail = open_model, tail
        self.actions: dict[str, QAction] = {}  # model file path -> its action
        self.bundled: dict[str, QAction] = {}  # bundled model name -> its action
        self._library_actions: list[QAction] = []
        self._group = QActionGroup(menu)
        self._group.setExclusive(True)
        menu.setToolTipsVisible(True)
        self._build()
        session.model_changed.connect(self.sync_checked)
        library.changed.connect(self.rebuild)
        menu.aboutToShow.connect(library.refresh)  # models adapted by `flowmark adapt`
        self.rebuild()

    def _add(self, text: str, path: Path, tooltip: str, before: QAction | None) -> QAction:
        action = QAction(text, self.menu)
        action.setCheckable(True)
        action.setToolTip(tooltip)
        action.triggered.connect(lambda _checked=False, p=path: self._open_model(p))
        self._group.addAction(action)
        self.menu.insertAction(before, action)  # type: ignore[arg-type] (None: at the end)
        self.actions[str(path)] = action
        return action

    def _build(self) -> None:
        """The fixed part: bundled models, the library header, its end, the tail actions."""
        menu = self.menu
        for name, path, card in bundled_cards():
            text = f"{name} — {card.summary}" if card is not None else name
            tip = card_tooltip(card) if card is not None else str(path)
            self.bundled[name] = self._add(text, path, tip, None)
        menu.addSeparator()
        header = menu.addAction(f"My models (library: {self.library.folder})")
        header.setEnabled(False)
        header.setToolTip(str(self.library.folder))
        self._empty = menu.addAction("    none yet: Model ▸ Learn My Face… makes one")
        self._empty.setEnabled(False)
        self._library_end = menu.addSeparator()
        for action in self._tail:
            menu.addAction(action)

    def rebuild(self) -> None:
        """Replace the library's entries (the bundled models and the rest stay)."""
        old = self._library_actions
        self.actions = {k: v for k, v in self.actions.items() if v not in old}
        for action in old:
            self._group.removeAction(action)
            self.menu.removeAction(action)
            action.deleteLater()
        self._library_actions = []
        models = self.library.models()
        self._empty.setVisible(not models)
        for model in models:
            person = f" ({model.person})" if model.person and model.person != model.name else ""
            tip = "\n".join(model.card_lines())
            action = self._add(f"{model.name}{person}", model.path, tip, self._library_end)
            self._library_actions.append(action)
        self.sync_checked()

    def sync_checked(self) -> None:
        """Check the action of the loaded model (none for a file outside the menu)."""
        model = self.session.model
        current = None if model is None else model.info.path
        for path, action in self.actions.items():
            action.setChecked(_same_file(path, current))
        if not any(a.isChecked() for a in self.actions.values()):
            checked = self._group.checkedAction()
            if checked is not None:  # an exclusive group keeps one checked: lift it
                self._group.setExclusive(False)
                checked.setChecked(False)
                self._group.setExclusive(True)
