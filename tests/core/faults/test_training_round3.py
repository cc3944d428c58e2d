"""Fault campaign 3: run folders, resumes and stops of train.py and `flowmark train-prior`.
Each case names the root cause (RCn) of ../shared/reference/fault-campaign-3.md it holds."""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import pytest

from tests.core.faults.conftest import tree_digest
from tests.core.faults.test_bad_inputs import check_one_line_failure, run_program

#: A train-prior run on the kit: 2-frame windows of its 3-frame videos, a tiny prior.
PRIOR = "--frames 1 --batch-size 2 --hidden 8 --latent 2"


def _prior(kit: Path, out: Path, extra: str = "") -> list[str]:
    return (f"train-prior {kit}/data --model {kit}/model.safetensors --out {out} "
            f"--cache-dir {out.parent}/cache {PRIOR} --steps 2 {extra}").split()  # fmt: skip


def _train(kit: Path, out: Path, extra: str = "") -> list[str]:
    return (f"--config {kit}/tiny.yaml --data {kit}/data --out {out} --device cpu "
            f"--max-steps 1 {extra}").split()  # fmt: skip


@pytest.fixture(scope="module")
def prior_run(kit: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished 2-step prior run folder."""
    out = tmp_path_factory.mktemp("prior") / "P"
    assert run_program("flowmark", _prior(kit, out)) == 0
    return out


@pytest.fixture(scope="module")
def train_run(kit: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished 1-step train.py run folder."""
    out = tmp_path_factory.mktemp("train") / "A"
    assert run_program("train.py", _train(kit, out)) == 0
    return out


def test_prior_out_holding_a_prior_is_refused(
    kit: Path, prior_run: Path, capfd: pytest.CaptureFixture
) -> None:
    """RC2: a second train-prior into the same --out replaced the trained prior."""
    before = tree_digest(prior_run)
    capfd.readouterr()
    code = run_program("flowmark", _prior(kit, prior_run, "--seed 9"))
    check_one_line_failure(capfd.readouterr().err, code, 2, "--resume")
    assert tree_digest(prior_run) == before


def test_prior_resume_with_other_options_is_refused(
    kit: Path, prior_run: Path, capfd: pytest.CaptureFixture
) -> None:
    """RC16: resuming with other --frames / --lr / --tracks went on without a word."""
    before = tree_digest(prior_run)
    argv = (f"train-prior {kit}/data --model {kit}/model.safetensors --resume {prior_run} "
            f"--cache-dir {prior_run.parent}/cache --frames 2 --batch-size 2 --hidden 8 "
            "--latent 2 --steps 4 --lr 0.5").split()  # fmt: skip
    capfd.readouterr()
    code = run_program("flowmark", argv)
    err = capfd.readouterr().err
    check_one_line_failure(err, code, 2, "--frames 1 -> 2")
    assert "--lr " in err and "--force-resume" in err
    assert tree_digest(prior_run) == before


BAD_PRIOR_OPTIONS = (
    ("--threads -1", "--threads"),
    ("--seed -1", "--seed"),
    ("--max-videos 0", "--max-videos"),
    ("--max-videos -2", "--max-videos"),
    ("--max-steps 0", "--max-steps"),
    ("--max-steps -1", "--max-steps"),
    ("--kl-weight -1", "--kl-weight"),
    ("--kl-weight nan", "--kl-weight"),
    ("--lr inf", "--lr"),
    ("--hidden 2000000", "--hidden"),
    ("--latent 1000000000", "--latent"),
)


@pytest.mark.parametrize("case", BAD_PRIOR_OPTIONS, ids=[c[0] for c in BAD_PRIOR_OPTIONS])
def test_prior_options_are_checked_before_any_work(
    kit: Path, tmp_path: Path, case: tuple[str, str], capfd: pytest.CaptureFixture
) -> None:
    """RC20: bad values ended as internal errors, meant something else, or wrote an
    untrained prior; all after the tracks were extracted."""
    option, name = case
    capfd.readouterr()
    code = run_program("flowmark", _prior(kit, tmp_path / "run", option))
    check_one_line_failure(capfd.readouterr().err, code, 2, name)
    assert sorted(tmp_path.iterdir()) == []  # no cache, no run folder


@pytest.mark.parametrize("what", ["out-is-a-file", "cache-is-a-file", "out-inside-data"])
def test_prior_folders_are_checked_before_tracking(
    kit: Path, tmp_path: Path, what: str, capfd: pytest.CaptureFixture
) -> None:
    """RC20/RC18: --out or --cache-dir that is a file failed after tracking (internal
    error); an --out inside the data set was accepted and broke it."""
    data = tmp_path / "ds"
    shutil.copytree(kit / "data", data)
    out, cache = tmp_path / "run", tmp_path / "cache"
    if what == "out-is-a-file":
        out.write_text("x")
    elif what == "cache-is-a-file":
        cache.write_text("x")
    else:
        out = data / "train" / "prior"
    argv = (f"train-prior {data} --model {kit}/model.safetensors --out {out} "
            f"--cache-dir {cache} {PRIOR} --steps 2").split()  # fmt: skip
    capfd.readouterr()
    code = run_program("flowmark", argv)
    check_one_line_failure(
        capfd.readouterr().err, code, 2, out.name if what != "cache-is-a-file" else "cache"
    )
    assert not (tmp_path / "run").is_dir() and not (data / "train" / "prior").exists()
    assert not (cache / "tracks").exists() and not any(
        cache.glob("*.npz") if cache.is_dir() else []
    )


def test_prior_track_cache_follows_the_data(kit: Path, tmp_path: Path) -> None:
    """RC15: the track cache was reused after the data set's videos changed."""
    from flowmark_core.checkpoints import load_checkpoint
    from flowmark_core.motion_prior.tracks import cached_tracks

    data = tmp_path / "ds"
    shutil.copytree(kit / "data", data)
    model, _ = load_checkpoint(kit / "model.safetensors")
    model_path = kit / "model.safetensors"
    first = cached_tracks(model, model_path, data, tmp_path / "cache")
    assert not first[2]
    assert cached_tracks(model, model_path, data, tmp_path / "cache")[2]  # same data: cached
    video = sorted((data / "train").iterdir())[0]
    other = sorted((kit / "data" / "test").iterdir())[0]  # another clip under its name
    if video.is_dir():
        shutil.rmtree(video)
        shutil.copytree(other, video)
    else:
        shutil.copy(other, video)
    again = cached_tracks(model, model_path, data, tmp_path / "cache")
    assert not again[2]  # extracted again, not the stale cache


def test_prior_checkpoint_interval_is_an_option(kit: Path, tmp_path: Path) -> None:
    """RC9: train-prior saved only every 500 steps and had no option to change it."""
    from flowmark_core.training.state import load_train_state

    out = tmp_path / "P"
    assert run_program("flowmark", _prior(kit, out, "--checkpoint-every 1 --max-steps 1")) == 0
    assert load_train_state(out / "prior-train-state.pt")["step"] == 1


def test_train_resume_into_a_folder_holding_another_run_is_refused(
    kit: Path, train_run: Path, other_state: Path, capfd: pytest.CaptureFixture
) -> None:
    """RC3: --resume A --out B replaced the run in B."""
    b = other_state.parent
    before = tree_digest(b)
    argv = _train(kit, b, f"--resume {train_run} --max-steps 2")[:-2]
    capfd.readouterr()
    code = run_program("train.py", [*argv, "--max-steps", "2"])
    check_one_line_failure(capfd.readouterr().err, code, 2, "--resume")
    assert tree_digest(b) == before


def test_a_run_folder_in_use_is_refused(
    kit: Path, tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    """RC3: two trainers with one --out both ran; the later writer won."""
    out = tmp_path / "run"
    out.mkdir()
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another run holds it
        for program, argv in (("train.py", _train(kit, out)), ("flowmark", _prior(kit, out))):
            capfd.readouterr()
            code = run_program(program, argv)
            check_one_line_failure(capfd.readouterr().err, code, 2, "another run")
    finally:
        os.close(fd)
    assert sorted(out.iterdir()) == []


@pytest.mark.parametrize("change", ["config", "data"])
def test_train_resume_with_another_config_or_data_is_refused(
    kit: Path, train_run: Path, tmp_path: Path, change: str, capfd: pytest.CaptureFixture
) -> None:
    """RC16: train.py resumed with other lr / loss weights or another --data silently."""
    before = tree_digest(train_run)
    if change == "config":
        extra, name = "--set train.lr_generator=0.5", "train.lr_generator"
        argv = _train(kit, train_run, f"--resume {train_run} {extra}")
    else:
        shutil.copytree(kit / "data", tmp_path / "other")
        argv = _train(kit, train_run, f"--resume {train_run}")
        argv[argv.index("--data") + 1], name = str(tmp_path / "other"), "--data"
    argv[argv.index("--max-steps") + 1] = "2"
    capfd.readouterr()
    code = run_program("train.py", argv)
    check_one_line_failure(capfd.readouterr().err, code, 2, name)
    assert tree_digest(train_run) == before


def test_train_out_inside_the_data_set_is_refused(
    kit: Path, tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    """RC18: --out ds/train/run was accepted; the next run on ds took it for a video."""
    data = tmp_path / "ds"
    shutil.copytree(kit / "data", data)
    argv = _train(kit, data / "train" / "run")
    argv[argv.index("--data") + 1] = str(data)
    capfd.readouterr()
    code = run_program("train.py", argv)
    check_one_line_failure(capfd.readouterr().err, code, 2, "inside the data set")
    assert not (data / "train" / "run").exists()


def test_evaluate_output_inside_the_clip_folder_is_refused(
    kit: Path, tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    """RC18: evaluate clips -o clips/ev was accepted and broke the next evaluate on clips."""
    argv = (f"evaluate {kit}/data -o {kit}/data/test/ev --model {kit}/model.safetensors "
            "--max-videos 1 --max-frames 2 --no-face-metrics").split()  # fmt: skip
    before = tree_digest(kit)
    capfd.readouterr()
    code = run_program("flowmark", argv)
    check_one_line_failure(capfd.readouterr().err, code, 2, "inside the data folder")
    assert tree_digest(kit) == before and not (kit / "data" / "test" / "ev").exists()


def test_metrics_rows_past_the_resumed_step_are_dropped(tmp_path: Path) -> None:
    """RC17: after a kill and --resume, metrics.csv held the steps past the checkpoint twice."""
    from flowmark_core.training.logger import ScalarLogger

    logger = ScalarLogger(tmp_path)
    for step in range(1, 7):  # the killed run logged 1..6; its checkpoint was at 4
        logger.log(step, {"loss": float(step)})
    logger.close()
    resumed = ScalarLogger(tmp_path, start_step=4)
    resumed.log(5, {"loss": 50.0})
    resumed.close()
    rows = (tmp_path / "metrics.csv").read_text().splitlines()
    steps = [int(r.split(",")[0]) for r in rows[1:]]
    assert steps == [1, 2, 3, 4, 5] and rows[-1].endswith(",50")


@pytest.mark.parametrize(
    ("setting", "name"),
    [
        ("model.image_size=100", "image_size"),
        ("model.kp_detector.scale_factor=0.3", "scale_factor"),
    ],
)
def test_a_config_the_network_cannot_run_is_refused(
    kit: Path, tmp_path: Path, setting: str, name: str, capfd: pytest.CaptureFixture
) -> None:
    """RC23: image_size 100 passed the checks and died in a 40-line PyTorch traceback."""
    capfd.readouterr()
    code = run_program("train.py", _train(kit, tmp_path / "run", f"--set {setting}"))
    check_one_line_failure(capfd.readouterr().err, code, 2, name)


def test_a_repeated_yaml_key_is_refused(
    kit: Path, tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    """RC30: a second `train:` section silently reset every other train key to its default."""
    config = tmp_path / "dup.yaml"
    config.write_text((kit / "tiny.yaml").read_text() + "\ntrain:\n  steps: 3\n")
    argv = _train(kit, tmp_path / "run")
    argv[argv.index("--config") + 1] = str(config)
    capfd.readouterr()
    code = run_program("train.py", argv)
    check_one_line_failure(capfd.readouterr().err, code, 2, "'train' appears twice")
    assert not (tmp_path / "run").exists()


def test_the_command_line_bounds_are_the_library_bounds() -> None:
    """train-prior's option bounds are written twice (its parser imports no torch)."""
    from flowmark_core.cli import generate_cmd, train_prior_cmd
    from flowmark_core.motion_prior import config

    assert train_prior_cmd.MAX_FRAMES == generate_cmd.MAX_FRAMES == config.MAX_FRAMES
    assert (train_prior_cmd.MAX_HIDDEN, train_prior_cmd.MAX_LATENT) == (
        config.MAX_HIDDEN,
        config.MAX_LATENT,
    )


def test_train_prior_draws_no_progress_bar_into_a_log(
    kit: Path, tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    """RC28: train-prior (and adapt) drew tqdm's carriage-return frames into a log file."""
    capfd.readouterr()
    assert run_program("flowmark", _prior(kit, tmp_path / "P")) == 0
    assert "\r" not in capfd.readouterr().err
