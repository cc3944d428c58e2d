#!/usr/bin/env bash
# Flow-loss ablations, as fine-tunes of one detector trained without the flow loss
# (the published idea the loss comes from fine-tunes an already-trained detector):
# control (no flow loss), DIS flow at weights 1/5/20, ground-truth landmark motion instead of
# optical flow, and the heatmap-level form alone (weight 100 puts its term on the scale of the
# weight-5 point term), and the default flow loss plus the keypoint separation prior at
# weights 1 and 5 (sep-w1, sep-w5). Every run starts from BASE and trains STEPS.
# Usage: scripts/flow_ablations.sh BASE_MODEL STEPS [OUT_DIR [NAME ...]]
# With NAMEs only those variants are trained (e.g. two shells in parallel) and nothing is
# evaluated; without, every missing variant is trained and all are evaluated.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${1:?base model.safetensors}
STEPS=${2:?fine-tune steps}
OUT=${3:-runs/ablations}
ONLY=("${@:4}")
PY=.venv/bin/python
DATA=data/puppets-faces-128
step_of() {  # the training step stored in a model file
    $PY -c "import sys; from flowmark_core.checkpoints import read_checkpoint_header as r; print(r(sys.argv[1])[1]['step'])" "$1"
}
START=$(step_of "$BASE")
END=$((START + STEPS))
CFG=configs/puppets-faces-128.yaml
run() {  # name, then --set overrides
    local name=$1; shift
    if [ ${#ONLY[@]} -gt 0 ] && [[ ! " ${ONLY[*]} " == *" $name "* ]]; then return 0; fi
    if [ -f "$OUT/$name/model.safetensors" ] && [ "$(step_of "$OUT/$name/model.safetensors")" = "$END" ]; then
        return 0
    fi
    $PY train.py --config $CFG --data $DATA --out "$OUT/$name" --init "$BASE" --max-steps $END \
        --threads "${THREADS:-1}" "$@" > "$OUT/$name.log" 2>&1
}
mkdir -p "$OUT"
run control --set loss.flow.weight=0 --set loss.flow.jacobian_weight=0
run dis-w5
run landmarks-w5 --set data.flow_method=landmarks
run dis-w1 --set loss.flow.weight=1 --set loss.flow.jacobian_weight=0.4
run dis-w20 --set loss.flow.weight=20 --set loss.flow.jacobian_weight=8
run heatmap-only --set loss.flow.weight=0 --set loss.flow.jacobian_weight=0 --set loss.flow.heatmap_weight=100
run sep-w1 --set loss.keypoint_separation=1
run sep-w5 --set loss.keypoint_separation=5
[ ${#ONLY[@]} -gt 0 ] && exit 0
models=()
for name in control dis-w5 landmarks-w5 dis-w1 dis-w20 heatmap-only sep-w1 sep-w5; do
    models+=("$OUT/$name/model.safetensors")
done
.venv/bin/flowmark evaluate $DATA --compare "${models[@]}" --stabilize none \
    --max-videos 20 --no-face-metrics -o "$OUT/eval"
