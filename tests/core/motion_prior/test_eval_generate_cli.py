"""`flowmark evaluate --task generate` end to end on a tiny synthetic data set."""

import json
from pathlib import Path

import numpy as np
import pytest

from flowmark_core.cli.main import main


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gen-eval") / "faces"
    args = ["data", "synth", "--family", "faces", "--videos", "4", "--frames", "7", "--size", "64"]
    assert main([*args, "--test-fraction", "0.5", "--clips-per-id", "1", str(root)]) == 0
    return root


def _evaluate_generate(data: Path, model: Path, out: Path, *extra: str) -> int:
    """`flowmark evaluate DATA --task generate --model MODEL [extra] -o OUT`; the exit status."""
    return main(
        ["evaluate", str(data), "--task", "generate", "--model", str(model), *extra, "-o", str(out)]
    )


def test_generate_task_writes_every_method(
    tiny_data: Path, generation_files: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "eval"
    model = generation_files["model"]
    code = _evaluate_generate(tiny_data, model, out, "--max-frames", "6", "--samples", "2")
    assert code == 0
    results = json.loads((out / "results.json").read_text())
    rows = results["methods"]
    assert results["videos"] == 2 and results["options"]["frames"] == 6
    assert rows["true_keypoints"]["track_error_px"] == 0.0
    assert rows["static"]["speed_mean"] == 0.0
    # best of N is never worse than the mean over the same samples
    assert rows["best_of_n"]["track_error_px"] <= rows["samples"]["track_error_px"] + 1e-9
    assert rows["best_of_n"]["l1"] <= rows["samples"]["l1"] + 1e-9
    for m in ("static", "constant_velocity", "samples", "prior_mean", "true_keypoints"):
        assert np.isfinite(rows[m]["l1"]) and np.isfinite(rows[m]["fd_detector"])
    assert "NOT comparable" in (out / "results.md").read_text()
    assert set(results["references"]) >= {"real_raw", "real_flow", "landmarks"}


def test_generate_task_needs_two_samples(
    tiny_data: Path,
    generation_files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "eval"
    code = _evaluate_generate(tiny_data, generation_files["model"], out, "--samples", "1")
    err = capsys.readouterr().err.strip()
    assert code == 2 and "--samples 1" in err and len(err.splitlines()) == 1
    assert not out.exists()


def test_train_prior_cli_caches_tracks_resumes_and_feeds_generate(
    tiny_data: Path,
    generation_files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from flowmark_core.motion_prior.checkpoint import load_prior

    out, cache = tmp_path / "run", tmp_path / "cache"
    base = [
        "train-prior",
        str(tiny_data),
        "--model",
        str(generation_files["model"]),
        "--frames",
        "4",
        "--hidden",
        "8",
        "--latent",
        "2",
        "--batch-size",
        "4",
        "--cache-dir",
        str(cache),
        "--out",
        str(out),
    ]
    assert main([*base, "--steps", "4", "--max-steps", "2"]) == 0
    assert "tracks extracted" in capsys.readouterr().out
    assert len(list(cache.glob("tracks-train-raw-*.npz"))) == 1
    assert main([*base, "--steps", "4", "--resume", str(out)]) == 0
    text = capsys.readouterr().out
    assert "tracks cached" in text and "steps 2->4" in text
    prior, meta = load_prior(out / "prior.safetensors")
    assert meta["step"] == 4 and meta["num_kp"] == 4 and meta["animation_model"] == "tiny"
    assert prior.config.num_kp == 4
    video = tmp_path / "g.mp4"
    code = main(
        [
            "generate",
            str(
                tiny_data
                / "test"
                / next(iter(sorted(p.name for p in (tiny_data / "test").iterdir())))
                / "000000.png"
            ),
            "-o",
            str(video),
            "--model",
            str(generation_files["model"]),
            "--prior",
            str(out / "prior.safetensors"),
            "--frames",
            "3",
        ]
    )
    assert code == 0 and video.is_file()


def test_train_prior_bad_options_are_one_line(
    tiny_data: Path,
    generation_files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = [
        "train-prior",
        str(tiny_data),
        "--model",
        str(generation_files["model"]),
        "--out",
        str(tmp_path / "r"),
        "--cache-dir",
        str(tmp_path / "c"),
    ]
    assert main([*base, "--steps", "0"]) == 2
    assert "--steps: expected an integer >= 1, got 0" in capsys.readouterr().err
    assert main([*base, "--frames", "40", "--steps", "1"]) == 2  # videos have 7 frames
    err = capsys.readouterr().err.strip()
    assert "windows of 41" in err and len(err.splitlines()) == 1
    assert main(["train-prior", str(tmp_path / "nothing"), "--out", str(tmp_path / "r2")]) == 2
    assert not (tmp_path / "r2").exists()
