#!/usr/bin/env bash
# The keypoint-spread study: why do the keypoints pile up on the face's centre line? One factor per run
# (configs/spread-study-faces-128.yaml), same steps and seed; then
# `scripts/score_spread_study.sh runs/spread-eval runs/spread-base runs/spread-temp-0.03 ...`
# scores each on the clean test split.
# Usage: scripts/keypoint_spread_study.sh [DATA] [OUT_PREFIX]
set -euo pipefail
data=${1:-data/puppets-faces-128}
out=${2:-runs/spread}
source "$(dirname "$0")/lib/experiments.sh"
cfg=configs/spread-study-faces-128.yaml
variant base
variant temp-0.03 --set model.kp_detector.temperature=0.03
variant equivariance-0 --set loss.equivariance_value=0 --set loss.equivariance_jacobian=0
variant no-image-skip --set model.generator.image_skip=false
variant kp-20 --set model.num_kp=20
