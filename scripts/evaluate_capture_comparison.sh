#!/usr/bin/env bash
# Score the runs of scripts/train_capture_comparison.sh (or any models) on every test set of
# issues 12/13, one output folder per model under OUT (default runs/capture-eval):
#   jitter.json  — capture splits (clean, webcam, lowlight, occlusion), each stabiliser
#                  (scripts/tune_stabilizers.py: NME/NMJ/accel./spread against ground truth)
#   webcam/      — `flowmark evaluate` on the webcam split (reconstruction L1 vs identity)
#   real/        — real clips against the face-mesh reference (scripts/real_clip_jitter.py)
# and, side by side for all models: real-clip L1 (`flowmark evaluate data/real-faces-eval
# --compare ... --no-reference`) and cartoon test L1 (20 videos x 32 frames).
# Usage: scripts/evaluate_capture_comparison.sh OUT MODEL [MODEL ...]
set -euo pipefail
out=$1; shift
source "$(dirname "$0")/lib/experiments.sh"
mkdir -p "$out"
for model in "$@"; do
  [ "${COMPARE_ONLY:-0}" = 1 ] && break
  name=$(basename "$(dirname "$model")")
  [ "$name" = "." ] || [ "$name" = "models" ] && name=$(basename "$model" .safetensors)
  dir="$out/$name"; mkdir -p "$dir"
  "$py" scripts/tune_stabilizers.py data/jitter-faces-128 data/jitter-faces-128-webcam \
    data/jitter-faces-128-lowlight data/jitter-faces-128-occlusion --model "$model" \
    --split test --grid report --output "$dir/jitter.json" >"$dir/jitter.log" 2>&1
  "$fm" evaluate data/jitter-faces-128-webcam --model "$model" --max-videos 12 \
    --max-frames 48 --no-face-metrics -o "$dir/webcam" >"$dir/webcam.log" 2>&1
  "$fm" evaluate data/jitter-faces-128 --model "$model" --max-videos 12 \
    --max-frames 48 --no-face-metrics -o "$dir/clean" >"$dir/clean.log" 2>&1
  "$py" scripts/real_clip_jitter.py data/real-clips --model "$model" \
    --output "$dir/real" >"$dir/real.log" 2>&1
done
# COMPARE_ONLY=1 skips the per-model part; PER_MODEL_ONLY=1 skips the side-by-side part (so the
# per-model parts of several models can run in parallel).
[ "${PER_MODEL_ONLY:-0}" = 1 ] && { echo "done: $out (per model)"; exit 0; }
"$fm" evaluate data/real-faces-eval --compare "$@" --no-reference -o "$out/real-l1" \
  >"$out/real-l1.log" 2>&1
"$fm" evaluate data/puppets-faces-128 --compare "$@" --max-videos 20 --max-frames 32 \
  --no-face-metrics -o "$out/cartoon-l1" >"$out/cartoon-l1.log" 2>&1
echo "done: $out"
