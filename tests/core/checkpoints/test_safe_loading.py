"""Loading never executes code; bad files give one clear error naming the file."""

import pickle
from pathlib import Path

import pytest
import torch

from flowmark_core.checkpoints import load_checkpoint, save_checkpoint
from flowmark_core.checkpoints.fomm import read_pickle_safely
from flowmark_core.errors import CheckpointError
from flowmark_core.models import build_model
from tests.model_configs import compact_config


class _Exploit:
    marker: Path

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_malicious_pickle_is_refused_and_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    exploit = _Exploit()
    exploit.marker = marker
    evil = tmp_path / "evil.pth.tar"
    with evil.open("wb") as f:
        pickle.dump({"generator": exploit}, f)
    torch.save({"generator": exploit}, tmp_path / "evil2.pth.tar")
    for path in (evil, tmp_path / "evil2.pth.tar"):
        with pytest.raises(CheckpointError, match=r"evil2?\.pth\.tar: "):
            read_pickle_safely(path)
    assert not marker.exists()


def test_truncated_and_wrong_kind_files(tmp_path: Path) -> None:
    model = build_model(compact_config())
    good = tmp_path / "m.pth.tar"
    torch.save({"kp_detector": model.kp_detector.state_dict()}, good)
    truncated = tmp_path / "truncated.pth.tar"
    truncated.write_bytes(good.read_bytes()[:200])
    with pytest.raises(
        CheckpointError, match="truncated.pth.tar: not a readable PyTorch checkpoint"
    ):
        read_pickle_safely(truncated)
    text = tmp_path / "notes.pth.tar"
    text.write_text("hello, not a checkpoint")
    with pytest.raises(CheckpointError, match="notes.pth.tar"):
        read_pickle_safely(text)
    empty = tmp_path / "empty.safetensors"
    empty.write_bytes(b"")
    with pytest.raises(CheckpointError, match="empty.safetensors: file is empty"):
        load_checkpoint(empty)
    with pytest.raises(CheckpointError, match="missing.safetensors: file not found"):
        load_checkpoint(tmp_path / "missing.safetensors")
    with pytest.raises(CheckpointError, match="is a folder"):
        load_checkpoint(tmp_path)


def test_our_checkpoint_round_trip_keeps_config_meta_and_weights(tmp_path: Path) -> None:
    model = build_model(compact_config())
    path = save_checkpoint(tmp_path / "m.safetensors", model, {"step": 12})
    loaded, meta = load_checkpoint(path)
    assert meta == {"step": 12}
    assert loaded.config == model.config
    for key, value in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[key], value)
    assert not loaded.training


def test_checkpoint_with_other_keypoint_count_names_key_and_shapes(tmp_path: Path) -> None:
    path = save_checkpoint(tmp_path / "m.safetensors", build_model(compact_config(num_kp=5)))
    with pytest.raises(CheckpointError, match=r"kp_detector\.kp\.weight.*expected"):
        load_checkpoint(path, config=compact_config(num_kp=7))


def test_safetensors_without_our_header_is_refused(tmp_path: Path) -> None:
    from safetensors.torch import save_file

    p = tmp_path / "foreign.safetensors"
    save_file({"w": torch.zeros(2)}, str(p))
    with pytest.raises(CheckpointError, match="not a flowmark checkpoint"):
        load_checkpoint(p)
