""" "Adapt Model to This Video…": fine-tune the current model on the driving video, in the
background, then use the result at once.

A worker thread (never the UI thread) runs `flowmark_core.adapt.session.adapt_video` on the
driving video (face crop, every training loss) for a few minutes, reporting progress to the
status line. Triggering the action again while it runs stops it early: what was learned so
far is kept, as with Ctrl-C on `flowmark adapt`. The new model is written beside the video
(`<video>-adapted.safetensors`, numbered if taken; a cache folder when that folder is not
writable) and opened as the current model.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from flowmark_gui.controller import Controller
from flowmark_gui.session import Session
from flowmark_gui.workers.background_action import BackgroundAction

ADAPT_MINUTES = 5.0
TASK = "adapting the model"


def adapted_model_path(video: Path) -> Path:
    """A new file name for the model adapted to `video`."""
    folder = video.parent if os.access(video.parent, os.W_OK) else None
    if folder is None:
        folder = Path.home() / ".cache" / "flowmark" / "adapted"
        folder.mkdir(parents=True, exist_ok=True)
    candidate = folder / f"{video.stem}-adapted.safetensors"
    n = 2
    while candidate.exists():
        candidate = folder / f"{video.stem}-adapted-{n}.safetensors"
        n += 1
    return candidate


class ModelAdapter(BackgroundAction):
    """Owns the worker that adapts the current model to the driving video.

    Attributes (tests shorten them): `minutes`, `steps` (when set, steps instead of minutes),
    `face_crop`.
    """

    adapted = Signal(object)  # Path of the new model, after it was opened
    step_done = Signal(int, int)  # (permille done, steps) from the worker thread

    def __init__(
        self, session: Session, controller: Controller, parent: QObject | None = None
    ) -> None:
        super().__init__(session, controller, parent)
        self.minutes = ADAPT_MINUTES
        self.steps: int | None = None
        self.face_crop = True
        self._stop = False
        self.step_done.connect(self._on_step)

    def adapt(self) -> None:
        """Start adapting (UI thread: only starts the worker); while running, stop early."""
        if self.busy:
            self._stop = True
            self.session.info("stopping the adaptation; keeping what was learned so far…")
            return
        driving = self.session.driving
        if driving is None:
            self.session.warn("Adapt Model needs a driving video of the person; open one first")
            return
        from flowmark_core.adapt.session import AdaptRequest

        request = AdaptRequest(
            video=Path(driving.path),
            output=adapted_model_path(Path(driving.path)),
            model=self.controller.spec.path,
            steps=self.steps,
            seconds=None if self.steps is not None else 60.0 * self.minutes,
            face_crop=self.face_crop,
        )
        self._stop = False
        self.session.info(
            f"adapting the model to {request.video.name} (trigger again to stop early)…"
        )
        self.session.progress.emit(TASK, 0, 1000)
        self.start_worker("flowmark-adapt", lambda: self._run(request))

    # -- worker thread -----------------------------------------------------------------------
    def _run(self, request: object) -> object:
        from flowmark_core.adapt.session import adapt_video

        worker = self._worker

        def stop() -> bool:
            return self._stop or (worker is not None and worker.stopping)

        def on_step(step: int, _seconds: float, fraction: float) -> None:
            self.step_done.emit(round(1000 * fraction), step)

        return adapt_video(request, on_step=on_step, should_stop=stop)  # type: ignore[arg-type]

    # -- UI thread ---------------------------------------------------------------------------
    def _on_step(self, permille: int, steps: int) -> None:
        self.session.progress.emit(TASK, permille, 1000)

    def _on_done(self, result: object) -> None:
        self.session.progress.emit(TASK, -1, -1)
        path = Path(result.output)  # type: ignore[attr-defined]
        if result.steps == 0 or not path.exists():  # type: ignore[attr-defined]
            self.session.warn("the adaptation stopped before its first step; nothing was saved")
            return
        self.controller.open_model_file(path)
        self.session.info(
            f"adapted model ({result.steps} steps) saved as {path.name} and opened"  # type: ignore[attr-defined]
        )
        self.adapted.emit(path)

    def _on_failed(self, message: str) -> None:
        self.session.progress.emit(TASK, -1, -1)
        self.session.error(f"Adapt Model: {message}")

    def shutdown(self) -> None:
        """Stop a running adaptation (it keeps its last step) and wait for it."""
        self._stop = True
        super().shutdown()
