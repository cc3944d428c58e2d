"""A FOMM checkpoint's config inferred from its weights (no YAML), for the eight published
layouts, a layout no published config has, and layouts that cannot be told apart."""

import json
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from flowmark_core.checkpoints import load_model
from flowmark_core.checkpoints.fomm_inference import infer_fomm_config, weight_shapes
from flowmark_core.config import ModelConfig
from flowmark_core.config.fomm import model_from_fomm
from flowmark_core.errors import CheckpointError

LAYOUT_PATH = Path(__file__).resolve().parents[2] / "data" / "fomm-checkpoint-layout.json"
LAYOUT = json.loads(LAYOUT_PATH.read_text())


def _empty_state(entry: dict) -> dict[str, torch.Tensor]:
    return {
        f"{part}.{key}": torch.empty(shape)
        for part in ("kp_detector", "generator")
        for key, shape in entry[part].items()
    }


@pytest.mark.parametrize("name", sorted(LAYOUT))
def test_every_published_layout_infers_its_config(name: str) -> None:
    config, note = infer_fomm_config(_empty_state(LAYOUT[name]), Path(f"{name}.pth.tar"))
    from_yaml = model_from_fomm(LAYOUT[name]["model_params"])
    assert weight_shapes(config) == weight_shapes(from_yaml)
    assert config.kp_detector == from_yaml.kp_detector
    assert config.generator == from_yaml.generator
    assert config.align_corners is False and config.image_size == 256
    assert name in note or (name != "mgif-256" and "vox-256 architecture" in note)
    assert ("mgif-256" in note) == (name == "mgif-256")


def test_an_unpublished_layout_is_inferred_and_said_so() -> None:
    base = ModelConfig(num_kp=15, align_corners=False)
    config = replace(
        base,
        estimate_jacobian=False,
        generator=replace(
            base.generator,
            estimate_occlusion_map=False,
            num_bottleneck_blocks=3,
            dense_motion=replace(base.generator.dense_motion, scale_factor=0.5),
        ),
    )
    state = {k: torch.empty(s) for k, s in weight_shapes(config).items()}
    inferred, note = infer_fomm_config(state, Path("mine.pth.tar"))
    assert weight_shapes(inferred) == weight_shapes(config)
    assert inferred.num_kp == 15 and inferred.generator.dense_motion.scale_factor == 0.5
    assert "15 keypoints" in note and "no published config" in note and "--config" in note


def test_weights_no_config_explains_ask_for_config() -> None:
    state = _empty_state(LAYOUT["vox-256"])
    state["kp_detector.down.weight"] = torch.empty(3, 1, 7, 7)  # no 1/n Gaussian is 7 px wide
    with pytest.raises(CheckpointError, match="scale factor.*--config"):
        infer_fomm_config(state, Path("odd.pth.tar"))
    state = _empty_state(LAYOUT["vox-256"])
    del state["generator.first.conv.weight"]
    with pytest.raises(CheckpointError, match="--config"):
        infer_fomm_config(state, Path("odd.pth.tar"))
    state = _empty_state(LAYOUT["vox-256"])
    state["generator.extra.weight"] = torch.empty(3)
    with pytest.raises(CheckpointError, match=r"ambiguous; pass its YAML with --config"):
        infer_fomm_config(state, Path("odd.pth.tar"))


def test_load_model_dispatches_a_fomm_file_without_yaml(tmp_path: Path) -> None:
    entry = LAYOUT["mgif-256"]
    data = {
        part: {k: torch.zeros(s) if s else torch.tensor(0) for k, s in entry[part].items()}
        for part in ("kp_detector", "generator")
    }
    path = tmp_path / "mgif-cpk.pth.tar"
    torch.save(data, path)
    model, meta = load_model(path)
    assert model.config.kp_detector.single_jacobian_map is True
    assert meta["path"] == str(path) and "mgif-256" in meta["inferred_config"]
