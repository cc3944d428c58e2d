"""The app's state as a QObject with signals: what is loaded, where the timeline is, the
options, cached results and the track. Widgets read it and listen to it; it never imports
a widget and never runs anything slow.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, Signal

from flowmark_core.animate import FrameResult
from flowmark_gui.state.model_handle import ModelHandle
from flowmark_gui.state.result_cache import ResultCache
from flowmark_gui.state.values import (
    OverlayOptions,
    RenderedFrame,
    RenderOptions,
    SourceInfo,
    TrackInfo,
    VideoInfo,
)

INFO, WARNING, ERROR = "info", "warning", "error"


class Session(QObject):
    """State of one editing session (the three panes, the timeline and the docks)."""

    model_changed = Signal()
    source_changed = Signal()
    driving_changed = Signal()
    track_changed = Signal()
    index_changed = Signal(int)
    result_changed = Signal()
    options_changed = Signal()
    overlays_changed = Signal()
    selection_changed = Signal()
    playing_changed = Signal(bool)
    fps_changed = Signal(float)
    message = Signal(str, str)  # text, level (info / warning / error)
    progress = Signal(str, int, int)  # task, done, total (total 0: unknown, -1: finished)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model: ModelHandle | None = None
        self.source: SourceInfo | None = None
        self.driving: VideoInfo | None = None
        self.track: TrackInfo | None = None
        self.options = RenderOptions()
        self.overlays = OverlayOptions()
        self.selection: tuple[int, ...] = ()
        self.index = 0
        self.generation = 0
        self.playing = False
        self.fps = 25.0
        self.results = ResultCache()
        self.displayed: FrameResult | None = None

    # -- what is loaded --------------------------------------------------------------------
    @property
    def num_kp(self) -> int:
        return 0 if self.model is None else self.model.info.num_kp

    @property
    def image_size(self) -> int:
        return 256 if self.model is None else self.model.info.image_size

    @property
    def length(self) -> int:
        """Frames on the timeline (known once the video is tracked)."""
        if self.track is not None:
            return self.track.length
        return 0

    def invalidate(self) -> int:
        """Everything rendered so far is stale: new generation, empty cache."""
        self.generation += 1
        self.results.clear()
        return self.generation

    def set_model(self, handle: ModelHandle) -> None:
        self.model = handle
        self.selection = tuple(k for k in self.selection if k < handle.info.num_kp)
        self.model_changed.emit()
        self.selection_changed.emit()

    def set_source(self, info: SourceInfo) -> None:
        self.source = info
        self.source_changed.emit()

    def set_driving(self, info: VideoInfo) -> None:
        self.driving = info
        self.track = None
        self.displayed = None
        self.index = 0
        self.fps = info.fps
        self.driving_changed.emit()
        self.track_changed.emit()
        self.index_changed.emit(0)
        self.fps_changed.emit(self.fps)

    def restore_driving(self, video: VideoInfo | None, track: TrackInfo | None, index: int) -> None:
        """Go back to a previous driving video and its track (a new one was refused)."""
        self.driving, self.track, self.displayed = video, track, None
        self.results.clear()
        self.index = min(max(index, 0), max(self.length - 1, 0))
        if video is not None:
            self.fps = video.fps
        self.driving_changed.emit()
        self.track_changed.emit()
        self.index_changed.emit(self.index)
        self.fps_changed.emit(self.fps)

    def set_track(self, info: TrackInfo) -> None:
        self.track = info
        self.results.clear()  # results carry the track serial; older ones are refused
        self.index = min(self.index, max(info.length - 1, 0))
        self.track_changed.emit()
        self.index_changed.emit(self.index)

    # -- options ---------------------------------------------------------------------------
    def set_options(self, options: RenderOptions) -> int:
        """New render options (a new generation); returns it."""
        self.options = options
        generation = self.invalidate()
        self.options_changed.emit()
        return generation

    def set_overlays(self, **changes: Any) -> None:
        self.overlays = replace(self.overlays, **changes)
        self.overlays_changed.emit()

    def set_selection(self, keypoints: tuple[int, ...]) -> None:
        unique = tuple(dict.fromkeys(k for k in keypoints if 0 <= k < max(self.num_kp, 1)))
        if unique != self.selection:
            self.selection = unique
            self.selection_changed.emit()

    def click_keypoint(self, k: int, additive: bool) -> None:
        """Select keypoint k alone, or toggle it in the selection when `additive`."""
        if not additive:
            self.set_selection((k,))
        elif k in self.selection:
            self.set_selection(tuple(s for s in self.selection if s != k))
        else:
            self.set_selection((*self.selection, k))

    # -- timeline --------------------------------------------------------------------------
    def set_index(self, index: int) -> None:
        """Move the timeline; shows the cached result of that frame at once if there is one."""
        index = min(max(int(index), 0), self.length - 1) if self.length else 0
        changed = index != self.index
        self.index = index
        cached = self.results.get(index)
        if cached is not None and cached is not self.displayed:
            self.displayed = cached
            self.result_changed.emit()
        if changed:
            self.index_changed.emit(index)

    def has_current_result(self) -> bool:
        return (
            self.displayed is not None
            and self.displayed.index == self.index
            and (self.index in self.results)
        )

    def accept(self, rendered: RenderedFrame) -> bool:
        """Store a worker's result if it matches the current state; True when stored."""
        if rendered.generation != self.generation:
            return False
        if self.track is None or rendered.track_serial != self.track.serial:
            return False
        result = rendered.result
        self.results.put(result.index, result)
        if result.index == self.index:
            self.displayed = result
            self.result_changed.emit()
        return True

    def set_playing(self, playing: bool) -> None:
        if playing != self.playing:
            self.playing = playing
            self.playing_changed.emit(playing)

    def set_fps(self, fps: float) -> None:
        fps = float(min(max(fps, 1.0), 120.0))
        if fps != self.fps:
            self.fps = fps
            self.fps_changed.emit(fps)

    # -- feedback --------------------------------------------------------------------------
    def info(self, text: str) -> None:
        self.message.emit(text, INFO)

    def warn(self, text: str) -> None:
        self.message.emit(text, WARNING)

    def error(self, text: str) -> None:
        self.message.emit(text, ERROR)
