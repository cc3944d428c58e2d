"""Typed config: YAML in, unknown keys and wrong types rejected with the key named."""

from pathlib import Path

import pytest

from flowmark_core.config import (
    ExperimentConfig,
    from_dict,
    to_dict,
)
from flowmark_core.config.files import apply_overrides, load_config
from flowmark_core.errors import ConfigError

CONFIGS = Path(__file__).resolve().parents[3] / "configs"


@pytest.mark.parametrize("path", sorted(CONFIGS.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_configs_load_and_round_trip(path: Path) -> None:
    cfg = load_config(path)
    assert from_dict(ExperimentConfig, to_dict(cfg)) == cfg


def test_unknown_key_is_named_with_allowed_keys(tmp_path: Path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text("model:\n  num_kpp: 3\n")
    with pytest.raises(
        ConfigError, match=r"unknown config key 'model.num_kpp'.*allowed keys here: num_kp"
    ):
        load_config(p)


def test_wrong_type_and_bad_choice(tmp_path: Path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text("train:\n  batch_size: many\n")
    with pytest.raises(ConfigError, match=r"train.batch_size: expected an integer, got 'many'"):
        load_config(p)
    p.write_text("data:\n  flow_method: magic\n")
    with pytest.raises(
        ConfigError, match=r"data.flow_method: got 'magic', expected one of dis, farneback"
    ):
        load_config(p)


def test_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nope.yaml: config file not found"):
        load_config(tmp_path / "nope.yaml")
    p = tmp_path / "bad.yaml"
    p.write_text("model: [1, 2\n")
    with pytest.raises(ConfigError, match="bad.yaml: not valid YAML"):
        load_config(p)
    p.write_text("- 1\n- 2\n")
    with pytest.raises(ConfigError, match="expected a YAML mapping"):
        load_config(p)


def test_fomm_yaml_maps_onto_our_config(tmp_path: Path) -> None:
    p = tmp_path / "vox-256.yaml"
    p.write_text(
        "dataset_params:\n  root_dir: data/vox\n  frame_shape: [256, 256, 3]\n"
        "  augmentation_params:\n    flip_param: {horizontal_flip: true, time_flip: true}\n"
        "model_params:\n  common_params: {num_kp: 10, num_channels: 3, estimate_jacobian: true}\n"
        "  kp_detector_params: {temperature: 0.1, block_expansion: 32, max_features: 1024, scale_factor: 0.25, num_blocks: 5}\n"
        "  generator_params:\n    block_expansion: 64\n    max_features: 512\n    num_down_blocks: 2\n"
        "    num_bottleneck_blocks: 6\n    estimate_occlusion_map: true\n"
        "    dense_motion_params: {block_expansion: 64, max_features: 1024, num_blocks: 5, scale_factor: 0.25}\n"
        "  discriminator_params: {scales: [1], block_expansion: 32, max_features: 512, num_blocks: 4, sn: true}\n"
        "train_params:\n  batch_size: 20\n  loss_weights: {perceptual: [10, 10, 10, 10, 10], equivariance_value: 10}\n"
    )
    cfg = load_config(p)
    assert cfg.model.num_kp == 10 and cfg.model.image_size == 256
    assert cfg.model.generator.dense_motion.block_expansion == 64
    assert cfg.train.batch_size == 20 and cfg.data.root == "data/vox"
    assert cfg.data.augment.horizontal_flip
    p.write_text(p.read_text().replace("num_blocks: 5}", "num_blocks: 5, bogus: 1}", 1))
    with pytest.raises(ConfigError, match="bogus"):
        load_config(p)


def test_overrides_change_single_keys_before_checking() -> None:
    data = {"loss": {"flow": {"weight": 5.0}}, "train": {"steps": 10}}
    out = apply_overrides(
        data, ["loss.flow.weight=1.5", "train.bf16=false", "data.flow_method=landmarks"]
    )
    assert out["loss"]["flow"]["weight"] == 1.5
    assert out["train"]["bf16"] is False
    assert out["data"]["flow_method"] == "landmarks"
    assert data["loss"]["flow"]["weight"] == 5.0  # the input is not changed
    cfg = load_config("configs/puppets-faces-128.yaml", ["loss.flow.weight=1", "train.steps=7"])
    assert cfg.loss.flow.weight == 1.0 and cfg.train.steps == 7
    with pytest.raises(ConfigError, match="loss.flow.wieght"):
        load_config("configs/puppets-faces-128.yaml", ["loss.flow.wieght=1"])
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        apply_overrides(data, ["loss.flow.weight"])
    with pytest.raises(ConfigError, match="train.steps is a value"):
        apply_overrides(data, ["train.steps.x=1"])
