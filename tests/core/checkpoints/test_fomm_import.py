"""FOMM `.pth.tar` import for all eight published configs, built from the layout facts."""

import json
from pathlib import Path

import pytest
import torch
import yaml

from flowmark_core.checkpoints.fomm import load_fomm_checkpoint
from flowmark_core.errors import CheckpointError

# Copy of shared/reference/fomm-checkpoint-layout.json: every key and shape of the eight configs.
LAYOUT_PATH = Path(__file__).resolve().parents[2] / "data" / "fomm-checkpoint-layout.json"
LAYOUT = json.loads(LAYOUT_PATH.read_text())


def _fake_checkpoint(name: str, tmp_path: Path) -> tuple[Path, Path]:
    """A checkpoint in the exact published key layout, from random tensors, plus its YAML."""
    entry = LAYOUT[name]
    gen = torch.Generator().manual_seed(1)
    data = {"epoch": 99}
    for part in ("kp_detector", "generator"):
        state = {}
        for key, shape in entry[part].items():
            if key.endswith("num_batches_tracked"):
                state[key] = torch.tensor(7)
            elif key.endswith("running_var"):
                state[key] = torch.rand(shape, generator=gen) + 0.5
            elif key.endswith("down.weight"):
                k = torch.rand(shape[-2:], generator=gen)
                state[key] = (k / k.sum()).expand(shape).clone()
            else:
                state[key] = torch.randn(shape, generator=gen) * 0.05
        data[part] = state
    data["optimizer_generator"] = {"state": {}, "param_groups": []}
    ckpt = tmp_path / f"{name}.pth.tar"
    torch.save(data, ckpt)
    cfg = tmp_path / f"{name}.yaml"
    cfg.write_text(
        yaml.safe_dump(
            {
                "dataset_params": {
                    "root_dir": "data/x",
                    "frame_shape": [256, 256, 3],
                    "id_sampling": True,
                },
                "model_params": entry["model_params"],
                "train_params": {
                    "num_epochs": 100,
                    "num_repeats": 75,
                    "batch_size": 20,
                    "loss_weights": {"perceptual": [10, 10, 10, 10, 10], "equivariance_value": 10},
                },
                "visualizer_params": {"kp_size": 5},
            }
        )
    )
    return ckpt, cfg


@pytest.mark.parametrize("name", sorted(LAYOUT))
def test_every_published_config_loads_without_missing_or_unexpected_keys(
    name: str, tmp_path: Path
) -> None:
    ckpt, cfg = _fake_checkpoint(name, tmp_path)
    model, meta = load_fomm_checkpoint(ckpt, cfg)
    assert meta["epoch"] == 99
    expected = {f"kp_detector.{k}": v for k, v in LAYOUT[name]["kp_detector"].items()}
    expected |= {f"generator.{k}": v for k, v in LAYOUT[name]["generator"].items()}
    ours = {k: list(v.shape) for k, v in model.state_dict().items()}
    assert ours == expected
    source = torch.rand(1, 3, 128, 128)
    with torch.no_grad():
        out = model(source, source.flip(-1))
        kp = model.detect(source)
    assert out.prediction.shape == (1, 3, 128, 128)
    assert torch.isfinite(out.prediction).all()
    assert kp.value.abs().max() <= 1.0
    # Loaded values are the file's values.
    raw = torch.load(ckpt, weights_only=True)
    assert torch.equal(
        model.state_dict()["generator.final.weight"], raw["generator"]["final.weight"]
    )


def test_wrong_shape_names_the_key_and_both_shapes(tmp_path: Path) -> None:
    ckpt, cfg = _fake_checkpoint("vox-256", tmp_path)
    data = torch.load(ckpt, weights_only=True)
    data["kp_detector"]["kp.weight"] = torch.zeros(12, 35, 7, 7)
    torch.save(data, ckpt)
    with pytest.raises(
        CheckpointError, match=r"kp_detector\.kp\.weight.*\(12, 35, 7, 7\).*\(10, 35, 7, 7\)"
    ):
        load_fomm_checkpoint(ckpt, cfg)


def test_missing_key_is_named(tmp_path: Path) -> None:
    ckpt, cfg = _fake_checkpoint("vox-256", tmp_path)
    data = torch.load(ckpt, weights_only=True)
    del data["generator"]["final.bias"]
    torch.save(data, ckpt)
    with pytest.raises(CheckpointError, match=r"missing key generator\.final\.bias"):
        load_fomm_checkpoint(ckpt, cfg)


def test_not_a_fomm_dict(tmp_path: Path) -> None:
    p = tmp_path / "x.pth.tar"
    torch.save({"state_dict": {}}, p)
    cfg = _fake_checkpoint("vox-256", tmp_path)[1]
    with pytest.raises(CheckpointError, match="not a First Order Motion Model checkpoint"):
        load_fomm_checkpoint(p, cfg)
