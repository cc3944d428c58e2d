#!/usr/bin/env bash
# Issue 12 item 4 (and the issue 13 real-face candidate): three runs of the same recipe, same
# steps and seed, with the webcam capture augmentation — flow loss on degraded frames, flow
# loss on the clean (privileged) frames, no flow loss. Runs in the background, 1 thread each.
# Usage: scripts/train_capture_comparison.sh [DATA] [OUT_PREFIX]
set -euo pipefail
data=${1:-data/faces-mix-128}
out=${2:-runs/capture}
py=${PYTHON:-.venv/bin/python}
cfg=configs/capture-faces-mix-128.yaml
run() {
  local name=$1; shift
  nohup nice -n 5 "$py" train.py --config "$cfg" --data "$data" --out "$out-$name" \
    --threads 1 "$@" >"$out-$name.log" 2>&1 &
  echo "started $out-$name (pid $!)"
}
run flow-degraded
run flow-clean --set data.capture_flow_on=clean
run noflow --set loss.flow.weight=0 --set loss.flow.jacobian_weight=0
