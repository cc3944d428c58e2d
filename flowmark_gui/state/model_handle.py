"""Loading a model once and handing each worker its own Animator over it.

An `Animator` is not thread-safe, so the scrubbing engine, the exporter and the camera
each own one. `ModelHandle` keeps a pristine copy of the loaded network that is never
run; `new_animator` gives a worker a deep copy. Loading happens in a worker thread.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import flowmark_core
from flowmark_core.animate import Animator
from flowmark_core.checkpoints import load_model
from flowmark_core.config import ModelConfig
from flowmark_core.config.files import load_config
from flowmark_core.model_cards import read_model_card
from flowmark_core.models import MotionModel, build_model
from flowmark_core.resources import DEFAULT_MODEL_NAME, bundled_models
from flowmark_gui.state.values import ModelInfo

RANDOM_WEIGHTS_WARNING = "no trained model found; using random weights"
_DEFAULT_CONFIG = Path(flowmark_core.__file__).resolve().parent.parent / "configs"


@dataclass(frozen=True)
class ModelSpec:
    """Which model to load: a path or bundled name (None = default), or random weights.

    `random_config` builds an untrained model of that architecture (development, tests).
    """

    path: str | None = None
    config: str | None = None
    device: str = "cpu"
    precision: str = "fast"
    random_config: ModelConfig | None = None


def default_random_config() -> ModelConfig:
    """The default model's architecture (used when no trained model is bundled)."""
    yaml_path = _DEFAULT_CONFIG / f"{DEFAULT_MODEL_NAME}.yaml"
    if yaml_path.is_file():
        return load_config(yaml_path).model
    return ModelConfig(num_kp=10, image_size=128)


class ModelHandle:
    """A loaded model: information for the UI and fresh animators for workers."""

    def __init__(
        self,
        template: MotionModel,
        spec: ModelSpec,
        info: ModelInfo,
        meta: dict[str, Any] | None = None,
        warning: str | None = None,
    ) -> None:
        self._template = template
        self.spec = spec
        self.info = info
        self.meta = dict(meta or {})
        self.warning = warning

    def new_animator(self, **options: Any) -> Animator:
        """An Animator over a private copy of the network (for one worker thread)."""
        model = copy.deepcopy(self._template)
        return Animator(
            model,
            device=self.spec.device,
            precision=self.spec.precision,
            meta=self.meta,
            **options,
        )


def _random_handle(spec: ModelSpec, config: ModelConfig, warning: str | None) -> ModelHandle:
    model = build_model(config).eval()
    info = ModelInfo("random weights", config.image_size, config.num_kp, True, None)
    return ModelHandle(model, spec, info, warning=warning)


def load_model_handle(spec: ModelSpec) -> ModelHandle:
    """Load the model `spec` names (slow: call it from a worker).

    With no path and no bundled model at all, falls back to random weights of the
    default architecture and says so in `warning`.

    Raises:
        FlowmarkError: the checkpoint or config cannot be read (one-line message).
    """
    if spec.random_config is not None:
        return _random_handle(spec, spec.random_config, None)
    name = spec.path
    if name is None:
        bundled = bundled_models()
        if not bundled:
            return _random_handle(spec, default_random_config(), RANDOM_WEIGHTS_WARNING)
        name = DEFAULT_MODEL_NAME if DEFAULT_MODEL_NAME in bundled else next(iter(bundled))
    model, meta = load_model(name, spec.config)
    path = meta.get("path")
    label = Path(path).name if path else str(name)
    card = read_model_card(path, meta) if path else None
    info = ModelInfo(label, model.config.image_size, model.config.num_kp, False, path, card)
    return ModelHandle(model, spec, info, meta=meta)
