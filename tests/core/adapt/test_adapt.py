"""`flowmark adapt`: a tiny adaptation learns, saves a loadable model; bad inputs, one line."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from flowmark_core.adapt.clip import MIN_FRAMES, read_adapt_clip
from flowmark_core.adapt.finetune import Adapter, adapt_config, run_adaptation
from flowmark_core.adapt.measure import reconstruction_scores
from flowmark_core.adapt.session import AdaptRequest, adapt_video
from flowmark_core.checkpoints import load_model, read_checkpoint_header
from flowmark_core.cli.main import main
from flowmark_core.data.synthetic import render_clip
from tests.core.adapt.conftest import write_frames


def test_a_tiny_adaptation_lowers_the_reconstruction_error(
    tiny_model: Path, face_video: Path
) -> None:
    model, meta = load_model(tiny_model)
    clip = read_adapt_clip(face_video, model.config.image_size, face_crop=False)
    assert clip.frames.shape == (20, 32, 32, 3) and clip.flow.shape == (19, 32, 32, 2)
    before, identity = reconstruction_scores(model, clip.frames, clip.frames[0])
    adapter = Adapter(model, adapt_config(model, meta), clip, lr=3e-3, batch_size=4, seed=1)
    losses = run_adaptation(adapter, steps=25)
    after, _ = reconstruction_scores(model, clip.frames, clip.frames[0])
    assert len(losses) == 25 and adapter.step == 25
    assert np.mean(losses[-5:]) < np.mean(losses[:5])
    assert after < 0.8 * before, (before, after, identity)


def test_adapt_video_saves_a_model_that_loads_with_its_card(
    tiny_model: Path, face_video: Path, tmp_path: Path
) -> None:
    out = tmp_path / "me.safetensors"
    request = AdaptRequest(
        face_video, out, model=str(tiny_model), steps=3, seconds=None, face_crop=False
    )
    result = adapt_video(request)
    assert result.steps == 3 and not result.interrupted and math.isfinite(result.last_loss)
    model, _ = load_model(out)
    assert model.config.image_size == 32
    _, header = read_checkpoint_header(out)
    assert header["adapt"]["steps"] == 3 and "Adapted from tiny" in header["card"]


def test_ctrl_c_keeps_the_last_finished_step(
    tiny_model: Path, face_video: Path, tmp_path: Path
) -> None:
    out = tmp_path / "stopped.safetensors"

    def interrupt_at_two(step: int, _seconds: float, _fraction: float) -> None:
        if step == 2:
            raise KeyboardInterrupt

    request = AdaptRequest(
        face_video, out, model=str(tiny_model), steps=50, seconds=None, face_crop=False
    )
    result = adapt_video(request, on_step=interrupt_at_two)
    assert result.interrupted and result.steps == 2
    _, header = read_checkpoint_header(out)
    assert header["adapt"]["steps"] == 2
    load_model(out)


def _run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["adapt", *args])
    return code, capsys.readouterr().err.strip()


def test_an_existing_output_is_one_line_exit_2(
    tiny_model: Path, face_video: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "taken.safetensors"
    out.write_bytes(b"keep me")
    code, err = _run_cli(
        [str(face_video), "-o", str(out), "--model", str(tiny_model), "--steps", "1"], capsys
    )
    assert code == 2 and len(err.splitlines()) == 1 and "already exists" in err
    assert out.read_bytes() == b"keep me"


def test_a_video_too_short_is_one_line_exit_2(
    tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    short = write_frames(tmp_path / "short", render_clip("faces", 1, 2, MIN_FRAMES - 1, 64).frames)
    out = tmp_path / "x.safetensors"
    code, err = _run_cli(
        [str(short), "-o", str(out), "--model", str(tiny_model), "--steps", "1"], capsys
    )
    assert code == 2 and len(err.splitlines()) == 1 and "too short" in err
    assert not out.exists()


def test_no_face_found_is_one_line_exit_2(
    tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(0)
    noise = rng.integers(100, 140, (MIN_FRAMES, 64, 64, 3), dtype=np.uint8)
    blank = write_frames(tmp_path / "blank", noise)
    out = tmp_path / "x.safetensors"
    code, err = _run_cli(
        [str(blank), "-o", str(out), "--model", str(tiny_model), "--steps", "1"], capsys
    )
    assert code == 2 and len(err.splitlines()) == 1 and "no face found" in err
    assert not out.exists()
