""" "Generate Motion": the Source image moves with a keypoint future sampled from the model's
motion prior, opened as the driving video.

On a worker thread (never the UI thread) the prior samples one future of the Source's
keypoints, the generator renders it into a short clip in a private temporary folder, and
the clip is opened as the driving video — so the driving track, trajectories, stabilisers,
overlays and export all work on it exactly as on a recorded video. Each press draws a new
seed (re-sample); the seed is shown in the status line.

A model the app chose for a photo (`real-faces-128`) has no bundled prior: then the motion
is generated with the default model, whose prior is bundled (said in the status line); a
model the user chose is used as it is.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from flowmark_gui.controllers.controller import Controller
from flowmark_gui.state.session import Session
from flowmark_gui.workers.background_action import BackgroundAction

GENERATED_FRAMES = 32
GENERATED_FPS = 25.0


class MotionGenerator(BackgroundAction):
    """Owns the worker that samples and renders motion for the current Source image."""

    generated = Signal(object)  # Path of the clip, after it was handed to the controller

    def __init__(
        self, session: Session, controller: Controller, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.controller = controller
        self.next_seed = 0
        self._pipelines: dict[str, object] = {}  # used by one worker at a time only
        self._folder = Path(tempfile.mkdtemp(prefix="flowmark-motion-"))

    def generate(self) -> None:
        """Sample a new future of the Source image (UI thread: only starts the worker)."""
        source = self.session.source
        if source is None:
            self.session.warn("Generate Motion needs a source image; open one first")
            return
        if self.busy:
            self.session.info("still generating motion…")
            return
        loaded = self.session.model
        if loaded is None or loaded.info.random_weights or loaded.info.path is None:
            self.session.error(
                "Generate Motion needs a trained model file with a motion prior "
                "(priors/<model name>.safetensors beside it; see `flowmark train-prior`)"
            )
            return
        model = self._model_with_prior(loaded.info.path)
        seed = self.next_seed
        self.next_seed += 1
        image = np.array(source.image, copy=True)
        out = self._folder / f"generated-motion-seed{seed}.mp4"
        self.session.info(f"generating motion (seed {seed})…")
        self.session.progress.emit("generating motion", 0, 0)
        self.start_worker(
            "flowmark-generate-motion", lambda: self._render_clip(model, image, seed, out)
        )

    def _model_with_prior(self, model: str) -> str:
        """`model` (the one the panes use), or the default when the app chose `model` for
        the source and only the default has a prior (a file check, no loading)."""
        from flowmark_core.motion_prior.checkpoint import default_prior_path
        from flowmark_core.resources import DEFAULT_MODEL_NAME, bundled_models

        default = bundled_models().get(DEFAULT_MODEL_NAME)
        if (
            not self.controller.model_follows_source
            or default is None
            or default_prior_path(model).is_file()
            or not default_prior_path(default).is_file()
        ):
            return model
        self.session.info(
            f"{Path(model).stem} has no motion prior: the motion is generated with "
            f"{DEFAULT_MODEL_NAME}, whose prior is bundled"
        )
        return str(default)

    # -- worker thread -----------------------------------------------------------------------
    def _render_clip(self, model: str | None, image: np.ndarray, seed: int, out: Path) -> Path:
        from flowmark_core.io.video_writer import VideoWriter
        from flowmark_core.motion_prior.generate import ImageToVideo

        key = str(model)
        pipeline = self._pipelines.get(key)
        if pipeline is None:
            pipeline = ImageToVideo.load(model)
            self._pipelines = {key: pipeline}
        assert isinstance(pipeline, ImageToVideo)
        motion = pipeline.sample(image, GENERATED_FRAMES, 1, seed)
        with VideoWriter(out, fps=GENERATED_FPS) as writer:
            for frames in pipeline.render(image, motion):
                writer.write(frames[0])
        return out

    # -- UI thread ---------------------------------------------------------------------------
    def _on_done(self, path: object) -> None:
        self.session.progress.emit("generating motion", -1, -1)
        self.controller.open_driving(Path(str(path)))
        self.session.info(f"generated motion opened as the driving video ({Path(str(path)).name})")
        self.generated.emit(path)

    def _on_failed(self, message: str) -> None:
        self.session.progress.emit("generating motion", -1, -1)
        self.session.error(f"Generate Motion: {message}")

    def shutdown(self) -> None:
        """Wait for a running generation and remove the generated clips."""
        super().shutdown()
        shutil.rmtree(self._folder, ignore_errors=True)
