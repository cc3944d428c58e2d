"""Unit-level guards behind the fault table: finite weights, config ranges, YAML 1.1 numbers,
worker errors as data, output modes, stale temporaries, output = input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from flowmark_core.checkpoints import save_checkpoint
from flowmark_core.config import LossConfig, TrainConfig
from flowmark_core.config.files import load_config
from flowmark_core.errors import CheckpointError, ConfigError, DatasetError, OutputFileError
from flowmark_core.io.atomic import atomic_output, refuse_output_over_input
from flowmark_core.models import build_model
from flowmark_core.training.data import LoadFailure, SeededSamples, collate
from tests.model_configs import compact_config


def test_a_model_with_1e30_weights_is_not_written(tmp_path: Path) -> None:
    model = build_model(compact_config(num_kp=3, size=32, width=4, blocks=2, down_blocks=1))
    with torch.no_grad():
        next(model.parameters()).fill_(1e30)
    (tmp_path / "m.safetensors").write_bytes(b"previous")
    with pytest.raises(CheckpointError, match="not written"):
        save_checkpoint(tmp_path / "m.safetensors", model)
    assert (tmp_path / "m.safetensors").read_bytes() == b"previous"


def test_scientific_notation_is_a_number(tmp_path: Path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text("train:\n  lr_generator: 1e-3\n")
    assert load_config(p, ["train.lr_kp_detector=5E-4"]).train.lr_kp_detector == 5e-4
    assert load_config(p).train.lr_generator == 1e-3


@pytest.mark.parametrize(
    "kwargs", [{"log_every": 0}, {"lr_generator": float("nan")}, {"steps": -1}, {"betas": (0.5,)}]
)
def test_train_config_ranges(kwargs: dict) -> None:
    with pytest.raises(ConfigError):
        TrainConfig(**kwargs)


def test_feature_matching_needs_a_gan_weight() -> None:
    with pytest.raises(ConfigError, match="feature_matching"):
        LossConfig(feature_matching=1.0)
    assert LossConfig(feature_matching=1.0, discriminator_gan=1.0).uses_gan


class _Broken(torch.utils.data.Dataset):
    def __len__(self) -> int:
        return 2

    def __getitem__(self, i: int) -> object:
        raise DatasetError("clip7/: has 1 frame, needs 2")


def test_a_data_error_in_a_worker_arrives_as_one_line() -> None:
    batch = collate([SeededSamples(_Broken(), 0)[0]])
    assert isinstance(batch, LoadFailure)
    error = batch.error()
    assert isinstance(error, DatasetError) and str(error) == "clip7/: has 1 frame, needs 2"


def test_outputs_get_the_usual_mode_even_when_the_writer_recreates_the_file(
    tmp_path: Path,
) -> None:
    target = tmp_path / "x.bin"
    with atomic_output(target) as tmp:
        tmp.unlink()
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT, 0o600)  # like safetensors' writer
        os.write(fd, b"data")
        os.close(fd)
    mask = os.umask(0o022)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


def test_a_stale_temporary_of_a_dead_writer_goes_at_the_next_write(tmp_path: Path) -> None:
    finished = subprocess.Popen(["true"])
    finished.wait()
    dead = finished.pid  # a process that has exited
    stale = tmp_path / f".x.{dead}-00ff00ff.tmp.bin"
    stale.write_bytes(b"half")
    live = tmp_path / f".x.{os.getppid()}-00ff00ff.tmp.bin"  # a running process: kept
    live.write_bytes(b"busy")
    with atomic_output(tmp_path / "x.bin") as tmp:
        tmp.write_bytes(b"new")
    assert not stale.exists() and live.exists()


def test_output_equal_to_input_through_a_link_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "a.png"
    src.write_bytes(b"img")
    (tmp_path / "b.png").symlink_to(src)
    os.link(src, tmp_path / "c.png")
    for out in ("a.png", "b.png", "c.png"):
        with pytest.raises(OutputFileError, match="destroy the input"):
            refuse_output_over_input(tmp_path / out, src)
    refuse_output_over_input(tmp_path / "d.png", src)


def test_ctrl_c_while_ffmpeg_finishes_stays_an_interrupt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C during the final encode (a long GIF) is exit 130, not "encoder failed"."""
    import numpy as np

    from flowmark_core.io.ffmpeg_encoder import FfmpegEncoder
    from flowmark_core.io.video_writer import VideoWriter

    def interrupted(self: FfmpegEncoder) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(FfmpegEncoder, "finish", interrupted)
    writer = VideoWriter(tmp_path / "o.gif", fps=5)
    writer.write(np.zeros((16, 16, 3), np.uint8))
    with pytest.raises(KeyboardInterrupt):
        writer.close()
    assert list(tmp_path.iterdir()) == []


def test_the_schema_module_does_not_import_the_loader() -> None:
    code = (
        "import sys, flowmark_core.config; "
        "print(' '.join(m for m in sys.modules if m.startswith('flowmark_core.config.')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = {name.rsplit(".", 1)[1] for name in done.stdout.split()}
    assert loaded == {"checks", "data", "experiment", "loss", "mapping", "model", "train"}


def test_a_killed_synth_leaves_a_folder_the_next_run_removes(tmp_path: Path) -> None:
    from flowmark_core.data.synthetic.writer import synthesize_dataset

    finished = subprocess.Popen(["true"])
    finished.wait()
    stale = tmp_path / f".ds.{finished.pid}-abc123.tmp"  # what a SIGKILL leaves
    (stale / "train").mkdir(parents=True)
    synthesize_dataset(tmp_path / "ds", "faces", videos=1, frames=2, size=64, workers=0,
                       progress=False)  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds"]


def test_synth_says_when_no_video_is_left_for_test(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    from flowmark_core.cli.main import main

    argv = ["data", "synth", "--family", "faces", "--videos", "1", "--frames", "2", "--size",
            "64", "--workers", "0", str(tmp_path / "ds")]  # fmt: skip
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "note: no test video" in err
    assert not any((tmp_path / "ds" / "test").iterdir())
