"""A kit of small good and bad inputs for the fault suite (built once per session)."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

from flowmark_core.checkpoints import FORMAT_TAG, save_checkpoint
from flowmark_core.config import DataConfig, to_dict
from flowmark_core.io.images import write_image
from flowmark_core.io.video_writer import VideoWriter
from flowmark_core.models import build_model
from tests.core.training.helpers import tiny_experiment
from tests.model_configs import compact_config


def _raw_safetensors(path: Path, tensors: dict[str, torch.Tensor], header: dict) -> None:
    """A safetensors file with an arbitrary header (bypasses our checked writer)."""
    meta: dict = {"__metadata__": header}
    offset = 0
    blobs = []
    for name, t in tensors.items():
        data = t.detach().contiguous().numpy().astype(np.float32).tobytes()
        meta[name] = {
            "dtype": "F32",
            "shape": list(t.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        offset += len(data)
        blobs.append(data)
    text = json.dumps(meta).encode()
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


class _RunsCode:
    """Pickles into a call of os.system: loading it must never run anything."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> tuple:
        return (os.system, (self.command,))


def tree_digest(root: Path) -> dict[str, str]:
    """sha256 of every file under `root` (to show inputs are unchanged)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Good and bad inputs, all tiny. Tests must not change anything in here."""
    root = tmp_path_factory.mktemp("fault-kit")
    rng = np.random.default_rng(0)
    image = (rng.random((48, 48, 3)) * 255).astype(np.uint8)
    write_image(root / "source.png", image)
    with VideoWriter(root / "driving.mp4", fps=10) as w:
        for t in range(4):
            w.write(np.roll(image, t, axis=1))
    cfg = compact_config(num_kp=3, size=32, width=4, blocks=2, down_blocks=1)
    model = build_model(cfg)
    save_checkpoint(root / "model.safetensors", model, {"step": 0})
    state = {k: v.clone() for k, v in model.state_dict().items()}
    good_header = {"format": FORMAT_TAG, "flowmark.model_config": json.dumps(to_dict(cfg)),
                   "flowmark.meta": "{}"}  # fmt: skip
    first = next(k for k, v in state.items() if v.is_floating_point())
    nan_state = dict(state, **{first: state[first].clone().fill_(float("nan"))})
    _raw_safetensors(root / "nan-weights.safetensors", nan_state, good_header)
    huge_state = dict(state, **{first: state[first].clone().fill_(1e30)})
    _raw_safetensors(root / "huge-weights.safetensors", huge_state, good_header)
    _raw_safetensors(root / "config-list.safetensors", state,
                     dict(good_header, **{"flowmark.model_config": "[1, 2]"}))  # fmt: skip
    _raw_safetensors(root / "meta-list.safetensors", state,
                     dict(good_header, **{"flowmark.meta": '["x"]'}))  # fmt: skip
    bad_temp = dict(to_dict(cfg), kp_detector=dict(to_dict(cfg)["kp_detector"], temperature=0))
    _raw_safetensors(root / "temperature0.safetensors", state,
                     dict(good_header, **{"flowmark.model_config": json.dumps(bad_temp)}))  # fmt: skip
    _raw_safetensors(root / "size100000.safetensors", state,
                     dict(good_header, **{"flowmark.model_config": json.dumps(
                         dict(to_dict(cfg), image_size=100000))}))  # fmt: skip
    (root / "text.txt").write_text("hello, not media\n")
    (root / "text.png").write_text("hello, not an image\n")
    (root / "text.mp4").write_text("hello, not a video\n")
    (root / "text.safetensors").write_text("hello, not a checkpoint\n")
    (root / "text.pt").write_text("hello, not a training state\n")
    (root / "empty.png").write_bytes(b"")
    (root / "empty.mp4").write_bytes(b"")
    png = (root / "source.png").read_bytes()
    (root / "truncated.png").write_bytes(png[: len(png) // 2])
    mp4 = (root / "driving.mp4").read_bytes()
    (root / "truncated.mp4").write_bytes(mp4[: len(mp4) // 3])
    (root / "folder").mkdir()
    write_image(root / "tiny.png", np.zeros((4, 4, 3), np.uint8))
    # Training: a tiny config, variants, and a data set.
    exp = tiny_experiment(steps=4, batch=2)
    plain = to_dict(exp)
    plain["data"] = to_dict(DataConfig(num_workers=0))
    plain["loss"]["flow"] = {"weight": 0.0}
    (root / "tiny.yaml").write_text(yaml.safe_dump(plain))
    (root / "broken.yaml").write_text("model: [unclosed\n")
    (root / "list.yaml").write_text("- 1\n- 2\n")
    other = json.loads(json.dumps(plain))
    other["model"]["num_kp"] = 5
    (root / "other.yaml").write_text(yaml.safe_dump(other))
    from flowmark_core.data.synthetic.writer import synthesize_dataset

    synthesize_dataset(root / "data", "faces", videos=4, frames=3, size=64, seed=1,
                       test_fraction=0.5, clips_per_id=1, workers=0, progress=False)  # fmt: skip
    (root / "text.pth.tar").write_text("hello, not a checkpoint\n")
    with open(root / "plain.pth.tar", "wb") as f:
        pickle.dump({"kp_detector": {}}, f, protocol=4)  # a pickle, not a checkpoint
    marker = root / "PWNED"
    torch.save({"generator": _RunsCode(f"touch {marker}")}, root / "evil.pth.tar")
    shutil.copytree(root / "data", root / "data-badlm")
    for npz in (root / "data-badlm" / "test").rglob("landmarks.npz"):
        npz.write_bytes(npz.read_bytes()[:300])  # truncated
    bad = root / "data-bad"
    for split in ("train", "test"):
        (bad / split).mkdir(parents=True)
        (bad / split / "clip.mp4").write_bytes(mp4[: len(mp4) // 3])  # truncated
    return root


@pytest.fixture(scope="session")
def other_state(kit: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A train-state.pt of a config with 5 keypoints (kit's tiny.yaml has 3)."""
    from flowmark_core.cli.train_cmd import main

    out = tmp_path_factory.mktemp("other-run") / "run"
    code = main(["--config", str(kit / "other.yaml"), "--data", str(kit / "data"),
                 "--out", str(out), "--max-steps", "1", "--device", "cpu"])  # fmt: skip
    assert code == 0
    return out / "train-state.pt"
