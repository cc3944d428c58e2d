#!/usr/bin/env bash
# The bodies comparison in docs/results.md: first-order with the flow loss, without it, and
# zeroth order, trained for equal steps on the synthetic bodies data (CPU, two cores, ~1.5 h).
#
# A short schedule that fits a CPU session: cosine over 3,000 steps; the flow loss warms up
# for 1,000 steps and ramps in over 500. Steps 0-1,000 (flow loss still off) are shared by
# every variant; each variant then trains 1,000-3,000 on its own. Run two variants at a time
# with THREADS=1 for the best throughput on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
DATA=data/puppets-bodies-128
OUT=${OUT:-runs/bodies}
THREADS=${THREADS:-2}
SCHEDULE=(--set train.steps=3000 --set loss.flow.warmup_steps=1000 --set loss.flow.ramp_steps=500)
train() { $PY train.py --data $DATA --threads "$THREADS" "${SCHEDULE[@]}" "$@"; }

[ -d $DATA ] || .venv/bin/flowmark data synth --family bodies --videos 400 --frames 64 --size 128 $DATA
if [ "${1:-all}" = trunk ] || [ "${1:-all}" = all ]; then
    train --config configs/puppets-bodies-128.yaml --out $OUT/trunk --max-steps 1000
fi
variant() {
    case $1 in
        flow) train --config configs/puppets-bodies-128.yaml --out $OUT/flow \
            --resume $OUT/trunk/train-state.pt ;;
        noflow) train --config configs/puppets-bodies-128-noflow.yaml --out $OUT/noflow \
            --resume $OUT/trunk/train-state.pt ;;
        zeroth) train --config configs/puppets-bodies-128-zeroth.yaml --out $OUT/zeroth \
            --init $OUT/trunk/model.safetensors ;;
    esac
}
case "${1:-all}" in
    flow | noflow | zeroth) variant "$1" ;;
    all) for v in flow noflow zeroth; do variant $v; done ;;
esac
if [ "${1:-all}" = all ] || [ "${1:-all}" = evaluate ]; then
    .venv/bin/flowmark evaluate $DATA --compare $OUT/flow/model.safetensors \
        $OUT/noflow/model.safetensors $OUT/zeroth/model.safetensors \
        --stabilize none one-euro flow --max-videos 20 --no-face-metrics -o $OUT/eval
fi
