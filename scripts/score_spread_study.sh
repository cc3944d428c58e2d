#!/usr/bin/env bash
# Score the runs of scripts/keypoint_spread_study.sh on the clean capture test split: keypoint
# spread, NME (all, eyes, mouth) and NMJ of the raw detector (scripts/tune_stabilizers.py
# --grid raw) and reconstruction L1 vs identity (`flowmark evaluate`), one folder per run.
# Usage: scripts/score_spread_study.sh OUT RUN_DIR [RUN_DIR ...]
set -euo pipefail
out=$1; shift
source "$(dirname "$0")/lib/experiments.sh"
mkdir -p "$out"
for run in "$@"; do
  name=$(basename "$run")
  mkdir -p "$out/$name"
  "$py" scripts/tune_stabilizers.py data/jitter-faces-128 --model "$run/model.safetensors" \
    --split test --grid raw --output "$out/$name/raw.json" >"$out/$name/raw.log" 2>&1
  "$fm" evaluate data/jitter-faces-128 --model "$run/model.safetensors" --max-videos 12 \
    --max-frames 48 --no-face-metrics -o "$out/$name/clean" >"$out/$name/clean.log" 2>&1
done
"$py" - "$out" "$@" <<'PY'
import json, sys
from pathlib import Path
out = Path(sys.argv[1])
print("| run | spread | NME all | NME eyes | NME mouth | NMJ | L1 | identity L1 |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for run in sys.argv[2:]:
    name = Path(run).name
    r = json.loads((out / name / "raw.json").read_text())["rows"][0]
    e = json.loads((out / name / "clean" / "results.json").read_text())
    row = e["rows"][0] if "rows" in e else e
    l1 = row.get("l1", float("nan")); idl1 = row.get("identity_l1", float("nan"))
    print(f"| {name} | {r['spread']:.3f} | {r['nme']:.2f} | {r['nme_eyes']:.2f} | "
          f"{r['nme_mouth']:.2f} | {r['nmj']:.3f} | {l1:.4f} | {idl1:.4f} |")
PY
