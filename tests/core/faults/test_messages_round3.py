"""Fault campaign 3: messages that named the wrong thing or came with a C library's line.
Each case names the root cause (RCn) of ../shared/reference/fault-campaign-3.md it holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.faults.test_bad_inputs import check_one_line_failure, run_program
from tests.core.faults.test_disk_full import full_disk  # noqa: F401 (a fixture)


def test_a_prior_given_as_the_model_is_named_as_such(
    kit: Path, tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    """RC29: `generate --model PRIOR` said ".../priors/x.safetensors: no motion prior"."""
    from flowmark_core.motion_prior.checkpoint import save_prior
    from flowmark_core.motion_prior.config import PriorModelConfig
    from flowmark_core.motion_prior.model import MotionPrior

    prior = tmp_path / "prior.safetensors"
    save_prior(prior, MotionPrior(PriorModelConfig(num_kp=3, hidden=8, latent=2)), {})
    argv = ["generate", str(kit / "source.png"), "-o", str(tmp_path / "g.mp4"), "--frames",
            "4", "--model", str(prior)]  # fmt: skip
    capfd.readouterr()
    code = run_program("flowmark", argv)
    check_one_line_failure(capfd.readouterr().err, code, 2, "is a motion prior")


def test_degrade_of_a_file_says_it_is_a_file(
    kit: Path, tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    """RC29: `data degrade FILE OUT` said "input folder not found" for an existing file."""
    argv = ["data", "degrade", str(kit / "source.png"), str(tmp_path / "out"), "--preset",
            "webcam"]  # fmt: skip
    capfd.readouterr()
    code = run_program("flowmark", argv)
    check_one_line_failure(capfd.readouterr().err, code, 2, "is a file")


def test_a_data_set_written_meanwhile_by_another_run_is_one_line(tmp_path: Path) -> None:
    """RC25: the losing one of two `data synth` into one OUT ended as "internal error
    (OSError: Directory not empty)"."""
    from flowmark_core.data.synthetic.writer import _atomic_folder
    from flowmark_core.errors import OutputFileError

    out = tmp_path / "ds"
    with pytest.raises(OutputFileError, match="another run"), _atomic_folder(out) as tmp:
        (tmp / "train").mkdir()
        (out / "test").mkdir(parents=True)  # the other run finished first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds"]


def test_degrade_on_a_full_disk_is_one_line(
    kit: Path,
    full_disk: Path,  # noqa: F811 (the fixture imported above)
    capfd: pytest.CaptureFixture,
) -> None:
    """RC26: libpng's own "libpng error: Write Error" came before our line."""
    argv = ["data", "degrade", str(kit / "data"), str(full_disk / "dg"), "--preset", "webcam"]
    capfd.readouterr()
    code = run_program("flowmark", argv)
    err = capfd.readouterr().err
    assert "libpng" not in err, err
    check_one_line_failure(err, code, 2, "no space left")


def test_a_card_that_cannot_be_read_or_contradicts_its_model_is_noted(
    kit: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture
) -> None:
    """RC29: an unparsable tiny.card.json was ignored silently, and a card saying 256 px was
    printed under a 32 px model without a word."""
    import json
    import shutil

    models = tmp_path / "res" / "models"
    models.mkdir(parents=True)
    for name in ("broken", "wrong"):
        shutil.copy(kit / "model.safetensors", models / f"{name}.safetensors")
    (models / "broken.card.json").write_text("{not json")
    (models / "wrong.card.json").write_text(json.dumps({"summary": "A 256 px model."}))
    monkeypatch.setenv("FLOWMARK_RESOURCES", str(tmp_path / "res"))
    capfd.readouterr()
    assert run_program("flowmark", ["models"]) == 0
    notes = [line for line in capfd.readouterr().err.splitlines() if ": note: " in line]
    assert len(notes) == 2, notes
    assert "broken.card.json: not a readable card" in notes[0]
    assert "wrong.card.json: says 256 px, but the model runs at 32 px" in notes[1]
