"""Wires the session to the scrubbing engine: user actions become engine commands, engine
replies become session state. Holds no widgets and runs nothing slow itself.

Until the user chooses a model (Model menu, File ▸ Open Model, a dropped checkpoint,
`--model`), the model follows the source: the bundled photo model for a real photo, the
default for a drawing (`flowmark_core.animate.source_kind`; the engine worker judges the
image, the switch goes through `open_model` like any other)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from flowmark_core.animate.source_kind import choice_for_kind, photo_model_bundled
from flowmark_core.resources import bundled_models
from flowmark_gui.controllers.playback import Player
from flowmark_gui.render.gc_tuning import freeze_long_lived
from flowmark_gui.state.file_routing import Role, is_fomm_checkpoint, route
from flowmark_gui.state.model_handle import ModelHandle, ModelSpec
from flowmark_gui.state.session import Session
from flowmark_gui.state.settings import add_recent_file
from flowmark_gui.state.values import RenderedFrame, SourceInfo, TrackInfo, VideoInfo
from flowmark_gui.workers.engine import EngineWorker

CHANGE_MODEL_HINT = "the Model menu changes it"


class Controller(QObject):
    """The Video mode's logic: opening files, options, scrubbing and playback."""

    recent_changed = Signal()

    def __init__(self, session: Session, spec: ModelSpec, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.spec = spec
        # The app picks the model for each source until the user picks one.
        self.model_follows_source = spec.path is None and spec.random_config is None
        self._choice_note: str | None = None  # said once the chosen model has loaded
        self.player = Player(session, self)
        self.engine = EngineWorker(self)
        engine = self.engine
        engine.model_loaded.connect(self._on_model)
        engine.source_ready.connect(self._on_source)
        engine.driving_opened.connect(self._on_driving)
        engine.track_progress.connect(self._on_track_progress)
        engine.track_ready.connect(self._on_track)
        engine.frame_ready.connect(self._on_frame)
        engine.best_frame_found.connect(self._on_best_frame)
        engine.failed.connect(self._on_failed)
        engine.driving_restored.connect(self._on_driving_restored)
        self._index_before_open = 0
        session.index_changed.connect(lambda _i: self.request_current())

    # -- lifecycle -------------------------------------------------------------------------
    def start(self, source: Path | None = None, driving: Path | None = None) -> None:
        """Start the engine, load the model and the first source / driving video."""
        self.engine.start()
        self.open_model(self.spec)
        missing = [str(p) for p in (source, driving) if p is not None and not p.exists()]
        if source is not None and source.exists():
            self.open_source(source)
        if driving is not None and driving.exists():
            self.open_driving(driving)
        if missing:
            self.session.warn(
                f"sample media not found ({', '.join(missing)}); drop a source image and a "
                "driving video onto the panes"
            )

    def shutdown(self) -> None:
        """Stop playback and the engine thread (waits for it)."""
        self.session.set_playing(False)
        self.engine.stop()

    # -- opening files ---------------------------------------------------------------------
    def open_model(self, spec: ModelSpec) -> None:
        self.spec = spec
        self.session.info("loading model…")
        self.engine.load_model(spec, self.session.invalidate())

    def open_source(self, path: Path) -> None:
        self.session.info(f"loading source {Path(path).name}…")
        self.engine.set_source(Path(path), self.session.invalidate())
        self.request_current()

    def open_driving(self, path: Path) -> None:
        """Open a driving video; its reference frame starts at its first frame (a frame
        number of the previous video means another pose, or none at all, in this one)."""
        self.session.set_playing(False)
        self._index_before_open = self.session.index
        self.session.info(f"opening driving video {Path(path).name}…")
        options = self.session.options
        if options.reference_index != 0:
            reset = replace(options, reference_index=0)
            self.engine.set_options(reset, self.session.set_options(reset), False)
            self.session.info(
                f"reference frame reset to 0 for {Path(path).name} (was frame "
                f"{options.reference_index} of the previous video)"
            )
        self.engine.open_driving(Path(path), self.session.invalidate())

    def open_path(self, path: str | Path, target: Role | None = None) -> bool:
        """Open a dropped or chosen file in the role its type suits (checked against
        `target`, the pane it was dropped on: a video dropped on Source opens as the driving
        video, with a note). Files flowmark cannot use change nothing."""
        role, reason = route(path, target)
        if role is None:
            self.session.warn(reason)
            return False
        if reason:
            self.session.info(reason)  # routed to the pane its type belongs to
        if role is Role.SOURCE:
            self.open_source(Path(path))
        elif role is Role.DRIVING:
            self.open_driving(Path(path))
        elif is_fomm_checkpoint(path):
            self.session.warn(
                f"{Path(path).name}: a FOMM checkpoint needs its YAML config; "
                "use File > Open Model…"
            )
            return False
        else:
            self.open_model_file(Path(path))
        return True

    def open_model_file(self, path: Path, config: Path | None = None) -> None:
        """Load a checkpoint (.safetensors, or FOMM .pth.tar with its YAML config): the
        user's choice, kept whatever sources come next."""
        self.model_follows_source = False
        self._choice_note = None
        spec = replace(
            self.spec,
            path=str(path),
            config=None if config is None else str(config),
            random_config=None,
        )
        self.open_model(spec)

    def app_switches_for_photos(self) -> bool:
        """Whether a real photo makes the app switch to the photo model by itself."""
        return self.model_follows_source and photo_model_bundled()

    def _follow_source(self, info: SourceInfo) -> None:
        """The user chose no model: load the bundled one for this kind of source (photo or
        drawing) unless it is loaded already."""
        model = self.session.model
        if not self.model_follows_source or model is None:
            return
        choice = choice_for_kind(info.path.name, info.real_photo)
        bundled = bundled_models()
        if choice.model not in bundled:
            return
        current = model.info.path
        if current is not None and Path(current).resolve() == bundled[choice.model].resolve():
            return
        self.open_model(replace(self.spec, path=choice.model, config=None))
        self._choice_note = choice.message(CHANGE_MODEL_HINT)

    def _remember(self, path: Path | str | None) -> None:
        if path is not None:
            add_recent_file(path)
            self.recent_changed.emit()

    # -- options ---------------------------------------------------------------------------
    def update_options(self, **changes: Any) -> None:
        """Change render options; re-tracks when the track itself changes."""
        old = self.session.options
        new = replace(old, **changes)
        if new == old:
            return
        generation = self.session.set_options(new)
        retrack = old.needs_retrack(new) and self.session.driving is not None
        self.engine.set_options(new, generation, retrack)
        if retrack:
            self.session.progress.emit("tracking keypoints", 0, 0)
        self.request_current()

    def use_current_frame_as_reference(self) -> None:
        """Recalibrate: the current driving frame becomes the reference of relative motion."""
        if self.session.track is None:
            self.session.warn("recalibrate needs a tracked driving video")
            return
        self.update_options(reference_index=self.session.index)
        self.session.info(f"reference: driving frame {self.session.index}")

    def find_best_frame(self) -> None:
        self.engine.find_best_frame()

    # -- scrubbing -------------------------------------------------------------------------
    def request_current(self) -> None:
        """Ask the engine for the current frame unless it is on screen already."""
        if self.session.track is not None and not self.session.has_current_result():
            self.engine.request_frame(self.session.index)

    # -- engine replies --------------------------------------------------------------------
    def _on_model(self, handle: ModelHandle) -> None:
        self.spec = handle.spec  # the bundled model when the requested one failed
        self.session.set_model(handle)
        freeze_long_lived(collect=True)
        note, self._choice_note = self._choice_note, None
        if handle.warning:
            self.session.warn(handle.warning)
        elif note is not None:
            self.session.info(note)  # which model the app chose for the source, and why
        else:
            self.session.info(f"model {handle.info.name} loaded")
        if not handle.info.random_weights and handle.info.path is not None:
            self._remember(handle.info.path)

    def _on_source(self, info: SourceInfo) -> None:
        first = self.session.source is None or info.path != self.session.source.path
        self.session.set_source(info)
        if first:
            self.session.info(f"source {info.path.name} loaded")
            self._remember(info.path)
        self._follow_source(info)
        self.request_current()

    def _on_driving(self, info: VideoInfo) -> None:
        self.session.set_driving(info)
        self.session.progress.emit("tracking keypoints", 0, info.frame_count or 0)
        self._remember(info.path)

    def _on_track_progress(self, done: int, total: int) -> None:
        self.session.progress.emit("tracking keypoints", done, total)

    def _on_track(self, info: TrackInfo) -> None:
        self.session.progress.emit("tracking keypoints", -1, -1)
        self.session.set_track(info)
        name = info.options.stabilizer
        how = "no stabilisation" if name == "none" else f"{name} stabilisation"
        self.session.info(f"{info.length} frames tracked ({how})")
        self.request_current()

    def _on_driving_restored(self, video: VideoInfo | None, track: TrackInfo | None) -> None:
        """A driving video was refused: the previous one (if any) is back as it was."""
        self.session.progress.emit("tracking keypoints", -1, -1)
        self.session.restore_driving(video, track, self._index_before_open)
        self.request_current()

    def _on_frame(self, rendered: RenderedFrame) -> None:
        session = self.session
        if not session.accept(rendered):
            self.request_current()
            return
        if session.playing and session.length > 1:
            following = (rendered.result.index + 1) % session.length
            if following not in session.results:
                self.engine.request_frame(following)  # prefetch the next frame

    def _on_best_frame(self, index: int) -> None:
        self.update_options(reference_index=index)
        self.session.set_index(index)
        self.session.info(f"best reference frame: {index}")

    def _on_failed(self, message: str) -> None:
        self._choice_note = None
        self.session.progress.emit("tracking keypoints", -1, -1)
        self.session.error(message)
