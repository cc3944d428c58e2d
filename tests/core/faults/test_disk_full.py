"""A full disk (a small tmpfs): every command says "no space left on <folder>" in one line
(exit 2), the previous file at the target is intact and nothing temporary is left.

Needs permission to mount a tmpfs (root in a container that allows it); skipped otherwise,
with the reason."""

from __future__ import annotations

import contextlib
import errno
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core.faults.test_bad_inputs import check_one_line_failure, run_program, temporaries

OLD = b"the previous output, which must survive\n"


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 512 KiB tmpfs holding old.* targets, then filled to the last byte."""
    mount = tmp_path / "full"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or done.returncode})")
    try:
        for name in ("o.mp4", "o.gif", "t.npz", "p.png"):
            (mount / name).write_bytes(OLD)
        with contextlib.suppress(OSError), open(mount / "filler", "wb") as f:
            chunk = b"\0" * 4096
            while True:
                f.write(chunk)
                f.flush()
        with contextlib.suppress(OSError), open(mount / "filler2", "wb") as f:
            while True:  # the last partial block
                f.write(b"\0")
                f.flush()
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


M = "--model {kit}/model.safetensors"
FULL_CASES = (
    ("animate-mp4", "flowmark", f"animate {{kit}}/source.png {{kit}}/driving.mp4 -o {{full}}/o.mp4 {M}", "o.mp4"),
    ("animate-gif", "flowmark", f"animate {{kit}}/source.png {{kit}}/driving.mp4 -o {{full}}/o.gif {M}", "o.gif"),
    ("keypoints", "flowmark", f"keypoints {{kit}}/driving.mp4 -o {{full}}/t.npz {M}", "t.npz"),
    ("parts", "flowmark", f"parts {{kit}}/source.png -o {{full}}/p.png {M}", "p.png"),
    ("data-synth", "flowmark", "data synth --family faces --videos 2 --frames 2 --size 64 --workers 0 {full}/ds", None),
    ("evaluate", "flowmark", f"evaluate {{kit}}/data -o {{full}}/ev {M} --max-videos 1 --max-frames 2 --no-face-metrics", None),
    ("train", "train.py", "--config {kit}/tiny.yaml --data {kit}/data --out {full}/run --max-steps 1 --device cpu", None),
    ("train-prior", "flowmark", f"train-prior {{kit}}/data {M} --out {{full}}/prior --cache-dir {{full}}/../cache --frames 1 --batch-size 2 --hidden 8 --latent 2 --steps 2", None),
)  # fmt: skip


@pytest.mark.parametrize("case", FULL_CASES, ids=[c[0] for c in FULL_CASES])
def test_full_disk_is_one_line_and_keeps_the_old_file(
    case: tuple, kit: Path, full_disk: Path, capfd: pytest.CaptureFixture
) -> None:
    _id, program, argv, target = case
    capfd.readouterr()
    code = run_program(program, argv.format(kit=kit, full=full_disk).split())
    check_one_line_failure(capfd.readouterr().err, code, 2, "no space left on")
    if target is not None:
        assert (full_disk / target).read_bytes() == OLD
    assert temporaries(full_disk) == []
    assert sorted(p.name for p in full_disk.iterdir()) == sorted(
        ["o.mp4", "o.gif", "t.npz", "p.png", "filler", "filler2"]
    )


def test_filler_really_fills_the_disk(full_disk: Path) -> None:
    """The fixture's own check: not one more byte fits."""
    with pytest.raises(OSError) as info, open(full_disk / "more", "wb") as f:
        f.write(b"x" * 8192)
        f.flush()
    assert info.value.errno == errno.ENOSPC
