"""A built wheel (not the editable checkout) carries the bundled models and animates with them.

The wheel is built from a copy of the sources (`pip wheel --no-deps --no-build-isolation`,
so nothing is downloaded and the checkout gets no build/ folder), installed into a target
folder, and run from a folder outside the checkout with that target first on the path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import imageio.v3 as iio

ROOT = Path(__file__).resolve().parents[2]

ANIMATE = """
import sys
import flowmark_core
from flowmark_core.cli.main import main
from flowmark_core.resources import bundled_models, sample_source
print("FROM:" + flowmark_core.__file__)
print("MODELS:" + ",".join(sorted(bundled_models())))
sys.exit(main(["animate", str(sample_source()), sys.argv[1], "-o", sys.argv[2], "--size", "64"]))
"""


def _pip(*args: str, cwd: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--quiet", *args], cwd=cwd, check=True)


def test_a_wheel_install_finds_the_bundled_models_and_animates(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    for package in ("flowmark_core", "flowmark_gui"):
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        shutil.copytree(ROOT / package, src / package, ignore=ignore)
    _pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "dist"), ".", cwd=src)
    (wheel,) = (tmp_path / "dist").glob("flowmark-*.whl")
    target = tmp_path / "site"
    _pip("install", "--no-deps", "--no-index", "--target", str(target), str(wheel), cwd=tmp_path)

    frames = tmp_path / "driving"  # three frames of the bundled clip: enough to animate
    frames.mkdir()
    clip = target / "flowmark_core" / "resources" / "media" / "driving.mp4"
    for i, frame in zip(range(3), iio.imiter(clip)):
        iio.imwrite(frames / f"{i:03d}.png", frame)
    env = {k: v for k, v in os.environ.items() if k != "FLOWMARK_RESOURCES"}
    env["PYTHONPATH"] = str(target)
    out = tmp_path / "out.mp4"
    done = subprocess.run(
        [sys.executable, "-c", ANIMATE, str(frames), str(out)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(":", 1) for line in done.stdout.splitlines() if ":" in line)
    assert Path(lines["FROM"]).is_relative_to(target)
    assert "puppets-faces-128" in lines["MODELS"].split(",")
    written = list(iio.imiter(out))
    assert len(written) == 3 and written[0].shape == (64, 64, 3)
