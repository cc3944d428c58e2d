#!/usr/bin/env bash
# The capture-augmentation comparison (and a real-face candidate): three runs of the same recipe, same
# steps and seed, with the webcam capture augmentation — flow loss on degraded frames, flow
# loss on the clean (privileged) frames, no flow loss. Runs in the background, 1 thread each.
# Usage: scripts/train_capture_comparison.sh [DATA] [OUT_PREFIX]
set -euo pipefail
data=${1:-data/faces-mix-128}
out=${2:-runs/capture}
source "$(dirname "$0")/lib/experiments.sh"
cfg=configs/capture-faces-mix-128.yaml
variant flow-degraded
variant flow-clean --set data.capture_flow_on=clean
variant noflow --set loss.flow.weight=0 --set loss.flow.jacobian_weight=0
