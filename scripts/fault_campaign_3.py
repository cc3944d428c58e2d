"""Re-run the 87 cases that failed in fault campaign 3 (../shared/reference/fault-campaign-3.md)
against this tree, and count how many hold now. Not part of the test suite (it takes minutes,
mounts tmpfs file systems and measures memory); run it with `nice`:

    nice .venv/bin/python scripts/fault_campaign_3.py [--work DIR] [--only ID ...]

Each case is judged by what the report says should have happened (its "why / note" column):
exit status, one error line naming the thing at fault, files left or changed, memory.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
ENV = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT))
FLOWMARK = [PY, "-m", "flowmark_core.cli.main"]
TRAIN = [PY, str(ROOT / "train.py")]
W: Path = Path()  # the work folder (set in main)
CASES: dict[str, Callable[[Path], tuple[bool, str]]] = {}
Result = tuple[bool, str]


def case(name: str) -> Callable[[Callable[[Path], Result]], Callable[[Path], Result]]:
    def register(fn: Callable[[Path], Result]) -> Callable[[Path], Result]:
        CASES[name] = fn
        return fn

    return register


def run(argv: list[str], timeout: float = 600, **kw: object) -> tuple[int, str, str]:
    done = subprocess.run(argv, capture_output=True, text=True, env=kw.pop("env", ENV),
                          timeout=timeout, **kw)  # type: ignore[call-overload]  # fmt: skip
    return done.returncode, done.stdout, done.stderr


def fm(*args: str, **kw: object) -> tuple[int, str, str]:
    return run([*FLOWMARK, *args], **kw)


def tr(*args: str, **kw: object) -> tuple[int, str, str]:
    return run([*TRAIN, *args], **kw)


def errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.strip() and ": note: " not in line]


def one_line(code: int, err: str, names: str, want: int = 2) -> Result:
    lines = errors(err)
    if code != want:
        return False, f"exit {code} (want {want}): {lines[-1:] or err[-200:]}"
    if want == 0:
        return True, "exit 0"
    if len(lines) != 1 or "internal error" in err or "Traceback" in err:
        return False, f"{len(lines)} error lines: {lines[:3]}"
    return (names in lines[0]), lines[0][:160]


def temporaries(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob(".*") if ".tmp" in p.name]


def digest(folder: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def scratch(name: str) -> Path:
    folder = W / "cases" / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def start(argv: list[str], **kw: object) -> subprocess.Popen[str]:
    return subprocess.Popen(argv, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, **kw)  # type: ignore[call-overload]  # fmt: skip


def wait_for(
    condition: Callable[[], bool], proc: subprocess.Popen[str], limit: float = 120
) -> bool:
    deadline = time.monotonic() + limit
    while not condition():
        if proc.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def finish(proc: subprocess.Popen[str], limit: float = 120) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    return proc.returncode, out, err


def mount_tmpfs(folder: Path, size: str, readonly: bool = False) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    opts = f"size={size}" + (",ro" if readonly else "")
    return subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(folder)],
                          capture_output=True).returncode == 0  # fmt: skip


def umount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def fill(folder: Path) -> None:
    with contextlib.suppress(OSError), open(folder / "filler", "wb") as f:
        while True:
            f.write(b"\0" * 4096)
            f.flush()
    with contextlib.suppress(OSError), open(folder / "filler2", "wb") as f:
        while True:
            f.write(b"\0")
            f.flush()


def tree_rss_mb(pid: int) -> float:
    """Resident memory of `pid` and its descendants, MB."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        with contextlib.suppress(OSError, ValueError, IndexError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
    return total / 1024


def watch_memory(argv: list[str], seconds: float = 40, limit_mb: float = 2000) -> Result:
    proc = start(argv)
    peak, t0 = 0.0, time.monotonic()
    while proc.poll() is None and time.monotonic() - t0 < seconds:
        peak = max(peak, tree_rss_mb(proc.pid))
        if peak > limit_mb:
            break
        time.sleep(0.5)
    code, _, _err = finish(proc, limit=1) if proc.poll() is None else finish(proc)
    if peak > limit_mb:
        return False, f"RSS passed {limit_mb:.0f} MB after {time.monotonic() - t0:.0f} s"
    return True, f"peak {peak:.0f} MB over {time.monotonic() - t0:.0f} s (exit {code})"


# -- the kit -----------------------------------------------------------------------------
def build_kit() -> None:
    """tiny.safetensors (random 3-keypoint 64 px model), tiny.yaml, ds, src.png, drv*.mp4."""
    if (W / "kit-done").exists():
        return
    code = f"""
import numpy as np, yaml, json
from pathlib import Path
from flowmark_core.checkpoints import save_checkpoint
from flowmark_core.config import DataConfig, to_dict
from flowmark_core.io.images import read_image, write_image
from flowmark_core.io.video_writer import VideoWriter
from flowmark_core.models import build_model
from tests.core.training.helpers import tiny_experiment
from tests.model_configs import compact_config
import cv2
W = Path({str(W)!r})
save_checkpoint(W / "tiny.safetensors", build_model(compact_config(num_kp=3, size=64, width=4, blocks=2, down_blocks=1)), {{"step": 0}})
exp = to_dict(tiny_experiment(steps=4, batch=2))
exp["data"] = to_dict(DataConfig(num_workers=0)); exp["loss"]["flow"] = {{"weight": 0.0}}
(W / "tiny.yaml").write_text(yaml.safe_dump(exp))
src = cv2.resize(read_image({str(ROOT / "flowmark_core/resources/media/source.png")!r}), (96, 96))
write_image(W / "src.png", src)
rng = np.random.default_rng(0)
for name, n in (("drv.mp4", 12), ("drv60.mp4", 60)):
    with VideoWriter(W / name, fps=25) as w:
        for t in range(n):
            w.write(np.roll(src, 2 * t, axis=1))
with VideoWriter(W / "noise60.mp4", fps=25) as w:
    for t in range(60):
        w.write((rng.random((64, 64, 3)) * 255).astype(np.uint8))
"""
    assert run([PY, "-c", code], cwd=str(ROOT))[0] == 0
    code, _, err = fm("data", "synth", "--family", "faces", "--videos", "8", "--frames", "12",
                      "--size", "64", "--workers", "0", str(W / "ds"))  # fmt: skip
    assert code == 0, err
    (W / "kit-done").write_text("")


def tiny() -> str:
    return str(W / "tiny.safetensors")


def prior_args(out: Path, *extra: str) -> list[str]:
    return ["train-prior", str(W / "ds"), "--model", tiny(), "--out", str(out), "--frames", "4",
            "--batch-size", "4", "--cache-dir", str(W / "cache"), *extra]  # fmt: skip


def train_args(out: Path, *extra: str) -> list[str]:
    return ["--config", str(W / "tiny.yaml"), "--data", str(W / "ds"), "--out", str(out),
            "--device", "cpu", *extra]  # fmt: skip


# -- generate / adapt / train-prior options ------------------------------------------------
for _name, _opt, _val in (("gen-seed-2pow64", "--seed", "18446744073709551616"),
                          ("gen-fps-inf", "--fps", "inf"), ("gen-fps-1e9", "--fps", "1e9"),
                          ("gen-fps-tiny", "--fps", "1e-9")):  # fmt: skip

    def _gen_option(w: Path, opt: str = _opt, val: str = _val) -> Result:
        code, _, err = fm("generate", str(W / "src.png"), "-o", str(w / "g.mp4"), "--frames", "4",
                          opt, val)  # fmt: skip
        return one_line(code, err, opt)

    case(_name)(_gen_option)


@case("gen-model-is-prior")
def _(w: Path) -> Result:
    prior = ROOT / "flowmark_core/resources/models/priors/puppets-faces-128.safetensors"
    code, _, err = fm("generate", str(W / "src.png"), "-o", str(w / "g.mp4"), "--frames", "4",
                      "--model", str(prior))  # fmt: skip
    return one_line(code, err, "is a motion prior")


@case("gen-strip-is-input")
def _(w: Path) -> Result:
    shutil.copy(W / "src.png", w / "face.png")
    before = (w / "face.png").read_bytes()
    code, _, err = fm("generate", str(w / "face.png"), "-o", str(w / "g.mp4"), "--frames", "4",
                      "--strip", str(w / "face.png"))  # fmt: skip
    held, note = one_line(code, err, "face.png")
    return held and (w / "face.png").read_bytes() == before, note


for _lr in ("nan", "-1", "inf", "0"):

    def _adapt_lr(w: Path, lr: str = _lr) -> Result:
        code, _, err = fm("adapt", str(W / "drv60.mp4"), "-o", str(w / "m.safetensors"),
                          "--no-face-crop", "--steps", "1", "--lr", lr)  # fmt: skip
        return one_line(code, err, "--lr")

    case(f"adapt-lr-{'negative' if _lr == '-1' else _lr}")(_adapt_lr)

for _name, _extra, _names in (
    ("prior-lr-inf", ["--lr", "inf"], "--lr"),
    ("prior-kl-nan", ["--kl-weight", "nan"], "--kl-weight"),
    ("prior-kl-negative", ["--kl-weight", "-1"], "--kl-weight"),
    ("prior-hidden-huge", ["--hidden", "2000000"], "hidden"),
    ("prior-latent-huge", ["--latent", "1000000000"], "latent"),
    ("prior-max-videos-0", ["--max-videos", "0"], "--max-videos"),
    ("prior-max-videos-negative", ["--max-videos", "-2"], "--max-videos"),
    ("prior-max-steps-0", ["--max-steps", "0"], "--max-steps"),
    ("prior-max-steps-negative", ["--max-steps", "-1"], "--max-steps"),
    ("prior-threads-negative", ["--threads", "-1"], "--threads"),
    ("prior-seed-negative", ["--seed", "-1"], "--seed"),
):

    def _prior_option(w: Path, extra: list[str] = _extra, names: str = _names) -> Result:
        code, _, err = fm(*prior_args(w / "run", "--steps", "3", *extra))
        held, note = one_line(code, err, names)
        return held and not (w / "run").exists(), note

    case(_name)(_prior_option)


@case("prior-out-is-file")
def _(w: Path) -> Result:
    (w / "run").write_text("x")
    code, _, err = fm(*prior_args(w / "run", "--steps", "3"))
    return one_line(code, err, "run")


@case("prior-cache-dir-is-file")
def _(w: Path) -> Result:
    (w / "cache").write_text("x")
    args = prior_args(w / "run", "--steps", "3")
    args[args.index("--cache-dir") + 1] = str(w / "cache")
    code, _, err = fm(*args)
    return one_line(code, err, "cache")


# -- evaluate / degrade / models --------------------------------------------------------------
@case("eval-clips-1-frame-video")
def _(w: Path) -> Result:
    (w / "c").mkdir()
    run([PY, "-c", f"""
from flowmark_core.io.video_writer import VideoWriter
import numpy as np
with VideoWriter({str(w / "c" / "one.mp4")!r}, fps=25) as v:
    v.write(np.zeros((64, 64, 3), np.uint8))
"""])  # fmt: skip
    code, _, err = fm("evaluate", str(w / "c"), "-o", str(w / "ev"), "--max-frames", "3",
                      "--max-videos", "1", "--no-face-metrics", "--no-reference")  # fmt: skip
    lines = errors(err)
    return len(lines) <= 1 and "internal error" not in err, f"exit {code}, lines {lines[:3]}"


@case("eval-generate-max-frames-300")
def _(w: Path) -> Result:
    code, _, err = fm("evaluate", str(W / "ds"), "-o", str(w / "ev"), "--max-videos", "1",
                      "--no-face-metrics", "--task", "generate", "--samples", "2",
                      "--max-frames", "300")  # fmt: skip
    return one_line(code, err, "--max-frames")


@case("eval-output-inside-clip-folder-rerun")
def _(w: Path) -> Result:
    shutil.copytree(W / "ds" / "test", w / "c")
    code, _, _err = fm("evaluate", str(w / "c"), "-o", str(w / "c" / "ev"), "--max-frames", "3",
                      "--model", tiny(), "--no-face-metrics")  # fmt: skip
    code2, _, err2 = fm("evaluate", str(w / "c"), "-o", str(w / "ev2"), "--max-frames", "3",
                        "--model", tiny(), "--no-face-metrics")  # fmt: skip
    held = code == 2 and not (w / "c" / "ev").exists() and code2 == 0
    return held, f"inside: exit {code}; rerun elsewhere: exit {code2} {errors(err2)[:1]}"


@case("degrade-in-is-file")
def _(w: Path) -> Result:
    code, _, err = fm("data", "degrade", str(W / "src.png"), str(w / "out"), "--preset", "webcam")
    return one_line(code, err, "is a file")


@case("models-pipe-closed-early")
def _(w: Path) -> Result:
    done = subprocess.run(f"{' '.join(FLOWMARK)} models | head -c 10 >/dev/null; "
                          "exit ${PIPESTATUS[0]}", shell=True, executable="/bin/bash", env=ENV,
                          capture_output=True, text=True)  # fmt: skip
    return done.returncode == 0 and "internal error" not in done.stderr, (
        f"exit {done.returncode} {done.stderr.strip()[-120:]}"
    )


@case("keypoints-stdout-pipe-closed")
def _(w: Path) -> Result:
    done = subprocess.run(f"{' '.join(FLOWMARK)} keypoints {W}/drv.mp4 -o {w}/k.npz --model "
                          f"{tiny()} | true; exit ${{PIPESTATUS[0]}}", shell=True,
                          executable="/bin/bash", env=ENV, capture_output=True, text=True)  # fmt: skip
    return done.returncode == 0 and (w / "k.npz").is_file(), f"exit {done.returncode}"


# -- media ------------------------------------------------------------------------------------
@case("src-lying-header")
def _(w: Path) -> Result:
    data = bytearray((W / "src.png").read_bytes())
    struct.pack_into(">I", data, 20, 4 * struct.unpack_from(">I", data, 20)[0])
    struct.pack_into(">I", data, 29, zlib.crc32(bytes(data[12:29])))
    (w / "lying_header.png").write_bytes(bytes(data))
    code, _, err = fm("parts", str(w / "lying_header.png"), "-o", str(w / "p.png"), "--model",
                      tiny())  # fmt: skip
    return one_line(code, err, "lying_header.png")


@case("src-symlink-loop")
def _(w: Path) -> Result:
    (w / "loopB.png").symlink_to(w / "loopA.png")
    (w / "loopA.png").symlink_to(w / "loopB.png")
    code, _, err = fm("parts", str(w / "loopA.png"), "-o", str(w / "p.png"), "--model", tiny())
    return one_line(code, err, "loopA.png")


@case("src-exif-rotated-jpeg")
def _(w: Path) -> Result:
    # animate's output is the model's square when no face is found (framing.py), so its size
    # no longer shows the orientation: compare with the same photo stored upright instead.
    run([PY, "-c", f"from PIL import Image, ImageOps; e=Image.Exif(); e[0x0112]=6; "
         f"Image.open({str(W / 'src.png')!r}).resize((96, 64)).save({str(w / 'rot6.jpg')!r}, exif=e); "
         f"ImageOps.exif_transpose(Image.open({str(w / 'rot6.jpg')!r})).save({str(w / 'up.png')!r})"])  # fmt: skip
    outputs = []
    for name in ("rot6.jpg", "up.png"):
        code, _, err = fm("animate", str(w / name), str(W / "drv.mp4"), "-o",
                          str(w / f"{name}.mp4"), "--model", tiny())  # fmt: skip
        if code != 0:
            return False, f"{name}: exit {code} {errors(err)[:1]}"
        outputs.append(str(w / f"{name}.mp4"))
    diff = run([PY, "-c", "import sys, numpy as np; from flowmark_core.io.video_reader import "
                "open_video; a, b = (np.stack(list(open_video(p))).astype(float) for p in "
                "sys.argv[1:]); print(np.abs(a - b).mean())", *outputs])[1].strip()  # fmt: skip
    return float(diff or "inf") < 2.0, f"mean |rotated - upright| = {diff} (want < 2 levels)"


def _broken(w: Path, how: str) -> Path:
    data = (W / "noise60.mp4").read_bytes()
    n = len(data)
    if how == "corrupt":
        data = data[: n // 2] + bytes(4096) + data[n // 2 + 4096 :]
    elif how == "cut":
        data = data[: n // 2]
    else:
        flipped = bytearray(data)
        for i in range(200):
            flipped[n // 4 + i * (n // 400)] ^= 0xFF
        data = bytes(flipped)
    path = w / f"{how}_mid.mp4"
    path.write_bytes(data)
    return path


for _name, _how, _cmd in (("drv-corrupt-middle", "corrupt", "animate"),
                          ("drv-cut-middle", "cut", "animate"),
                          ("drv-bitflips", "bitflip", "animate"),
                          ("recon-corrupt-middle", "corrupt", "reconstruct")):  # fmt: skip

    def _broken_video(w: Path, how: str = _how, cmd: str = _cmd) -> Result:
        video = _broken(w, how)
        src = [str(W / "src.png")] if cmd == "animate" else []
        code, _, err = fm(cmd, *src, str(video), "-o", str(w / "a.mp4"), "--model", tiny())
        return one_line(code, err, video.name)

    case(_name)(_broken_video)


# -- file systems -----------------------------------------------------------------------------
@case("ro-train-prior-out")
def _(w: Path) -> Result:
    if not mount_tmpfs(w / "ro", "1m", readonly=True):
        return False, "cannot mount a tmpfs"
    try:
        code, _, err = fm(*prior_args(w / "ro" / "prior", "--steps", "2"))
        return one_line(code, err, "ro")
    finally:
        umount(w / "ro")


@case("ro-train-prior-data-readonly")
def _(w: Path) -> Result:
    if not mount_tmpfs(w / "ro", "64m"):
        return False, "cannot mount a tmpfs"
    try:
        shutil.copytree(W / "ds", w / "ro" / "ds")
        subprocess.run(["mount", "-o", "remount,ro", str(w / "ro")], check=True)
        args = prior_args(w / "run", "--steps", "2")
        i = args.index("--cache-dir")
        del args[i : i + 2]
        args[1] = str(w / "ro" / "ds")
        code, _, err = fm(*args)
        return one_line(code, err, "ds")
    finally:
        umount(w / "ro")


@case("out-symlink-to-file-elsewhere")
def _(w: Path) -> Result:
    (w / "real").mkdir()
    (w / "real" / "k.npz").write_bytes(b"old")
    (w / "k.npz").symlink_to(w / "real" / "k.npz")
    code, _, _err = fm("keypoints", str(W / "drv.mp4"), "-o", str(w / "k.npz"), "--model", tiny())
    held = (
        code == 0 and (w / "k.npz").is_symlink() and (w / "real" / "k.npz").read_bytes() != b"old"
    )
    return held, f"exit {code}, link kept: {(w / 'k.npz').is_symlink()}"


@case("out-symlink-to-other-filesystem")
def _(w: Path) -> Result:
    if not mount_tmpfs(w / "x", "16m"):
        return False, "cannot mount a tmpfs"
    try:
        (w / "x" / "real.npz").write_bytes(b"old")
        (w / "k.npz").symlink_to(w / "x" / "real.npz")
        code, _, err = fm(
            "keypoints", str(W / "drv.mp4"), "-o", str(w / "k.npz"), "--model", tiny()
        )
        return code == 0 and (w / "k.npz").is_symlink(), f"exit {code} {errors(err)[:1]}"
    finally:
        umount(w / "x")


@case("small-fs-any-error-is-no-space")
def _(w: Path) -> Result:
    if not mount_tmpfs(w / "x", "900k"):
        return False, "cannot mount a tmpfs"
    try:
        (w / "x" / "pad").write_bytes(b"\0" * 20 * 1024)
        (w / "x" / "real.npz").write_bytes(b"old")
        (w / "k.npz").symlink_to(w / "x" / "real.npz")
        code, _, err = fm(
            "keypoints", str(W / "drv.mp4"), "-o", str(w / "k.npz"), "--model", tiny()
        )
        return "no space" not in err and code == 0, f"exit {code} {errors(err)[:1]}"
    finally:
        umount(w / "x")


@case("full-train-prior-out")
def _(w: Path) -> Result:
    if not mount_tmpfs(w / "mnt", "512k"):
        return False, "cannot mount a tmpfs"
    try:
        fill(w / "mnt")
        code, _, err = fm(*prior_args(w / "mnt" / "prior", "--steps", "2"))
        held, note = one_line(code, err, str(w / "mnt"))
        return held and not (w / "mnt" / "prior").exists(), note
    finally:
        umount(w / "mnt")


@case("full-degrade-midway")
def _(w: Path) -> Result:
    if not mount_tmpfs(w / "mnt", "300k"):
        return False, "cannot mount a tmpfs"
    try:
        code, _, err = fm("data", "degrade", str(W / "ds"), str(w / "mnt" / "dg"), "--preset",
                          "webcam")  # fmt: skip
        return one_line(code, err, "no space left")
    finally:
        umount(w / "mnt")


@case("env-ascii-stdout-unicode-path")
def _(w: Path) -> Result:
    code, _, err = fm("keypoints", str(W / "drv.mp4"), "-o", str(w / "ü.npz"), "--model", tiny(),
                      env=dict(ENV, PYTHONIOENCODING="ascii"))  # fmt: skip
    return code == 0 and (w / "ü.npz").is_file(), f"exit {code} {errors(err)[:1]}"


@case("env-stdout-full-keypoints")
def _(w: Path) -> Result:
    with open("/dev/full", "w") as full:
        done = subprocess.run([*FLOWMARK, "keypoints", str(W / "drv.mp4"), "-o", str(w / "k.npz"),
                               "--model", tiny()], stdout=full, stderr=subprocess.PIPE,
                              text=True, env=ENV)  # fmt: skip
    return done.returncode == 0, f"exit {done.returncode} {errors(done.stderr)[:1]}"


@case("env-cwd-deleted-evaluate-default-out")
def _(w: Path) -> Result:
    (w / "gone2").mkdir()
    done = subprocess.run(f"cd {w}/gone2 && rmdir {w}/gone2 && {' '.join(FLOWMARK)} evaluate "
                          f"{W}/ds --max-frames 3 --max-videos 1 --no-face-metrics --model "
                          f"{tiny()}", shell=True, env=ENV, capture_output=True, text=True)  # fmt: skip
    return one_line(done.returncode, done.stderr, "flowmark: error:")


# -- signals ----------------------------------------------------------------------------------
def _signal_when(
    argv: list[str], sig: int, ready: Callable[[], bool], limit: float = 120
) -> tuple[int, str, str, bool]:
    proc = start(argv)
    ok = wait_for(ready, proc, limit)
    if ok:
        os.kill(proc.pid, sig)
    code, out, err = finish(proc)
    return code, out, err, ok


@case("sig-adapt-rerun-after-kill-cleans")
def _(w: Path) -> Result:
    out = w / "m.safetensors"
    calls = "rename,renameat,renameat2,link,linkat"  # adapt's last step is a link now
    argv = ["strace", "-f", "-qq", "-o", "/dev/null", "-e", f"trace={calls}",
            "-e", f"inject={calls}:delay_enter=4000000", *FLOWMARK, "adapt",
            str(W / "drv60.mp4"), "-o", str(out), "--steps", "1", "--no-face-crop"]  # fmt: skip
    proc = start(argv)
    seen = wait_for(lambda: any(p.name.startswith(".m.") for p in w.iterdir()), proc, 300)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    finish(proc)
    if not seen:
        return False, "the save was not reached"
    code, _, _err = fm(
        "adapt", str(W / "drv60.mp4"), "-o", str(out), "--steps", "1", "--no-face-crop"
    )
    left = [p.name for p in w.iterdir() if p.name.startswith(".")]
    return code == 0 and not left, f"exit {code}, left {left}"


def _temporary_in(w: Path) -> Callable[[], bool]:
    return lambda: bool(temporaries(w))


for _name, _sig, _suffix in (("sig-animate-hup", signal.SIGHUP, "mp4"),
                             ("sig-animate-quit", signal.SIGQUIT, "gif")):  # fmt: skip

    def _animate_signal(w: Path, sig: int = _sig, suffix: str = _suffix) -> Result:
        code, _, _err, ok = _signal_when([*FLOWMARK, "animate", str(W / "src.png"),
                                         str(W / "drv60.mp4"), "-o", str(w / f"a.{suffix}")],
                                        sig, _temporary_in(w))  # fmt: skip
        left = temporaries(w)
        return ok and code == 130 and not left, f"exit {code}, left {left}, signalled {ok}"

    case(_name)(_animate_signal)


@case("sig-generate-hup-render")
def _(w: Path) -> Result:
    code, _, _err, ok = _signal_when([*FLOWMARK, "generate", str(W / "src.png"), "-o",
                                     str(w / "g.mp4"), "--frames", "257", "--samples", "4"],
                                    signal.SIGHUP, _temporary_in(w))  # fmt: skip
    left = temporaries(w)
    return ok and code == 130 and not left, f"exit {code}, left {left}, signalled {ok}"


@case("sig-prior-hup-training")
def _(w: Path) -> Result:
    proc = start([*FLOWMARK, *prior_args(w / "run", "--steps", "100000")])
    lines: list[str] = []

    def training() -> bool:
        ready, _, _ = select.select([proc.stdout], [], [], 0.05)
        if ready:
            lines.append(proc.stdout.readline())  # type: ignore[union-attr]
        return any("steps 0->" in line for line in lines)

    ok = wait_for(training, proc, 300)
    time.sleep(2)  # some steps, not a checkpoint
    os.kill(proc.pid, signal.SIGHUP)
    code, _, err = finish(proc)
    saved = (w / "run" / "prior-train-state.pt").is_file()
    return ok and code == 130 and saved, f"exit {code}, saved {saved}, {errors(err)[-1:]}"


@case("sig-train-hup")
def _(w: Path) -> Result:
    proc = start([*TRAIN, *train_args(w / "run", "--set", "train.steps=100000", "--set",
                                      "train.checkpoint_every=1000000", "--set", "train.log_every=1")])  # fmt: skip
    ok = wait_for(lambda: (w / "run" / "metrics.csv").is_file(), proc, 300)
    os.kill(proc.pid, signal.SIGHUP)
    code, _, err = finish(proc)
    saved = (w / "run" / "train-state.pt").is_file()
    return ok and code == 130 and saved, f"exit {code}, saved {saved}, {errors(err)[-1:]}"


@case("sig-fetch-real-term")
def _(w: Path) -> Result:
    tmp = w / "tmp"
    tmp.mkdir()
    env = dict(ENV, TMPDIR=str(tmp), FLOWMARK_REAL_MEDIA=str(w / "cache"))
    proc = subprocess.Popen([*FLOWMARK, "data", "fetch-real"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)  # fmt: skip
    ok = wait_for(lambda: any(tmp.glob("flowmark-real-media.*")), proc, 60)
    if ok:
        time.sleep(2)
        os.kill(proc.pid, signal.SIGTERM)
    code, _, _err = finish(proc)
    left = [p.name for p in tmp.glob("flowmark-real-media.*")]
    if not ok:
        return not left, f"the script ended before a signal (exit {code}); left {left}"
    return not left, f"exit {code}, left {left}"


@case("prior-interrupt-message-contradiction")
def _(w: Path) -> Result:
    proc = start([*FLOWMARK, *prior_args(w / "run", "--steps", "100000")])
    ok = wait_for(lambda: (w / "run").is_dir(), proc, 300)
    time.sleep(2)
    os.kill(proc.pid, signal.SIGTERM)
    code, _out, err = finish(proc)
    last = errors(err)[-1:] or [""]
    return ok and code == 130 and "partial outputs were removed" not in last[0], f"{last[0]}"


# -- resume and run folders -------------------------------------------------------------------
def _prior_run(w: Path, *extra: str) -> Path:
    code, _, err = fm(*prior_args(w / "run", "--steps", "20", *extra))
    assert code == 0, err
    return w / "run"


@case("prior-out-reused-overwrites")
def _(w: Path) -> Result:
    run_dir = _prior_run(w)
    before = digest(run_dir)
    code, _, err = fm(*prior_args(run_dir, "--steps", "2", "--seed", "9"))
    held, note = one_line(code, err, "--resume")
    return held and digest(run_dir) == before, note


@case("prior-out-reused-then-immediate-ctrl-c")
def _(w: Path) -> Result:
    run_dir = _prior_run(w)
    before = (run_dir / "prior.safetensors").read_bytes()
    proc = start([*FLOWMARK, *prior_args(run_dir, "--steps", "3000")])
    time.sleep(1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, signal.SIGTERM)
    code, _, err = finish(proc)
    return (run_dir / "prior.safetensors").read_bytes() == before, f"exit {code} {errors(err)[-1:]}"


@case("prior-stale-track-cache-after-data-change")
def _(w: Path) -> Result:
    shutil.copytree(W / "ds", w / "data")
    args = prior_args(w / "r1", "--steps", "2")
    args[1] = str(w / "data")
    args[args.index("--cache-dir") + 1] = str(w / "data" / ".track-cache")
    assert fm(*args)[0] == 0
    for video in sorted((w / "data" / "train").iterdir()):
        if video.is_dir():
            for frame in video.iterdir():
                frame.write_bytes(frame.read_bytes())  # re-rendered: new modification times
        else:
            video.write_bytes(video.read_bytes())
    args[args.index("--out") + 1] = str(w / "r2")
    code, out, err = fm(*args)
    return code == 0 and "extracted" in out, out.splitlines()[0] if out else err[-200:]


for _name, _extra, _names in (
    ("prior-resume-with-other-frames-lr-batch", ["--frames", "8", "--batch-size", "16", "--lr", "0.5"], "--frames"),
    ("prior-resume-tracks-raw-to-flow", ["--frames", "8", "--tracks", "flow"], "--tracks"),
):  # fmt: skip

    def _prior_resume(w: Path, extra: list[str] = _extra, names: str = _names) -> Result:
        run_dir = _prior_run(w)
        args = prior_args(run_dir, "--steps", "30", "--resume", str(run_dir))
        args += extra
        code, _, err = fm(*args)
        return one_line(code, err, names)

    case(_name)(_prior_resume)


@case("prior-resume-other-model")
def _(w: Path) -> Result:
    run_dir = _prior_run(w)
    other = w / "other.safetensors"
    run([PY, "-c", f"""
from flowmark_core.checkpoints import load_checkpoint, save_checkpoint
import torch
m, meta = load_checkpoint({tiny()!r})
with torch.no_grad():
    next(m.parameters()).add_(0.01)
save_checkpoint({str(other)!r}, m, meta)
"""])  # fmt: skip
    args = prior_args(run_dir, "--steps", "40", "--resume", str(run_dir))
    args[args.index("--model") + 1] = str(other)
    code, _, err = fm(*args)
    return one_line(code, err, "model")


@case("prior-resume-exact-after-sigterm")
def _(w: Path) -> Result:
    base = ["--batch-size", "8", "--steps", "60", "--checkpoint-every", "1000"]
    ref = w / "ref"
    assert fm(*prior_args(ref, *base))[0] == 0
    code = """
from flowmark_core.motion_prior.checkpoint import load_prior
import sys, torch
a, b = load_prior(sys.argv[1])[0], load_prior(sys.argv[2])[0]
print(max(float((x - y).abs().max()) for x, y in zip(a.state_dict().values(), b.state_dict().values())))
"""
    worst = 0.0
    for trial, delay in enumerate((0.3, 0.8, 1.5, 2.5, 4.0)):
        out = w / f"t{trial}"
        proc = start([*FLOWMARK, *prior_args(out, *base)])
        wait_for(lambda out=out: out.is_dir(), proc, 300)
        time.sleep(delay)
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGTERM)
        finish(proc)
        if (out / "prior-train-state.pt").is_file():
            assert fm(*prior_args(out, *base, "--resume", str(out)))[0] == 0
        else:
            assert fm(*prior_args(out, *base, "--overwrite"))[0] == 0
        diff = float(run([PY, "-c", code, str(ref / "prior.safetensors"),
                          str(out / "prior.safetensors")])[1])  # fmt: skip
        worst = max(worst, diff)
    return worst == 0.0, f"max |w_ref - w_resumed| over 5 trials = {worst}"


def _train_run(w: Path, name: str, *extra: str) -> Path:
    code, _, err = tr(*train_args(w / name, "--max-steps", "2", *extra))
    assert code == 0, err
    return w / name


@case("train-resume-A-into-B")
def _(w: Path) -> Result:
    a = _train_run(w, "A")
    b = _train_run(w, "B", "--set", "train.seed=7")
    before = digest(b)
    code, _, err = tr(*train_args(b, "--resume", str(a), "--max-steps", "3"))
    held, note = one_line(code, err, "B")
    return held and digest(b) == before, note


@case("train-resume-with-other-data")
def _(w: Path) -> Result:
    r = _train_run(w, "run")
    shutil.copytree(W / "ds", w / "dsbig")
    args = train_args(r, "--resume", str(r), "--max-steps", "3")
    args[args.index("--data") + 1] = str(w / "dsbig")
    code, _, err = tr(*args)
    return one_line(code, err, "--data")


@case("train-resume-with-other-train-config")
def _(w: Path) -> Result:
    r = _train_run(w, "run")
    code, _, err = tr(*train_args(r, "--resume", str(r), "--max-steps", "3", "--set",
                                  "train.lr_generator=0.5", "--set", "loss.reconstruction_l1=0"))  # fmt: skip
    return one_line(code, err, "train.lr_generator")


@case("train-metrics-csv-after-kill-resume")
def _(w: Path) -> Result:
    r = w / "R"
    sets = ["--set", "train.steps=40", "--set", "train.checkpoint_every=4", "--set",
            "train.log_every=1"]  # fmt: skip
    proc = start([*TRAIN, *train_args(r, *sets)])

    def past_checkpoint() -> bool:
        with contextlib.suppress(OSError):
            steps = [line.split(",")[0] for line in (r / "metrics.csv").read_text().splitlines()]
            return (
                (r / "train-state.pt").is_file() and steps[-1].isdigit() and int(steps[-1]) % 4 == 2
            )
        return False

    ok = wait_for(past_checkpoint, proc, 300)
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, signal.SIGKILL)
    finish(proc)
    code, _, _err = tr(*train_args(r, "--resume", str(r), *sets))
    rows = [tuple(line.split(",")[:2]) for line in (r / "metrics.csv").read_text().splitlines()[1:]]
    twice = len(rows) - len(set(rows))
    return ok and code == 0 and twice == 0, f"killed between checkpoints: {ok}; rows twice: {twice}"


@case("train-out-is-data-root")
def _(w: Path) -> Result:
    shutil.copytree(W / "ds", w / "ds")
    args = train_args(w / "ds" / "train" / "run", "--max-steps", "1")
    args[args.index("--data") + 1] = str(w / "ds")
    code, _, err = tr(*args)
    return one_line(code, err, "train")


@case("prior-out-is-data-train")
def _(w: Path) -> Result:
    shutil.copytree(W / "ds", w / "ds")
    args = prior_args(w / "ds" / "train" / "prior", "--steps", "2")
    args[1] = str(w / "ds")
    code, _, err = fm(*args)
    return one_line(code, err, "train")


# -- model files ------------------------------------------------------------------------------
def _rewrite_header(src: Path, dst: Path, edit: Callable[[dict], None]) -> None:
    data = src.read_bytes()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8 : 8 + n])
    edit(header)
    text = json.dumps(header).encode()
    dst.write_bytes(struct.pack("<Q", len(text)) + text + data[8 + n :])


@case("model-config-huge-channels")
def _(w: Path) -> Result:
    def huge(header: dict) -> None:
        cfg = json.loads(header["__metadata__"]["flowmark.model_config"])
        for part in ("kp_detector", "generator"):
            cfg[part]["block_expansion"] = cfg[part]["max_features"] = 8192
        header["__metadata__"]["flowmark.model_config"] = json.dumps(cfg)

    path = w / "cfg-huge-channels.safetensors"
    _rewrite_header(W / "tiny.safetensors", path, huge)
    argv = ["/usr/bin/time", "-f", "%M", *FLOWMARK, "keypoints", str(W / "drv.mp4"), "-o",
            str(w / "k.npz"), "--model", str(path)]  # fmt: skip
    code, _, err = run(argv)
    lines = [line for line in err.strip().splitlines() if not line.startswith("Command exited")]
    peak_mb = int(lines[-1]) / 1024  # /usr/bin/time's own lines are not flowmark's
    held, note = one_line(code, "\n".join(lines[:-1]), "cfg-huge-channels")
    return held and peak_mb < 1500, f"{note} (peak {peak_mb:.0f} MB)"


@case("adapt-from-model-with-text-step")
def _(w: Path) -> Result:
    def text_step(header: dict) -> None:
        header["__metadata__"]["flowmark.meta"] = json.dumps({"step": "abc"})

    path = w / "meta-step-text.safetensors"
    _rewrite_header(W / "tiny.safetensors", path, text_step)
    code, _, err = fm("adapt", str(W / "drv60.mp4"), "-o", str(w / "m.safetensors"), "--steps",
                      "1", "--no-face-crop", "--model", str(path))  # fmt: skip
    return one_line(code, err, "meta-step-text")


def _prior_file(w: Path) -> Path:
    code = f"""
from flowmark_core.motion_prior.checkpoint import save_prior
from flowmark_core.motion_prior.config import PriorModelConfig
from flowmark_core.motion_prior.model import MotionPrior
save_prior({str(w / "prior.safetensors")!r}, MotionPrior(PriorModelConfig(num_kp=3)), {{}})
"""
    assert run([PY, "-c", code])[0] == 0
    return w / "prior.safetensors"


@case("generate-prior-meta-is-list")
def _(w: Path) -> Result:
    def meta_list(header: dict) -> None:
        header["__metadata__"]["flowmark.meta"] = '["x"]'

    _rewrite_header(_prior_file(w), w / "prior-meta-list.safetensors", meta_list)
    code, _, err = fm("generate", str(W / "src.png"), "-o", str(w / "g.mp4"), "--frames", "4",
                      "--model", tiny(), "--prior", str(w / "prior-meta-list.safetensors"))  # fmt: skip
    return one_line(code, err, "prior-meta-list")


@case("generate-prior-header-latent-1e9")
def _(w: Path) -> Result:
    def latent(header: dict) -> None:
        cfg = json.loads(header["__metadata__"]["flowmark.prior_config"])
        cfg["latent"] = 10**9
        header["__metadata__"]["flowmark.prior_config"] = json.dumps(cfg)

    _rewrite_header(_prior_file(w), w / "prior-latent-1e9.safetensors", latent)
    code, _, err = fm("generate", str(W / "src.png"), "-o", str(w / "g.mp4"), "--frames", "4",
                      "--model", tiny(), "--prior", str(w / "prior-latent-1e9.safetensors"))  # fmt: skip
    return one_line(code, err, "prior-latent-1e9")


@case("models-tampered-cards-and-prior-in-models")
def _(w: Path) -> Result:
    models = w / "res" / "models"
    models.mkdir(parents=True)
    shutil.copy(W / "tiny.safetensors", models / "tiny.safetensors")
    (models / "tiny.card.json").write_text("{not json")
    shutil.copy(W / "tiny.safetensors", models / "other.safetensors")
    (models / "other.card.json").write_text(
        json.dumps({"summary": "256 px model", "image_size": 256})
    )
    code, _out, err = fm("models", env=dict(ENV, FLOWMARK_RESOURCES=str(w / "res")))
    said = "tiny.card.json" in err and "256" in err
    return code == 0 and said, f"exit {code}; stderr {err.strip()[-160:]!r}"


# -- configs and workers ----------------------------------------------------------------------
@case("cfg-image-size-100")
def _(w: Path) -> Result:
    code, _, err = tr(*train_args(w / "run", "--max-steps", "1", "--set", "model.image_size=100"))
    return one_line(code, err, "image_size")


@case("cfg-duplicate-keys")
def _(w: Path) -> Result:
    (w / "m.yaml").write_text((W / "tiny.yaml").read_text() + "\ntrain:\n  steps: 3\n")
    args = train_args(w / "run", "--max-steps", "1")
    args[args.index("--config") + 1] = str(w / "m.yaml")
    code, _, err = tr(*args)
    return one_line(code, err, "train")


@case("cfg-workers-256")
def _(w: Path) -> Result:
    argv = [*TRAIN, *train_args(w / "run", "--max-steps", "1", "--set", "data.num_workers=256")]
    held, note = watch_memory(argv, seconds=300, limit_mb=4000)
    return held, note


@case("train-sigkill-while-workers-start")
def _(w: Path) -> Result:
    results = []
    for delay in (0.3, 1.0, 2.0):
        out = w / f"run{delay}"
        proc = start([*TRAIN, *train_args(out, "--set", "data.num_workers=4", "--set",
                                          "train.steps=1000")])  # fmt: skip

        def children(pid: int = proc.pid) -> list[int]:
            with contextlib.suppress(OSError):
                return [
                    int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
                ]
            return []

        wait_for(lambda: bool(children()), proc, 300)
        time.sleep(delay)
        kids = children()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 5
        alive = kids
        while alive and time.monotonic() < deadline:
            time.sleep(0.1)
            alive = [k for k in kids if Path(f"/proc/{k}").exists() and
                     Path(f"/proc/{k}/stat").read_text().split(")")[-1].split()[0] != "Z"]  # fmt: skip
        results.append((delay, len(kids), len(alive)))
        finish(proc, limit=1)
    return all(a == 0 for _, _, a in results), f"(delay, children, alive 5 s after) = {results}"


# -- memory on a long clip (RC6) ------------------------------------------------------------
def _long_clip() -> Path:
    clip = W / "long.mp4"
    if not clip.exists():
        run(["ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi", "-i",
             "testsrc=size=640x480:rate=25:duration=300", "-c:v", "libx264", "-preset",
             "ultrafast", "-crf", "35", str(clip)])  # fmt: skip
        (W / "longclips").mkdir(exist_ok=True)
        os.link(clip, W / "longclips" / "long.mp4")
        for split in ("train", "test"):
            (W / "longds" / split).mkdir(parents=True, exist_ok=True)
            os.link(clip, W / "longds" / split / "long.mp4")
    return clip


@case("long-evaluate-clip-folder")
def _(w: Path) -> Result:
    _long_clip()
    return watch_memory([*FLOWMARK, "evaluate", str(W / "longclips"), "-o", str(w / "ev"),
                         "--no-reference", "--model", tiny()])  # fmt: skip


@case("long-degrade")
def _(w: Path) -> Result:
    _long_clip()
    return watch_memory([*FLOWMARK, "data", "degrade", str(W / "longclips"), str(w / "out"),
                         "--preset", "webcam"])  # fmt: skip


@case("long-adapt")
def _(w: Path) -> Result:
    return watch_memory([*FLOWMARK, "adapt", str(_long_clip()), "-o", str(w / "m.safetensors"),
                         "--steps", "1", "--no-face-crop"])  # fmt: skip


@case("long-train-prior-tracking")
def _(w: Path) -> Result:
    _long_clip()
    return watch_memory([*FLOWMARK, "train-prior", str(W / "longds"), "--model", tiny(), "--out",
                         str(w / "run"), "--cache-dir", str(w / "cache"), "--steps", "2",
                         "--frames", "4", "--batch-size", "4"])  # fmt: skip


# -- two runs at once -------------------------------------------------------------------------
def _both(a: list[str], b: list[str]) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    pa, pb = start(a), start(b)
    return finish(pa, 600), finish(pb, 600)


@case("conc-adapt-same-output")
def _(w: Path) -> Result:
    out = str(w / "m.safetensors")
    base = [*FLOWMARK, "adapt", str(W / "drv60.mp4"), "-o", out, "--no-face-crop"]
    (ca, _, ea), (cb, _, eb) = _both(
        [*base, "--steps", "1"], [*base, "--steps", "2", "--seed", "5"]
    )
    return sorted((ca, cb)) == [0, 2], f"exits {ca}, {cb}: {errors(ea)[-1:]} {errors(eb)[-1:]}"


@case("conc-train-same-out")
def _(w: Path) -> Result:
    a = [*TRAIN, *train_args(w / "run", "--max-steps", "4", "--set", "train.seed=1")]
    b = [*TRAIN, *train_args(w / "run", "--max-steps", "6", "--set", "train.seed=2")]
    (ca, _, ea), (cb, _, eb) = _both(a, b)
    return sorted((ca, cb)) == [0, 2], f"exits {ca}, {cb}: {errors(ea)[-1:]} {errors(eb)[-1:]}"


@case("conc-prior-same-out")
def _(w: Path) -> Result:
    a = [*FLOWMARK, *prior_args(w / "run", "--steps", "30", "--hidden", "128")]
    b = [*FLOWMARK, *prior_args(w / "run", "--steps", "30", "--hidden", "64")]
    (ca, _, ea), (cb, _, eb) = _both(a, b)
    return sorted((ca, cb)) == [0, 2], f"exits {ca}, {cb}: {errors(ea)[-1:]} {errors(eb)[-1:]}"


@case("conc-synth-same-out")
def _(w: Path) -> Result:
    base = [*FLOWMARK, "data", "synth", "--videos", "4", "--frames", "2", "--size", "64",
            "--workers", "0"]  # fmt: skip
    (ca, _, ea), (cb, _, eb) = _both([*base, "--family", "faces", str(w / "ds")],
                                     [*base, "--family", "bodies", str(w / "ds")])  # fmt: skip
    bad = [e for c, e in ((ca, ea), (cb, eb)) if c not in (0, 2) or "internal error" in e]
    return not bad, f"exits {ca}, {cb}: {errors(ea)[-1:]} {errors(eb)[-1:]}"


# -- sets of outputs and logs -----------------------------------------------------------------
def _immutable(path: Path, on: bool) -> None:
    subprocess.run(["chattr", "+i" if on else "-i", str(path)], check=False)


@case("eval-results-pair-half-replaced")
def _(w: Path) -> Result:
    base = ["evaluate", str(W / "ds"), "-o", str(w / "ev"), "--max-frames", "3", "--max-videos",
            "1", "--no-face-metrics"]  # fmt: skip
    assert fm(*base)[0] == 0
    before = (w / "ev" / "results.json").read_bytes()
    _immutable(w / "ev" / "results.md", True)
    try:
        code, _, _err = fm(*base, "--model", tiny())
    finally:
        _immutable(w / "ev" / "results.md", False)
    return code == 2 and (w / "ev" / "results.json").read_bytes() == before, f"exit {code}"


@case("gen-separate-set-half-replaced")
def _(w: Path) -> Result:
    base = ["generate", str(W / "src.png"), "-o", str(w / "g.mp4"), "--frames", "4", "--samples",
            "3", "--separate"]  # fmt: skip
    assert fm(*base)[0] == 0
    before = {n: (w / n).read_bytes() for n in ("g-2.mp4", "g-3.mp4")}
    _immutable(w / "g-1.mp4", True)
    try:
        code, _, _err = fm(*base, "--seed", "3")
    finally:
        _immutable(w / "g-1.mp4", False)
    same = all((w / n).read_bytes() == b for n, b in before.items())
    return code == 2 and same, f"exit {code}, others unchanged: {same}"


@case("progress-bars-in-logs")
def _(w: Path) -> Result:
    _, _, err1 = fm("adapt", str(W / "drv60.mp4"), "-o", str(w / "m.safetensors"), "--steps", "1",
                    "--no-face-crop")  # fmt: skip
    _, _, err2 = fm(*prior_args(w / "run", "--steps", "2"))
    bars = [e for e in (err1, err2) if "\r" in e]
    return not bars, f"logs with carriage-return frames: {len(bars)}"


def ffmpeg_on_path() -> None:
    """Put an `ffmpeg` on PATH for this script and its children (the long-clip cases make
    their clip with it): the system's when there is one, else imageio-ffmpeg's binary,
    linked as W/bin/ffmpeg. Nothing outside the work folder changes."""
    if shutil.which("ffmpeg", path=ENV.get("PATH")):
        return
    import imageio_ffmpeg

    folder = W / "bin"
    folder.mkdir(exist_ok=True)
    link = folder / "ffmpeg"
    if not link.exists():
        link.symlink_to(imageio_ffmpeg.get_ffmpeg_exe())
    ENV["PATH"] = f"{folder}{os.pathsep}{ENV.get('PATH', '')}"


def main() -> int:
    global W
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default=None, help="work folder (default: a new temporary one)")
    parser.add_argument("--only", nargs="*", default=None, help="case names to run")
    args = parser.parse_args()
    W = Path(args.work or tempfile.mkdtemp(prefix="fault-campaign-3."))
    W.mkdir(parents=True, exist_ok=True)
    ffmpeg_on_path()
    build_kit()
    names = args.only or list(CASES)
    held = 0
    for name in names:
        t0 = time.monotonic()
        try:
            ok, note = CASES[name](scratch(name))
        except Exception as exc:  # a case that could not be run counts as not holding
            ok, note = False, f"could not run: {type(exc).__name__}: {exc}"
        held += ok
        print(
            f"{'held' if ok else 'FAIL'} {name} ({time.monotonic() - t0:.0f} s): {note}", flush=True
        )
    print(f"{held} of {len(names)} cases hold (work folder {W})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
