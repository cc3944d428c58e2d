#!/usr/bin/env bash
# Reproduce the bundled default model, its ablations (no flow loss; zeroth order) and the
# evaluation in docs/results.md (CPU, two cores; several hours in all).
#
# Phase 1 (steps 0-5,000) trains the published generator layout (no image skip). Steps
# 0-2,000 are shared by every variant: the flow loss is off during its warm-up. Phase 2
# (to 7,500) warm-starts each variant with the image skip added (a fresh mask head). Phase 3
# (to 8,500) resumes with train.steps=9500: the cosine schedule's low-learning-rate tail.
# The zeroth-order variant forks at 2,000 (its Jacobian head dropped) and gets the skip there.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
DATA=data/puppets-faces-128
NOSKIP="--set model.generator.image_skip=false"
train() { $PY train.py --data $DATA "$@"; }

[ -d $DATA ] || .venv/bin/flowmark data synth --family faces --videos 400 --frames 64 --size 128 $DATA
# Phase 1: shared trunk, then the two first-order variants to 5,000.
train --config configs/puppets-faces-128.yaml $NOSKIP --out runs/phase1/flow --max-steps 2000
mkdir -p runs/fork-2000 && cp runs/phase1/flow/train-state.pt runs/phase1/flow/model.safetensors runs/fork-2000/
train --config configs/puppets-faces-128.yaml $NOSKIP --out runs/phase1/flow \
    --resume runs/fork-2000/train-state.pt --max-steps 5000
train --config configs/puppets-faces-128-noflow.yaml $NOSKIP --out runs/phase1/noflow \
    --resume runs/fork-2000/train-state.pt --max-steps 5000
# Phase 2: image skip added, each variant to 7,500.
train --config configs/puppets-faces-128.yaml --out runs/v2/flow \
    --init runs/phase1/flow/model.safetensors --max-steps 7500
train --config configs/puppets-faces-128-noflow.yaml --out runs/v2/noflow \
    --init runs/phase1/noflow/model.safetensors --max-steps 7500
train --config configs/puppets-faces-128-zeroth.yaml --out runs/v2/zeroth \
    --init runs/fork-2000/model.safetensors --max-steps 7500
cp runs/v2/noflow/model.safetensors runs/noflow-7500.safetensors  # the ablations' base
# Phase 3: the learning-rate tail, each variant to 8,500.
for variant in flow noflow zeroth; do
    config=configs/puppets-faces-128.yaml
    [ $variant = flow ] || config=configs/puppets-faces-128-$variant.yaml
    train --config $config --out runs/v3/$variant --resume runs/v2/$variant/train-state.pt \
        --set train.steps=9500 --max-steps 8500
    cp runs/v3/$variant/model.safetensors runs/$variant-8500.safetensors
done
# Evaluation (the table in docs/results.md) and the flow-loss ablations.
.venv/bin/flowmark evaluate $DATA --compare runs/flow-8500.safetensors \
    runs/noflow-8500.safetensors runs/zeroth-8500.safetensors \
    --stabilize none one-euro flow --max-videos 20 --no-face-metrics -o runs/eval-8500
scripts/flow_ablations.sh runs/noflow-7500.safetensors 500 runs/ablations
