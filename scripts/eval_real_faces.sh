#!/usr/bin/env bash
# Reconstruction on held-out REAL sources (never trained on): L1 against copying the source
# frame (the identity baseline), keypoint acceleration, flow residual, the face-mesh
# reference's NME/NMJ, for several models side by side.
#   scripts/eval_real_faces.sh OUT MODEL [MODEL ...]
# Data: data/real-faces-128 from `flowmark data prepare` (see configs/real-faces-128.yaml).
# The subset: the first clip of each of the first PER_SOURCE videos of every held-out source
# in its manifest (so one long source does not outweigh the others), cut to MAX_FRAMES frames.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/experiments.sh
if [ $# -lt 2 ]; then
    echo "usage: $0 OUT MODEL [MODEL ...]" >&2
    exit 2
fi
out=$1
shift
data=${DATA:-data/real-faces-128}
subset=${SUBSET:-data/real-faces-128-heldout}
per_source=${PER_SOURCE:-3}
max_frames=${MAX_FRAMES:-64}
if [ ! -d "$subset/test" ]; then
    mkdir -p "$subset/test" "$subset/train"
    awk -F'\t' -v n="$per_source" \
        'NR > 1 && $2 == "test" && !video[$5]++ && source[$4]++ < n { print $1 }' \
        "$data/manifest.tsv" | while read -r clip; do
        ln -s "$(realpath "$data/test/$clip")" "$subset/test/$clip"
    done
    # evaluate wants a train/ beside test/: one clip, never read
    first=$(ls "$data/train" | grep -v '^\.' | head -1)
    ln -s "$(realpath "$data/train/$first")" "$subset/train/$first"
fi
"$fm" evaluate "$subset" --compare "$@" --max-frames "$max_frames" --no-face-metrics \
    -o "$out"
