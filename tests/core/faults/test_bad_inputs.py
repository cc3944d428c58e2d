"""Bad inputs x commands (see cases.py): exit 2, one line naming the culprit, no traceback,
no temporaries left, inputs unchanged. The counts and results are in docs/reliability.md."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.core.faults.cases import CASES, Case
from tests.core.faults.conftest import tree_digest


def run_program(program: str, argv: list[str]) -> int:
    """Run `flowmark` or `train.py` in this process; argparse exits become return codes."""
    if program == "flowmark":
        from flowmark_core.cli.main import main
    else:
        from flowmark_core.cli.train_cmd import main
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else 2


def temporaries(*roots: Path) -> list[Path]:
    """Files or folders whose names look like our temporaries (`.<name>.*.tmp*`)."""
    return [p for root in roots for p in root.rglob(".*") if ".tmp" in p.name]


def check_one_line_failure(err: str, code: int, expected: int, names: str) -> None:
    """One line says what failed; only `note:` lines may come before it."""
    lines = [line for line in err.splitlines() if line.strip() and ": note: " not in line]
    assert code == expected, err
    assert len(lines) == 1, err
    assert "Traceback" not in err and "internal error" not in err, err
    assert names in lines[0], lines[0]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_fails_in_one_line(
    case: Case, kit: Path, tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    (tmp_path / "link.mp4").symlink_to(kit / "driving.mp4")
    os.link(kit / "source.png", tmp_path / "hard.png")
    before = tree_digest(kit)
    argv = case.argv.format(
        kit=kit, tmp=tmp_path, link=tmp_path / "link.mp4", hard=tmp_path / "hard.png"
    ).split()
    capfd.readouterr()
    code = run_program(case.program, argv)
    err = capfd.readouterr().err
    check_one_line_failure(err, code, case.code, case.names)
    assert tree_digest(kit) == before
    assert temporaries(kit, tmp_path) == []
    assert not (tmp_path / "run").exists()  # a failed start leaves no run folder


def test_resume_from_another_config_is_one_line(
    kit: Path, other_state: Path, tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    argv = ["--config", str(kit / "tiny.yaml"), "--data", str(kit / "data"), "--out",
            str(tmp_path / "run"), "--resume", str(other_state)]  # fmt: skip
    capfd.readouterr()
    code = run_program("train.py", argv)
    check_one_line_failure(capfd.readouterr().err, code, 2, "another model config")
    assert not (tmp_path / "run").exists()


def test_out_holding_a_run_is_refused_without_resume(
    kit: Path, other_state: Path, capfd: pytest.CaptureFixture
) -> None:
    run = other_state.parent
    before = tree_digest(run)
    argv = ["--config", str(kit / "other.yaml"), "--data", str(kit / "data"), "--out", str(run)]
    capfd.readouterr()
    code = run_program("train.py", argv)
    check_one_line_failure(capfd.readouterr().err, code, 2, "--resume")
    assert tree_digest(run) == before


def test_scientific_notation_and_overwrite_are_accepted(
    kit: Path, other_state: Path, capfd: pytest.CaptureFixture
) -> None:
    """`1e-3` (a string to YAML 1.1) is a number; --overwrite restarts a run folder."""
    run = other_state.parent
    argv = ["--config", str(kit / "other.yaml"), "--data", str(kit / "data"), "--out", str(run),
            "--set", "train.lr_generator=1e-3", "--max-steps", "1", "--overwrite"]  # fmt: skip
    assert run_program("train.py", argv) == 0
    assert (run / "train-state.pt").exists()
    assert oct((run / "model.safetensors").stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_models_lists_the_readable_bundled_models_and_names_a_broken_one(
    kit: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture
) -> None:
    import flowmark_core.resources as resources
    from flowmark_core.cli.main import main

    models = {"good": kit / "model.safetensors", "broken": kit / "meta-list.safetensors"}
    monkeypatch.setattr(resources, "bundled_models", lambda: models)
    assert main(["models"]) == 0
    out, err = capfd.readouterr()
    assert "good" in out and "broken" not in out
    assert "broken" in err and "meta-list.safetensors" in err and "Traceback" not in err


def test_an_immutable_target_is_one_line_naming_it(
    kit: Path, tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    import subprocess

    target = tmp_path / "p.png"
    target.write_bytes(b"previous")
    if subprocess.run(["chattr", "+i", str(target)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available on this file system")
    try:
        capfd.readouterr()
        code = run_program(
            "flowmark",
            ["parts", str(kit / "source.png"), "-o", str(target), "--model",
             str(kit / "model.safetensors")],
        )  # fmt: skip
        err = capfd.readouterr().err
    finally:
        subprocess.run(["chattr", "-i", str(target)], check=False)
    check_one_line_failure(err, code, 2, "p.png: cannot be replaced")
    assert ".tmp" not in err  # the message names the target, never our temporary
    assert target.read_bytes() == b"previous"
    assert temporaries(tmp_path) == []
