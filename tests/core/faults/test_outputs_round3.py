"""Fault campaign 3: outputs that replaced an input, half-committed sets, a race that lost a
model, symbolic-link outputs, safetensors' own temporary, a wrong "no space" diagnosis.
Each case names the root cause (RCn) of ../shared/reference/fault-campaign-3.md it holds."""

from __future__ import annotations

import errno
import json
import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from flowmark_core.errors import OutputFileError
from tests.core.faults.test_bad_inputs import check_one_line_failure, run_program, temporaries

OLD = b"the previous output\n"


def _immutable(path: Path) -> None:
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"chattr +i is not available here ({done.stderr.decode().strip()})")


def _mutable(path: Path) -> None:
    subprocess.run(["chattr", "-i", str(path)], capture_output=True, check=False)


def test_generate_strip_naming_the_image_is_refused(
    kit: Path, tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    """RC1: `generate IMAGE --strip IMAGE` replaced the photo with the contact sheet."""
    face = tmp_path / "face.png"
    shutil.copy(kit / "source.png", face)
    before = face.read_bytes()
    argv = ["generate", str(face), "-o", str(tmp_path / "g.mp4"), "--frames", "4",
            "--strip", str(face)]  # fmt: skip
    capfd.readouterr()
    code = run_program("flowmark", argv)
    check_one_line_failure(capfd.readouterr().err, code, 2, "face.png")
    assert face.read_bytes() == before
    assert not (tmp_path / "g.mp4").exists()


def test_evaluate_results_are_committed_together(
    kit: Path, tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    """RC4: a results.md that cannot be replaced left a new results.json beside the old .md."""
    ev = tmp_path / "ev"
    ev.mkdir()
    for name in ("results.json", "results.md"):
        (ev / name).write_bytes(OLD)
    _immutable(ev / "results.md")
    try:
        argv = ["evaluate", str(kit / "data"), "-o", str(ev), "--model",
                str(kit / "model.safetensors"), "--max-videos", "1", "--max-frames", "2",
                "--no-face-metrics"]  # fmt: skip
        capfd.readouterr()
        code = run_program("flowmark", argv)
        check_one_line_failure(capfd.readouterr().err, code, 2, "results.md")
    finally:
        _mutable(ev / "results.md")
    assert (ev / "results.json").read_bytes() == OLD  # the pair is still the old run's
    assert sorted(p.name for p in ev.iterdir()) == ["results.json", "results.md"]


def test_output_set_puts_the_old_files_back(tmp_path: Path) -> None:
    """RC4 (the mechanism): the last rename fails, the earlier target gets its old file back
    and a target that did not exist before is removed again."""
    from flowmark_core.io.atomic import atomic_output
    from flowmark_core.io.output_set import OutputSet

    (tmp_path / "a.txt").write_bytes(OLD)
    with pytest.raises(OutputFileError, match="b.txt"), OutputSet() as together:
        for name in ("new.txt", "a.txt", "b.txt"):
            with atomic_output(tmp_path / name, group=together) as tmp:
                tmp.write_text("new run\n")
        tmp.unlink()  # b.txt's file is gone: its rename fails, after the other two
        together.commit()
    assert (tmp_path / "a.txt").read_bytes() == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_exclusive_output_never_replaces_a_file_written_meanwhile(tmp_path: Path) -> None:
    """RC5: adapt's "never overwrites" was check-then-rename; a run that finished first
    under the same name was replaced. The exclusive last step refuses instead."""
    from flowmark_core.io.atomic import atomic_output

    target = tmp_path / "m.safetensors"
    with (
        pytest.raises(OutputFileError, match="already exists"),
        atomic_output(target, exclusive=True) as tmp,
    ):
        tmp.write_bytes(b"second run")
        target.write_bytes(OLD)  # the other run finished first
    assert target.read_bytes() == OLD
    assert temporaries(tmp_path) == []


def test_adapt_saves_exclusively(kit: Path, tmp_path: Path) -> None:
    """RC5: the adapted model is written with the exclusive last step."""
    from flowmark_core.checkpoints import load_checkpoint, save_checkpoint

    model, _ = load_checkpoint(kit / "model.safetensors")
    target = tmp_path / "m.safetensors"
    save_checkpoint(target, model, {"step": 1}, exclusive=True)
    before = target.read_bytes()
    with pytest.raises(OutputFileError, match="already exists"):
        save_checkpoint(target, model, {"step": 2}, exclusive=True)
    assert target.read_bytes() == before
    source = (Path(__file__).parents[3] / "flowmark_core/adapt/session.py").read_text()
    assert "exclusive=True" in source


def test_model_save_leaves_no_library_temporary(
    kit: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RC11: safetensors' `save_file` writes its own `.tmpXXXXXX` beside the path it gets
    (left by a kill, matched by no clean-up of ours). Models and priors are written without
    it: the bytes go to our own temporary, which the next write removes when stale."""
    import safetensors.torch

    from flowmark_core.checkpoints import load_checkpoint, save_checkpoint
    from flowmark_core.motion_prior.checkpoint import save_prior
    from flowmark_core.motion_prior.config import PriorModelConfig
    from flowmark_core.motion_prior.model import MotionPrior

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("safetensors.torch.save_file makes its own temporary")

    monkeypatch.setattr(safetensors.torch, "save_file", refuse)
    for module in ("flowmark_core.checkpoints.files", "flowmark_core.motion_prior.checkpoint"):
        monkeypatch.setattr(f"{module}.save_file", refuse, raising=False)  # a name bound at import
    model, _ = load_checkpoint(kit / "model.safetensors")
    save_checkpoint(tmp_path / "m.safetensors", model, {})
    save_prior(tmp_path / "p.safetensors", MotionPrior(PriorModelConfig(num_kp=3, hidden=8)), {})
    assert load_checkpoint(tmp_path / "m.safetensors")[0] is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.safetensors", "p.safetensors"]


def test_output_through_a_symbolic_link_keeps_the_link(kit: Path, tmp_path: Path) -> None:
    """RC19: -o link.npz -> real/k.npz made the link a regular file and left real/k.npz old."""
    real = tmp_path / "real"
    real.mkdir()
    (real / "k.npz").write_bytes(OLD)
    link = tmp_path / "k.npz"
    link.symlink_to(real / "k.npz")
    argv = ["keypoints", str(kit / "driving.mp4"), "-o", str(link), "--model",
            str(kit / "model.safetensors")]  # fmt: skip
    assert run_program("flowmark", argv) == 0
    assert link.is_symlink()
    assert (real / "k.npz").read_bytes() != OLD
    with np.load(link) as data:
        assert len(data.files) > 0
    assert temporaries(tmp_path) == []


def test_an_error_with_its_own_errno_is_not_a_full_disk(tmp_path: Path) -> None:
    """RC27: on a nearly full file system any failure was reported as "no space left"."""
    from flowmark_core.io import atomic

    nearly_full = atomic.shutil.disk_usage
    atomic.shutil.disk_usage = lambda _p: nearly_full("/")._replace(free=1000)  # type: ignore[assignment]
    try:
        cross = OSError(errno.EXDEV, "Invalid cross-device link")
        assert not atomic.is_out_of_space(tmp_path, cross)
        assert atomic.is_out_of_space(tmp_path, OSError(errno.ENOSPC, "full"))
        assert atomic.is_out_of_space(tmp_path, None)  # a writer that hides its cause
    finally:
        atomic.shutil.disk_usage = nearly_full  # type: ignore[assignment]


def test_a_symbolic_link_loop_is_one_line(
    kit: Path, tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    """RC25: a source that is a link loop ended as "internal error (RuntimeError ...)"."""
    (tmp_path / "b.png").symlink_to(tmp_path / "a.png")
    (tmp_path / "a.png").symlink_to(tmp_path / "b.png")
    argv = ["parts", str(tmp_path / "a.png"), "-o", str(tmp_path / "p.png"), "--model",
            str(kit / "model.safetensors")]  # fmt: skip
    capfd.readouterr()
    code = run_program("flowmark", argv)
    check_one_line_failure(capfd.readouterr().err, code, 2, "a.png")


def test_a_vanished_working_folder_is_one_line(
    kit: Path, tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    """RC25: evaluate's relative default -o in a deleted working folder: internal error."""
    gone = tmp_path / "gone"
    gone.mkdir()
    here = os.getcwd()
    os.chdir(gone)
    try:
        gone.rmdir()
        argv = ["evaluate", str(kit / "data"), "--model", str(kit / "model.safetensors"),
                "--max-videos", "1", "--max-frames", "2", "--no-face-metrics"]  # fmt: skip
        capfd.readouterr()
        code = run_program("flowmark", argv)
        err = capfd.readouterr().err
    finally:
        os.chdir(here)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and "internal error" not in err, err


@pytest.mark.parametrize("stdout", ["closed-pipe", "full-device"])
def test_a_failing_stdout_does_not_fail_finished_work(
    kit: Path, tmp_path: Path, stdout: str
) -> None:
    """RC24: `| head` or `> /dev/full` turned a written k.npz into exit 1 or 2."""
    root = Path(__file__).resolve().parents[3]
    out = tmp_path / "k.npz"
    cmd = [str(root / ".venv/bin/python"), "-m", "flowmark_core.cli.main", "keypoints",
           str(kit / "driving.mp4"), "-o", str(out), "--model", str(kit / "model.safetensors")]  # fmt: skip
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(root))
    if stdout == "full-device":
        with open("/dev/full", "w") as full:
            done = subprocess.run(cmd, stdout=full, stderr=subprocess.PIPE, text=True, env=env)
    else:
        read, write = os.pipe()
        os.close(read)  # the reader has left before anything is printed
        done = subprocess.run(cmd, stdout=write, stderr=subprocess.PIPE, text=True, env=env)
        os.close(write)
    assert done.returncode == 0, done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert out.is_file()


def test_a_huge_header_is_refused_before_the_network_is_built(kit: Path, tmp_path: Path) -> None:
    """RC7: a 96 KB model whose header claims 8192-channel layers allocated 19 GB before its
    shape error. The shapes are compared on the meta device first: nothing is allocated."""
    from flowmark_core.checkpoints import load_checkpoint
    from flowmark_core.errors import CheckpointError
    from flowmark_core.models import build_model as real_build
    from tests.core.faults.conftest import _raw_safetensors

    model, _ = load_checkpoint(kit / "model.safetensors")
    cfg = json.loads(json.dumps(_config_dict(model.config)))
    for part in ("kp_detector", "generator"):
        cfg[part]["block_expansion"] = cfg[part]["max_features"] = 8192
    header = {"format": "flowmark-checkpoint-v1", "flowmark.model_config": json.dumps(cfg),
              "flowmark.meta": "{}"}  # fmt: skip
    path = tmp_path / "huge-channels.safetensors"
    _raw_safetensors(path, model.state_dict(), header)
    built: list[str] = []
    import flowmark_core.checkpoints.files as checkpoint_files

    def recording_build(config):  # the real build, noting where its tensors live
        net = real_build(config)
        built.append(str(next(iter(net.state_dict().values())).device))
        return net

    checkpoint_files.build_model = recording_build  # type: ignore[assignment]
    try:
        with pytest.raises(CheckpointError, match="huge-channels"):
            load_checkpoint(path)
    finally:
        checkpoint_files.build_model = real_build  # type: ignore[assignment]
    assert built == ["meta"], built


def test_prior_header_checks_before_building(kit: Path, tmp_path: Path) -> None:
    """RC7/RC22: a prior header with latent 1e9 or metadata that is a list is one error."""
    from flowmark_core.errors import CheckpointError
    from flowmark_core.motion_prior.checkpoint import load_prior, save_prior
    from flowmark_core.motion_prior.config import PriorModelConfig
    from flowmark_core.motion_prior.model import MotionPrior
    from tests.core.faults.conftest import _raw_safetensors

    prior = MotionPrior(PriorModelConfig(num_kp=3, hidden=8, latent=2))
    save_prior(tmp_path / "good.safetensors", prior, {"step": 1})
    state = prior.state_dict()
    plain = {"num_kp": 3, "hidden": 8, "latent": 10**9, "cell": "gru", "jacobian_bound": 1.0}
    base = {"format": "flowmark-motion-prior-v1", "flowmark.meta": "{}"}
    _raw_safetensors(tmp_path / "latent.safetensors", state,
                     dict(base, **{"flowmark.prior_config": json.dumps(plain)}))  # fmt: skip
    plain["latent"] = 2
    _raw_safetensors(tmp_path / "meta-list.safetensors", state,
                     dict(base, **{"flowmark.prior_config": json.dumps(plain),
                                   "flowmark.meta": '["x"]'}))  # fmt: skip
    plain["latent"] = 4  # a shape mismatch found from the header alone
    _raw_safetensors(tmp_path / "latent4.safetensors", state,
                     dict(base, **{"flowmark.prior_config": json.dumps(plain)}))  # fmt: skip
    for name in ("latent", "meta-list", "latent4"):
        with pytest.raises(CheckpointError, match=name):
            load_prior(tmp_path / f"{name}.safetensors")


def test_text_step_in_a_model_header_is_one_error(kit: Path, tmp_path: Path) -> None:
    """RC22: "step": "abc" in a model's metadata ended as internal error in adapt."""
    from flowmark_core.checkpoints import load_checkpoint
    from flowmark_core.errors import CheckpointError
    from tests.core.faults.conftest import _raw_safetensors

    model, _ = load_checkpoint(kit / "model.safetensors")
    header = {"format": "flowmark-checkpoint-v1",
              "flowmark.model_config": json.dumps(_config_dict(model.config)),
              "flowmark.meta": json.dumps({"step": "abc"})}  # fmt: skip
    _raw_safetensors(tmp_path / "meta-step-text.safetensors", model.state_dict(), header)
    with pytest.raises(CheckpointError, match="meta-step-text.*step"):
        load_checkpoint(tmp_path / "meta-step-text.safetensors")


def _config_dict(config: object) -> dict:
    from flowmark_core.config import to_dict

    return to_dict(config)


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    """RC14: a portrait phone photo (EXIF orientation 6) was read sideways."""
    from PIL import Image

    from flowmark_core.io.images import read_image

    pixels = (np.random.default_rng(0).random((64, 96, 3)) * 255).astype(np.uint8)
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, shown rotated 90 degrees clockwise
    Image.fromarray(pixels).save(tmp_path / "rot6.jpg", exif=exif, quality=100)
    image = read_image(tmp_path / "rot6.jpg")
    assert image.shape == (96, 64, 3)
    stored = cv2.imdecode(np.fromfile(tmp_path / "rot6.jpg", np.uint8), cv2.IMREAD_UNCHANGED)
    assert np.array_equal(image, np.rot90(stored[:, :, ::-1], k=-1))


def test_a_lying_png_header_is_one_line(
    kit: Path, tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    """RC26: libpng's own "libpng error: Not enough image data" came before our line."""
    from PIL import Image

    Image.fromarray(np.zeros((64, 64, 3), np.uint8) + 90).save(tmp_path / "full.png")
    data = bytearray((tmp_path / "full.png").read_bytes())
    struct.pack_into(">I", data, 20, 128)  # IHDR height: 128 rows promised, 64 stored
    struct.pack_into(">I", data, 29, zlib.crc32(bytes(data[12:29])))  # a valid IHDR CRC
    (tmp_path / "lying.png").write_bytes(bytes(data))
    argv = ["parts", str(tmp_path / "lying.png"), "-o", str(tmp_path / "p.png"), "--model",
            str(kit / "model.safetensors")]  # fmt: skip
    capfd.readouterr()
    code = run_program("flowmark", argv)
    err = capfd.readouterr().err
    assert code == 2 and "libpng" not in err, err
    check_one_line_failure(err, code, 2, "lying.png")
