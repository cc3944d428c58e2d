#!/usr/bin/env bash
# Reproduce the bundled default model and its flow-loss ablation (CPU, two cores).
# Steps 0-2000 are shared (the flow loss is off during its warm-up); the ablation forks there.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
.venv/bin/flowmark data synth --family faces --videos 400 --frames 64 --size 128 data/puppets-faces-128
$PY train.py --config configs/puppets-faces-128.yaml --data data/puppets-faces-128 \
    --out runs/puppets-faces-128 --max-steps 2000
mkdir -p runs/fork-2000 && cp runs/puppets-faces-128/train-state.pt runs/fork-2000/
$PY train.py --config configs/puppets-faces-128.yaml --data data/puppets-faces-128 \
    --out runs/puppets-faces-128 --resume runs/fork-2000/train-state.pt --max-steps 5000
$PY train.py --config configs/puppets-faces-128-noflow.yaml --data data/puppets-faces-128 \
    --out runs/puppets-faces-128-noflow --resume runs/fork-2000/train-state.pt --max-steps 5000
.venv/bin/flowmark evaluate data/puppets-faces-128 --compare runs/puppets-faces-128/model.safetensors \
    runs/puppets-faces-128-noflow/model.safetensors --stabilize none one-euro flow \
    --max-videos 20 --no-face-metrics -o runs/eval-5000
