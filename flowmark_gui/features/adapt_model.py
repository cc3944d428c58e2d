"""Learn My Face: adapt the current model to one person from a take, in the background,
into the per-user model library.

Model ▸ Learn My Face… opens the setup (take, name, time budget; the library path shown).
A worker thread (never the UI thread) runs `flowmark_core.adapt.session.adapt_video` with
the take's last frames held out. The progress dialog shows steps and time left, with Cancel
(nothing kept) and Stop and keep (kept only past `MIN_KEEP_STEPS` steps). At the end it
shows the held-out score against the model the take started from; the new model is used
only when the user presses Use this model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from flowmark_core.adapt.library import held_out_text, new_model_path
from flowmark_gui.controllers.controller import Controller
from flowmark_gui.controllers.model_library import ModelLibrary
from flowmark_gui.dialogs.adapt_progress import AdaptProgressDialog
from flowmark_gui.dialogs.adapt_setup import AdaptSetup, AdaptSetupDialog
from flowmark_gui.state.session import Session
from flowmark_gui.workers.background_action import BackgroundAction

MIN_KEEP_STEPS = 100  # fewer steps distort the face more than they help
HELD_OUT_FRAMES = 24  # the take's last frames, never trained on, score the model
TASK = "learning your face"


@dataclass(frozen=True)
class AdaptLimits:
    """Tunable limits (tests shorten them): steps instead of minutes when `steps` is set."""

    min_steps: int = MIN_KEEP_STEPS
    held_out: int = HELD_OUT_FRAMES
    steps: int | None = None
    face_crop: bool = True


class ModelAdapter(BackgroundAction):
    """Owns the setup and progress dialogs and the worker of one adaptation at a time."""

    adapted = Signal(object)  # Path of the new model, once Use this model opened it
    ended = Signal(str)  # "kept", "not kept", "cancelled" or "failed"
    record_take_requested = Signal()
    step_done = Signal(int, float, float)  # steps, seconds, fraction (from the worker)

    def __init__(
        self,
        session: Session,
        controller: Controller,
        library: ModelLibrary,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.controller = controller
        self.library = library
        self.limits = AdaptLimits()
        self.takes: list[Path] = []  # recorded this session
        window = parent if isinstance(parent, QWidget) else None
        self.setup = AdaptSetupDialog(library.folder, window)
        self.setup.chosen.connect(self.start)
        self.setup.record_take.connect(self.record_take_requested)
        self.progress = AdaptProgressDialog(window)
        self.progress.cancel_button.clicked.connect(self.cancel)
        self.progress.stop_button.clicked.connect(self.stop_and_keep)
        self.progress.use_button.clicked.connect(self.use_result)
        self.progress.close_button.clicked.connect(self.progress.hide)
        self._stop = self._cancel = self._answered = False
        self._result_path: Path | None = None
        self.step_done.connect(self._on_step)

    # -- UI thread -------------------------------------------------------------------------
    def begin(self, take: Path | None = None) -> None:
        """Open the setup (or the progress of the running adaptation)."""
        if self.busy:
            self.progress.show()
            self.progress.raise_()
            return
        offered: list[tuple[str, Path]] = []
        driving = self.session.driving
        if driving is not None and Path(driving.path).is_file():
            offered.append((f"driving video: {Path(driving.path).name}", Path(driving.path)))
        offered += [(f"recorded take: {p.name}", p) for p in reversed(self.takes)]
        self.setup.offer(offered, take)
        if not offered and take is None:
            self.session.info(
                "Learn My Face needs a take of you: record one (camera) or choose a clip"
            )
        self.setup.show()
        self.setup.raise_()

    def add_take(self, path: Path) -> None:
        """A take was recorded: offer it in the setup at once."""
        self.takes.append(Path(path))
        self.begin(Path(path))

    def start(self, setup: AdaptSetup) -> None:
        """Start learning (UI thread: only starts the worker)."""
        if self.busy:
            return
        from flowmark_core.adapt.session import AdaptRequest

        self.library.folder.mkdir(parents=True, exist_ok=True)
        limits = self.limits
        request = AdaptRequest(
            video=setup.take,
            output=new_model_path(self.library.folder, setup.name),
            model=self.controller.spec.path,
            steps=limits.steps,
            seconds=None if limits.steps is not None else 60.0 * setup.minutes,
            face_crop=limits.face_crop,
            held_out=limits.held_out,
            min_steps=limits.min_steps,
            name=setup.name,
            person=setup.name,
        )
        self._stop = self._cancel = self._answered = False
        self._result_path = None
        self.progress.running(setup.take.name, setup.minutes, limits.min_steps)
        self.progress.show()
        self.session.progress.emit(TASK, 0, 1000)
        self.start_worker("flowmark-adapt", lambda: self._run(request))
        assert self._worker is not None
        self._worker.finished.connect(self._on_thread_end)

    def cancel(self) -> None:
        """Stop now and keep nothing."""
        if self.busy:
            self._cancel = True
            self.progress.detail.setText("cancelling…")

    def stop_and_keep(self) -> None:
        """Stop after the current step; the model is kept if it has enough steps."""
        if self.busy:
            self._stop = True
            self.progress.detail.setText("stopping after this step…")

    def use_result(self) -> None:
        """Open the model just made as the current model."""
        path = self._result_path
        if path is None or not path.exists():
            return
        self.progress.hide()
        self.controller.open_model_file(path)
        self.session.info(f"using {path.name} from the model library")
        self.adapted.emit(path)

    # -- worker thread -----------------------------------------------------------------------
    def _run(self, request: object) -> object:
        from flowmark_core.adapt.session import adapt_video

        worker = self._worker

        def stop() -> bool:
            return self._stop or (worker is not None and worker.stopping)

        def on_step(step: int, seconds: float, fraction: float) -> None:
            self.step_done.emit(step, seconds, fraction)

        return adapt_video(
            request,  # type: ignore[arg-type]
            on_step=on_step,
            should_stop=stop,
            should_cancel=lambda: self._cancel,
        )

    # -- UI thread ---------------------------------------------------------------------------
    def _on_step(self, step: int, seconds: float, fraction: float) -> None:
        self.session.progress.emit(TASK, round(1000 * fraction), 1000)
        self.progress.step(step, seconds, fraction, self.limits.min_steps)

    def _on_done(self, result: object) -> None:
        self._answered = True
        self.session.progress.emit(TASK, -1, -1)
        if not result.kept:  # type: ignore[attr-defined]
            reason = result.note  # type: ignore[attr-defined]
            self.progress.finished(reason, usable=False)
            self.session.warn(f"Learn My Face: {reason}")
            self.ended.emit("not kept")
            return
        path = Path(result.output)  # type: ignore[attr-defined]
        self._result_path = path
        self.library.refresh()
        adapted, base = result.held_out_l1, result.base_l1  # type: ignore[attr-defined]
        score = held_out_text(adapted, base) if adapted is not None and base else ""
        steps = result.steps  # type: ignore[attr-defined]
        self.progress.finished(f"kept after {steps} steps as {path}\n{score}", usable=True)
        self.session.info(f"Learn My Face: model kept in the library ({path}); {score}")
        self.ended.emit("kept")

    def _on_failed(self, message: str) -> None:
        self._answered = True
        self.session.progress.emit(TASK, -1, -1)
        self.progress.finished(f"failed: {message}", usable=False)
        self.session.error(f"Learn My Face: {message}")
        self.ended.emit("failed")

    def _on_thread_end(self) -> None:
        if not self._answered:  # Cancelled ends the job without a result: nothing kept
            self.session.progress.emit(TASK, -1, -1)
            self.progress.finished("cancelled: nothing kept", usable=False)
            self.session.info("Learn My Face cancelled; nothing kept")
            self.ended.emit("cancelled")

    def shutdown(self) -> None:
        """Cancel a running adaptation (nothing kept) and wait for it; close the dialogs."""
        self._cancel = True
        super().shutdown()
        self.setup.close()
        self.progress.close()
